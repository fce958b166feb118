"""The customer page's key figures and timeline: filters, load more, bad input, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.customers.services import profile_update
from kehu.interactions.models import Interaction
from kehu.sales.services import payment_record, receivable_create
from kehu.service.services import service_record_create
from tests.conftest import make_organization
from tests.web.activity_helpers import ago, make_call, make_order

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(customer) -> str:
    return reverse("web:customer-detail", args=[customer.pk])


def timeline(customer) -> str:
    return reverse("web:timeline", args=[customer.pk])


def many_events(actor, customer, count: int) -> None:
    """`count` communications written in one go (test data, not a code path under test)."""
    Interaction.objects.bulk_create([
        Interaction(customer=customer, channel="phone", content=f"第{i}次通话", occurred_at=ago(days=i % 300, hours=i),
                    created_by=actor)
        for i in range(count)
    ])


def test_key_figures_show_spend_last_purchase_balances_and_next_contact(client, sales, customer):
    make_order(sales, customer, "SO-1", days=10)
    make_order(sales, customer, "SO-2", days=4)
    payment_record(actor=sales, customer=customer, amount="100", received_at=ago(1), method="cash")
    next_call = timezone.localdate() + datetime.timedelta(days=7)
    make_call(sales, customer, "上次电话", days=2, next_contact_on=next_call)
    client.force_login(sales)
    body = client.get(detail(customer)).content.decode()
    assert 'id="figures"' in body
    assert "¥600.00" in body  # total spend: 2 × 300
    assert "¥300.00" in body  # average order
    assert "4 days ago" in body
    assert "¥500.00" in body  # outstanding after the payment
    assert next_call.isoformat() in body


def test_outstanding_over_credit_limit_is_highlighted(client, sales):
    company = make_organization(sales)
    profile_update(actor=sales, customer=company, values={"credit_limit": Decimal("200"), "payment_terms_days": 30})
    make_order(sales, company, "SO-9", days=1)
    client.force_login(sales)
    body = client.get(detail(company)).content.decode()
    assert "over credit limit" in body and "credit limit ¥200.00" in body
    assert "30 days" in body


def test_overdue_balance_and_ageing_buckets(client, sales, customer):
    today = timezone.localdate()
    receivable_create(actor=sales, customer=customer, number="INV-1", amount="80", issued_on=today - datetime.timedelta(days=70),
                      due_on=today - datetime.timedelta(days=40))
    receivable_create(actor=sales, customer=customer, number="INV-2", amount="20", issued_on=today,
                      due_on=today + datetime.timedelta(days=10))
    client.force_login(sales)
    response = client.get(detail(customer))
    figures = response.context["figures"]
    assert figures["outstanding"] == Decimal("100") and figures["overdue"] == Decimal("80")
    buckets = {row["key"]: row["amount"] for row in figures["ageing"]}
    assert buckets["31_60"] == Decimal("80") and buckets["current"] == Decimal("20")
    assert 'class="age b-31_60"' in response.content.decode()


def test_timeline_merges_everything_newest_first(client, sales, customer):
    make_order(sales, customer, "SO-1", days=5)
    make_call(sales, customer, "询价", days=3)
    service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "屏幕坏了",
                                                                  "reported_at": ago(2)})
    payment_record(actor=sales, customer=customer, amount="50", received_at=ago(1), method="cash")
    client.force_login(sales)
    response = client.get(detail(customer))
    kinds = [entry.kind for entry in response.context["entries"]]
    assert kinds == ["payment", "service", "interaction", "order"]
    body = response.content.decode()
    assert "询价" in body and "SO-1" in body and "屏幕坏了" in body


def test_filter_by_kind_and_dates(client, sales, customer):
    make_order(sales, customer, "SO-1", days=20)
    make_call(sales, customer, "最近的电话", days=1)
    make_call(sales, customer, "很久以前的电话", days=40)
    client.force_login(sales)
    response = client.get(timeline(customer), {"kind": "interaction"}, **HTMX, HTTP_HX_TARGET="timeline")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "最近的电话" in body and "SO-1" not in body
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    body = client.get(timeline(customer), {"since": since}, **HTMX, HTTP_HX_TARGET="timeline").content.decode()
    assert "SO-1" in body and "最近的电话" in body and "很久以前的电话" not in body
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    body = client.get(detail(customer), {"until": until}).content.decode()  # without htmx: the page itself
    assert "很久以前的电话" in body and "最近的电话" not in body


@pytest.mark.parametrize(
    "params",
    [{"since": "2024-13-45"}, {"until": "yesterday"}, {"kind": "<script>"}, {"since": "2025-05-02", "until": "2025-05-01"}],
)
def test_bad_filter_is_a_field_error_not_a_500(client, sales, customer, params):
    make_call(sales, customer)
    client.force_login(sales)
    response = client.get(timeline(customer), params, **HTMX, HTTP_HX_TARGET="timeline")
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode() and "<script>" not in response.content.decode()
    page = client.get(detail(customer), params)
    assert page.status_code == 200 and 'class="errorlist"' in page.content.decode()


def test_load_more_walks_the_history_with_the_cursor(client, sales, customer):
    many_events(sales, customer, 45)
    client.force_login(sales)
    first = client.get(detail(customer))
    assert len(first.context["entries"]) == 20 and first.context["next_cursor"]
    assert 'id="timeline-more"' in first.content.decode()
    seen = [e.id for e in first.context["entries"]]
    cursor = first.context["next_cursor"]
    while cursor:
        more = client.get(timeline(customer), {"cursor": cursor}, **HTMX, HTTP_HX_TARGET="timeline-more")
        assert more.status_code == 200 and "<html" not in more.content.decode()
        seen += [e.id for e in more.context["entries"]]
        cursor = more.context["next_cursor"]
    assert len(seen) == len(set(seen)) == 45


@pytest.mark.parametrize("cursor", ["garbage", "eyJub3QiOiAiYSBjdXJzb3IifQ", "W10", "WyIyMDI1IiwgIm9yZGVyIiwgIngiXQ"])
def test_tampered_cursor_is_a_400_not_a_500(client, sales, customer, cursor):
    make_call(sales, customer)
    client.force_login(sales)
    response = client.get(timeline(customer), {"cursor": cursor}, **HTMX, HTTP_HX_TARGET="timeline-more")
    assert response.status_code == 400
    page = client.get(detail(customer), {"cursor": cursor})
    assert page.status_code == 200 and "no longer exists" in page.content.decode()


def test_timeline_without_htmx_redirects_to_the_page(client, sales, customer):
    client.force_login(sales)
    response = client.get(timeline(customer), {"kind": "order"})
    assert response.status_code == 302 and response["Location"] == detail(customer) + "?kind=order#timeline"


def test_outsider_gets_404_for_the_timeline(client, outsider, customer):
    make_call(outsider.__class__.objects.get(username="sales"), customer, "机密")
    client.force_login(outsider)
    for url in (timeline(customer), detail(customer)):
        response = client.get(url, **HTMX)
        assert response.status_code == 404 and "机密" not in response.content.decode()


def _busy(actor, customer, events: int) -> None:
    many_events(actor, customer, events)
    for n in range(3):
        make_order(actor, customer, f"SO-{customer.pk}-{events}-{n}", days=n + 1)
    service_record_create(actor=actor, customer=customer, values={"kind": "repair", "problem": "坏了"})


def test_customer_page_and_timeline_cost_the_same_whatever_the_history(
    client, sales, customer, django_assert_max_num_queries
):
    from tests.conftest import make_person

    big = make_person(sales, "王大户", contact_points=[])
    _busy(sales, customer, 2)
    _busy(sales, big, 200)
    client.force_login(sales)
    client.get(detail(customer))  # the first request of a session stamps its last-seen time (one write)
    counts = {}
    for who in (customer, big):
        # 28 before the view audit (savepoint, chain head read/insert/update, release) and the consent card;
        # the Insights card adds 4 (current run, snapshot, open override, last tier changes) plus its
        # selectors' own visibility checks.
        with django_assert_max_num_queries(40) as captured:
            assert client.get(detail(who)).status_code == 200
        counts[who.pk] = len(captured.captured_queries)
    assert counts[customer.pk] == counts[big.pk]
    cursor = client.get(detail(big)).context["next_cursor"]
    with django_assert_max_num_queries(9):
        client.get(timeline(big), {"cursor": cursor}, **HTMX, HTTP_HX_TARGET="timeline-more")
    with django_assert_max_num_queries(9):
        client.get(timeline(big), {"kind": ["interaction", "order"]}, **HTMX, HTTP_HX_TARGET="timeline")


def test_activity_pages_render_in_chinese(client, sales, admin, customer, settings):
    order = make_order(sales, customer, "SO-1", days=3)
    call = make_call(sales, customer, "问候", days=1)
    client.force_login(sales)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    urls = [detail(customer), reverse("web:order-create", args=[customer.pk]),
            reverse("web:order-detail", args=[customer.pk, order.pk]), reverse("web:order-list", args=[customer.pk]),
            reverse("web:payment-create", args=[customer.pk]), reverse("web:receivable-create", args=[customer.pk]),
            reverse("web:interaction-edit", args=[customer.pk, call.pk]), reverse("web:service-list", args=[customer.pk]),
            reverse("web:service-create", args=[customer.pk]), reverse("web:product-list"), reverse("web:import")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode(), url
