"""The customer list: search, filters, htmx fragments, capped counts, constant queries."""

from __future__ import annotations

import pytest

from kehu.customers.services import ContactPointData
from kehu.web import pagination
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db

LIST = "/customers/"


def names_in(response) -> list[str]:
    return [c.name for c in response.context["page"].items]


def test_search_by_pinyin_initials_chinese_substring_phone_and_email(client, sales, customer, pool_customer):
    make_person(sales, "王小明", contact_points=[
        ContactPointData("mobile", "13912345678"), ContactPointData("email", "xm.wang@example.com"),
    ])
    make_organization(sales, "杭州云帆科技有限公司")
    client.force_login(sales)
    assert names_in(client.get(LIST, {"q": "zs"})) == ["张三"]
    assert names_in(client.get(LIST, {"q": "wxm"})) == ["王小明"]
    assert names_in(client.get(LIST, {"q": "小明"})) == ["王小明"]
    assert names_in(client.get(LIST, {"q": "139-1234-5678"})) == ["王小明"]
    assert names_in(client.get(LIST, {"q": "+86 139 1234 5678"})) == ["王小明"]
    assert names_in(client.get(LIST, {"q": "xm.wang@example.com"})) == ["王小明"]
    assert names_in(client.get(LIST, {"q": "云帆"})) == ["杭州云帆科技有限公司"]
    response = client.get(LIST, {"q": "nobody-like-this"})
    assert names_in(response) == [] and "No customer matches" in response.content.decode()


def test_htmx_search_returns_only_the_results_fragment(client, sales, customer):
    client.force_login(sales)
    response = client.get(LIST, {"q": "zs"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "张三" in body and "<html" not in body and 'id="filters"' not in body
    assert "HX-Request" in response["Vary"]
    full = client.get(LIST, {"q": "zs"})
    assert 'id="filters"' in full.content.decode() and 'hx-push-url="true"' in full.content.decode()


def test_filters_kind_status_scope_owner_tag_and_sort(client, sales, teammate, customer, pool_customer):
    make_organization(sales, "杭州云帆科技有限公司", status="prospect", tags=["制造业"])
    make_person(teammate, "王五", contact_points=[])
    client.force_login(sales)
    assert names_in(client.get(LIST, {"kind": "organization"})) == ["杭州云帆科技有限公司"]
    assert names_in(client.get(LIST, {"status": "prospect"})) == ["杭州云帆科技有限公司"]
    assert names_in(client.get(LIST, {"scope": "pool"})) == ["李四"]
    assert set(names_in(client.get(LIST, {"scope": "mine"}))) == {"张三", "杭州云帆科技有限公司"}
    assert names_in(client.get(LIST, {"owner": teammate.pk})) == ["王五"]
    assert names_in(client.get(LIST, {"tag": "制造业"})) == ["杭州云帆科技有限公司"]
    assert names_in(client.get(LIST, {"sort": "name", "kind": "person"})) == sorted(["张三", "李四", "王五"])
    # Nonsense parameters are ignored, never a 500.
    response = client.get(LIST, {"kind": "alien", "owner": "x", "sort": "drop table", "page": "-3", "scope": "?"})
    assert response.status_code == 200 and len(names_in(response)) == 4


def test_list_shows_owner_or_pool_badge_and_completeness(client, sales, customer, pool_customer):
    client.force_login(sales)
    body = client.get(LIST).content.decode()
    assert "公海" in body and f"{customer.completeness}%" in body


def test_pagination_and_capped_count(client, sales, monkeypatch):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for index in range(5):
        make_person(sales, f"客户{index}", contact_points=[])
    client.force_login(sales)
    first = client.get(LIST)
    page = first.context["page"]
    assert page.capped and page.total_label == "3+" and page.has_next and len(page.items) == 2
    assert "3+" in first.content.decode()
    last = client.get(LIST, {"page": 3})
    assert len(last.context["page"].items) == 1 and not last.context["page"].has_next


def test_list_query_count_does_not_grow_with_rows(client, sales, django_assert_max_num_queries):
    for index in range(30):
        make_person(sales, f"客户{index}", tags=["VIP", f"t{index}"], contact_points=[])
    client.force_login(sales)
    client.get(LIST)  # warm up session and caches
    # The page is read as ids first, then rows (selectors.read_rows): one query more than a slice.
    with django_assert_max_num_queries(11):
        response = client.get(LIST, {"tag": "VIP", "owner": sales.pk, "q": "kh"})
    assert response.status_code == 200
    with django_assert_max_num_queries(11):
        response = client.get(LIST)
    assert len(response.context["page"].items) == pagination.PER_PAGE
