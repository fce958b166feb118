"""/api/customers: search, filters, paging, the full file, create, update, delete."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.audit.models import AuditEvent
from kehu.core.uscc import check_character
from kehu.customers.models import Customer, FamilyMember, Relationship
from kehu.customers.services import ContactPointData, customer_update
from tests.api.conftest import ApiClient, fields_of
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db


def valid_credit_code(body: str = "91330106MA2B3C4D5") -> str:
    return body + check_character(body)


@pytest.fixture
def wang(sales):
    return make_person(
        sales,
        "王小明",
        contact_points=[
            ContactPointData("mobile", "13912345678"),
            ContactPointData("email", "Wang.XM@Example.com"),
        ],
        tags=["VIP"],
    )


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- search and filters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["wxm", "WXM", "小明", "王", "wangxiaoming", "xiaoming", "139-1234-5678", "+86 139 1234 5678",
     "0086 13912345678", "１３９１２３４５６７８", "5678", "wang.xm@example.com", "Wang.XM@example.com"],
)
def test_search_finds_by_name_pinyin_phone_and_email(sales, customer, wang, query):
    assert _ids(ApiClient(sales).get("/customers", q=query)) == [wang.pk]


def test_search_by_company(sales):
    org = make_organization(sales, "杭州云帆科技有限公司")
    person = make_person(sales, "刘洋", profile={"employer": "云帆科技"}, contact_points=[])
    assert set(_ids(ApiClient(sales).get("/customers", q="云帆"))) == {org.pk, person.pk}


def test_search_that_matches_nothing_is_an_empty_page(sales, wang):
    response = ApiClient(sales).get("/customers", q="zzzz")
    assert response.json() == {
        "count": 0, "count_exact": True, "has_more": False, "limit": 50, "offset": 0, "items": [],
    }


def test_filters(sales, manager, customer, wang, pool_customer):
    org = make_organization(sales, "云帆科技")
    customer_update(actor=sales, customer=customer, changes={"status": "dormant"})
    client = ApiClient(sales)
    assert set(_ids(client.get("/customers", kind="organization"))) == {org.pk}
    assert set(_ids(client.get("/customers", status="dormant"))) == {customer.pk}
    assert set(_ids(client.get("/customers", in_pool="true"))) == {pool_customer.pk}
    assert set(_ids(client.get("/customers", in_pool="false"))) == {customer.pk, wang.pk, org.pk}
    assert set(_ids(client.get("/customers", tag="VIP"))) == {wang.pk}
    assert set(_ids(client.get("/customers", mine="true"))) == {customer.pk, wang.pk, org.pk}
    assert set(_ids(ApiClient(manager).get("/customers", owner_id=sales.pk))) == {customer.pk, wang.pk, org.pk}
    assert _ids(client.get("/customers", q="wxm", tag="VIP", kind="person")) == [wang.pk]


def test_sort_and_pagination(sales):
    names = ["阿", "白", "陈", "丁", "鄂"]
    people = [make_person(sales, name, contact_points=[]) for name in names]
    client = ApiClient(sales)
    assert _ids(client.get("/customers")) == [p.pk for p in reversed(people)]  # newest first
    assert _ids(client.get("/customers", sort="created")) == [p.pk for p in people]
    page = client.get("/customers", sort="created", limit=2, offset=2).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [item["id"] for item in page["items"]] == [people[2].pk, people[3].pk]
    beyond = client.get("/customers", offset=100).json()
    assert beyond["count"] == 5 and beyond["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10**6}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"kind": "alien"}, "kind"),
        ({"sort": "password"}, "sort"),
        ({"owner_id": "me"}, "owner_id"),
        ({"in_pool": "maybe"}, "in_pool"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_list_parameters_are_422(sales, params, field):
    response = ApiClient(sales).get("/customers", **params)
    assert response.status_code == 422
    assert list(fields_of(response)) == [field]


def test_list_query_count_does_not_grow_with_the_page(sales, django_assert_max_num_queries):
    client = ApiClient(sales)
    client.get("/customers")  # the token's first use records last_used_at; later ones do not

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/customers", limit=50)
        assert response.status_code == 200
        return len(captured)

    for index in range(3):
        make_person(sales, f"客户{index}", tags=["a", "b"], contact_points=[ContactPointData("email", f"c{index}@x.cn")])
    few = queries_for_page()
    for index in range(3, 30):
        make_person(sales, f"客户{index}", tags=["a", "b"], contact_points=[ContactPointData("email", f"c{index}@x.cn")])
    assert queries_for_page() == few
    # token lookup, how broad the search word is, count, the page's ids, its rows, tags, contact points
    with django_assert_max_num_queries(7):
        client.get("/customers", q="客户", tag="a", limit=50)


def test_detail_query_count_is_bounded(sales, wang, django_assert_max_num_queries):
    client = ApiClient(sales)
    client.get("/customers")
    # 9 to read the file, 5 to append its customer.view event to the audit chain
    # (savepoint, lock the chain head, insert, move the head, release).
    with django_assert_max_num_queries(14):
        assert client.get(f"/customers/{wang.pk}").status_code == 200


# --- the file ----------------------------------------------------------------------


def test_detail_has_the_whole_file(sales, wang, customer):
    client = ApiClient(sales)
    client.post(f"/customers/{wang.pk}/family-members", {"relation": "child", "name": "王小宝", "birthday": "2015-06-01"})
    client.post(f"/customers/{wang.pk}/important-dates", {"kind": "birthday", "calendar": "lunar", "month": 8, "day": 15})
    client.post(f"/customers/{wang.pk}/relationships", {"other_customer_id": customer.pk, "type": "parent_of",
                                                         "direction": "incoming"})
    client.patch(f"/customers/{wang.pk}", {"profile": {"employer": "云帆科技", "gender": "male"}})
    detail = client.get(f"/customers/{wang.pk}").json()
    assert detail["name"] == "王小明" and detail["kind"] == "person" and detail["tags"] == ["VIP"]
    assert detail["owner"]["username"] == "sales" and detail["team"]["name"] == "North"
    assert detail["person"]["employer"] == "云帆科技" and detail["organization"] is None
    assert {(p["type"], p["value"]) for p in detail["contact_points"]} == {
        ("mobile", "+8613912345678"), ("email", "wang.xm@example.com")
    }
    mobile = next(p for p in detail["contact_points"] if p["type"] == "mobile")
    assert mobile["display"] == "139 1234 5678"
    assert [m["name"] for m in detail["family_members"]] == ["王小宝"]
    assert [(d["calendar"], d["month"], d["day"]) for d in detail["important_dates"]] == [("lunar", 8, 15)]
    [link] = detail["relationships"]
    assert (link["type"], link["direction"], link["label"], link["other"]["id"]) == (
        "parent_of", "incoming", "Child of", customer.pk
    )
    assert 0 < detail["completeness"] <= 100
    sections = {s["key"]: s for s in detail["sections"]}
    assert sections["career"]["completeness"] > 0
    assert {"name": "health_notes", "label": "health notes", "data_class": "sensitive"} in sections["life"]["fields"]
    assert set(detail["completeness_by_section"]) >= {"basic", "career", "contact", "archive"}
    # From the other end the same link reads the other way.
    [back] = client.get(f"/customers/{customer.pk}").json()["relationships"]
    assert (back["direction"], back["label"], back["other"]["id"]) == ("outgoing", "Parent of", wang.pk)


def test_missing_and_non_numeric_ids(sales):
    client = ApiClient(sales)
    assert client.get("/customers/987654").status_code == 404
    for bad in ("abc", "0", "-1", "99999999999999999999999999", "1.5"):
        response = client.get(f"/customers/{bad}")
        assert response.status_code == 422, bad
        assert list(fields_of(response)) == ["customer_id"]


# --- create ------------------------------------------------------------------------


def test_create_a_person_with_profile_contacts_tags_and_family(sales):
    client = ApiClient(sales)
    response = client.post("/customers", {
        "kind": "person",
        "name": "  陈  静 ",
        "status": "prospect",
        "source_channel": "referral",
        "tags": ["VIP", "华东"],
        "profile": {"gender": "female", "birthday": "1988-03-08", "employer": "云帆科技", "height_cm": 165},
        "contact_points": [
            {"type": "mobile", "value": "139-0013-9000", "preferred": True},
            {"type": "email", "value": "CHEN.JING@example.com"},
            {"type": "wechat", "value": "chenjing88"},
        ],
        "family_members": [
            {"relation": "spouse", "name": "李强"},
            {"relation": "child", "name": "李小雨", "birthday": "2016-09-01", "education": "primary"},
        ],
        "important_dates": [{"kind": "anniversary", "label": "wedding", "year": 2012, "month": 10, "day": 1}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "陈 静" and body["status"] == "prospect" and body["number"].startswith("KH")
    assert body["owner"]["id"] == sales.pk and body["team"]["name"] == "North"
    assert sorted(body["tags"]) == ["VIP", "华东"]
    assert body["person"]["birthday"] == "1988-03-08" and body["person"]["height_cm"] == 165
    assert body["phone"] == "+8613900139000" and body["email"] == "chen.jing@example.com"
    assert [(m["relation"], m["name"]) for m in body["family_members"]] == [("child", "李小雨"), ("spouse", "李强")]
    assert body["important_dates"][0]["label"] == "wedding"
    customer = Customer.objects.get(pk=body["id"])
    assert customer.created_by == sales
    assert AuditEvent.objects.filter(customer_id=customer.pk, action="customer.create").exists()
    assert _ids(client.get("/customers", q="cj")) == [customer.pk]


def test_create_an_organisation_with_key_people(sales):
    client = ApiClient(sales)
    org = client.post("/customers", {
        "kind": "organization",
        "name": "杭州云帆科技有限公司",
        "profile": {"legal_name": "杭州云帆科技有限公司", "credit_code": valid_credit_code().lower(),
                    "phone": "0571-8888 6666", "staff_size": "50-199", "registered_capital": "1000.50",
                    "credit_rating": "AA"},
    })
    assert org.status_code == 201, org.content
    org_id = org.json()["id"]
    assert org.json()["organization"]["credit_code"] == valid_credit_code()
    assert org.json()["organization"]["phone"] == "+8657188886666"
    boss = client.post("/customers", {"kind": "person", "name": "周总"}).json()
    buyer = client.post("/customers", {"kind": "person", "name": "吴采购"}).json()
    for person, role in ((boss, "legal_representative"), (buyer, "purchasing")):
        response = client.post(f"/customers/{org_id}/relationships", {
            "other_customer_id": person["id"], "type": "key_person_of", "direction": "incoming", "role": role,
            "title": "总经理" if role == "legal_representative" else "采购经理",
        })
        assert response.status_code == 201, response.content
    detail = client.get(f"/customers/{org_id}").json()
    assert {(r["other"]["name"], r["role"], r["label"]) for r in detail["relationships"]} == {
        ("周总", "legal_representative", "Key person"), ("吴采购", "purchasing", "Key person"),
    }
    assert Relationship.objects.filter(to_customer_id=org_id, type="key_person_of").count() == 2
    assert client.get(f"/customers/{boss['id']}").json()["relationships"][0]["label"] == "Key person of"


def test_create_in_the_pool_and_for_someone_else(sales, manager, teammate):
    pool = ApiClient(sales).post("/customers", {"kind": "person", "name": "公海客户", "owner_id": None})
    assert pool.status_code == 201 and pool.json()["owner"] is None
    refused = ApiClient(sales).post("/customers", {"kind": "person", "name": "别人的", "owner_id": teammate.pk})
    assert refused.status_code == 422 and list(fields_of(refused)) == ["owner_id"]
    assigned = ApiClient(manager).post("/customers", {"kind": "person", "name": "分配", "owner_id": teammate.pk})
    assert assigned.status_code == 201 and assigned.json()["owner"]["id"] == teammate.pk
    assert assigned.json()["team"]["name"] == "North"


def test_family_members_only_for_people_and_a_bad_one_undoes_the_file(sales):
    client = ApiClient(sales)
    before = Customer.objects.count()
    response = client.post("/customers", {
        "kind": "organization", "name": "云帆", "family_members": [{"relation": "child", "name": "x"}],
    })
    assert response.status_code == 422
    assert list(fields_of(response)) == ["family_members.0.relation"]
    response = client.post("/customers", {
        "kind": "person", "name": "陈静",
        "family_members": [{"relation": "child", "name": "ok"}, {"relation": "child", "name": "未来", "birthday": "2999-01-01"}],
    })
    assert response.status_code == 422
    assert fields_of(response) == {"family_members.1.birthday": ["This date is in the future."]}
    assert Customer.objects.count() == before
    assert FamilyMember.objects.count() == 0


# --- update and delete -------------------------------------------------------------


def test_patch_changes_only_what_is_sent(sales, wang):
    client = ApiClient(sales)
    response = client.patch(f"/customers/{wang.pk}", {
        "status": "dormant", "tags": ["A级"], "profile": {"position": "CTO", "gender": "male"},
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["tags"], body["name"]) == ("dormant", ["A级"], "王小明")
    assert (body["person"]["position"], body["person"]["gender"]) == ("CTO", "male")
    cleared = client.patch(f"/customers/{wang.pk}", {"profile": {"gender": None}}).json()
    assert cleared["person"]["gender"] == "" and cleared["person"]["position"] == "CTO"
    assert client.patch(f"/customers/{wang.pk}", {}).status_code == 200


def test_patch_reports_customer_and_profile_errors_together_and_writes_neither(sales, wang):
    client = ApiClient(sales)
    before = (Customer.objects.get(pk=wang.pk).status, AuditEvent.objects.count())
    response = client.patch(f"/customers/{wang.pk}", {
        "status": "lost", "owner_id": 987654, "profile": {"birthday": "2999-01-01"},
    })
    assert response.status_code == 422
    assert set(fields_of(response)) == {"owner_id"}
    response = client.patch(f"/customers/{wang.pk}", {
        "status": "lost", "source_detail": "x", "custom_fields": {"nope": 1}, "profile": {"birthday": "2999-01-01"},
    })
    assert response.status_code == 422
    assert set(fields_of(response)) == {"custom_fields.nope", "profile.birthday"}
    assert (Customer.objects.get(pk=wang.pk).status, AuditEvent.objects.count()) == before


def test_profile_field_of_the_other_kind_is_refused(sales, wang):
    response = ApiClient(sales).patch(f"/customers/{wang.pk}", {"profile": {"credit_code": valid_credit_code()}})
    assert response.status_code == 422
    assert list(fields_of(response)) == ["profile.credit_code"]


def test_owner_changes_follow_the_role_rules(sales, manager, teammate, wang):
    refused = ApiClient(sales).patch(f"/customers/{wang.pk}", {"owner_id": teammate.pk})
    assert refused.status_code == 422 and list(fields_of(refused)) == ["owner_id"]
    to_pool = ApiClient(sales).patch(f"/customers/{wang.pk}", {"owner_id": None})
    assert to_pool.status_code == 200 and to_pool.json()["owner"] is None
    moved = ApiClient(manager).patch(f"/customers/{wang.pk}", {"owner_id": teammate.pk})
    assert moved.json()["owner"]["id"] == teammate.pk


def test_manager_deletes_a_file(manager, customer):
    response = ApiClient(manager).delete(f"/customers/{customer.pk}")
    assert response.status_code == 204 and response.content == b""
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert ApiClient(manager).get(f"/customers/{customer.pk}").status_code == 404
