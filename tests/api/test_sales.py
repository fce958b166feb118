"""Orders, payments, receivables, credit and the consumption profile through the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.sales.models import Order, Receivable
from kehu.sales.services import OrderLineData, order_create, payment_record
from tests.api.conftest import ApiClient, activity_state, fields_of
from tests.api.test_validation import json_values

pytestmark = pytest.mark.django_db


def _money(value) -> Decimal:
    return Decimal(str(value))


def test_acceptance_call_order_payment_service_then_refund(sales, manager):
    """A salesperson logs a call, an order with two lines, a partial payment and a service
    visit; the consumption profile and ageing are right; a refund corrects them."""
    boss, client = ApiClient(manager), ApiClient(sales)
    product = boss.post("/products", {"sku": "TEA-01", "name": "龙井 250g", "category": "茶叶", "price": "120.00"})
    assert product.status_code == 201, product.content
    created = client.post("/customers", {"kind": "person", "name": "陈静",
                                         "contact_points": [{"type": "mobile", "value": "13900139001"}]})
    base = f"/customers/{created.json()['id']}"

    call = client.post(f"{base}/interactions", {
        "channel": "phone", "direction": "outbound", "subject": "新茶上市", "content": "介绍了明前龙井",
        "outcome": "interested", "next_step": "寄样品", "duration_minutes": 12,
    })
    assert call.status_code == 201, call.content
    assert [s["username"] for s in call.json()["staff"]] == ["sales"]

    ordered_at = (timezone.now() - datetime.timedelta(days=40)).isoformat()
    order = client.post(f"{base}/orders", {
        "number": "SO-100", "channel": "store", "ordered_at": ordered_at, "payment_method": "wechat_pay",
        "lines": [
            {"product_id": product.json()["id"], "quantity": 2},
            {"product_name": "上门泡茶服务", "category": "服务", "quantity": "1", "unit_price": "60", "discount": "10"},
        ],
    })
    assert order.status_code == 201, order.content
    body = order.json()
    assert [(line["product_name"], line["line_total"]) for line in body["lines"]] == [
        ("龙井 250g", "240.00"), ("上门泡茶服务", "50.00")
    ]
    assert (body["total"], body["status"], body["outstanding"]) == ("290.00", "unpaid", "290.00")

    payment = client.post(f"{base}/payments", {"amount": "100", "method": "wechat_pay", "reference": "WX-1"})
    assert payment.status_code == 201, payment.content
    assert payment.json()["allocations"] == [{"receivable_id": Receivable.objects.get().pk,
                                              "receivable_number": "SO-100", "amount": "100.00"}]
    detail = client.get(f"{base}/orders/{body['id']}").json()
    assert (detail["status"], detail["outstanding"]) == ("partially_paid", "190.00")

    visit = client.post(f"{base}/service-records", {
        "kind": "installation", "order_id": body["id"], "product": "茶台", "problem": "安装茶台",
        "status": "done", "completed_on": timezone.localdate().isoformat(), "cost": "0",
    })
    assert visit.status_code == 201, visit.content
    assert visit.json()["order"] == {"id": body["id"], "number": "SO-100"}

    profile = client.get(f"{base}/consumption").json()
    assert (profile["order_count"], _money(profile["total_spend"]), _money(profile["average_order_value"])) == (
        1, Decimal("290"), Decimal("290")
    )
    assert profile["favourite_categories"] == ["茶叶", "服务"] and profile["favourite_channels"] == ["store"]
    assert (_money(profile["outstanding_balance"]), _money(profile["overdue_balance"])) == (Decimal("190"), Decimal("190"))
    ageing = client.get(f"{base}/ageing").json()
    assert {b["key"]: _money(b["amount"]) for b in ageing["buckets"]} == {
        "current": 0, "1_30": 0, "31_60": Decimal("190"), "61_90": 0, "90_plus": 0
    }
    assert _money(ageing["total"]) == Decimal("190")

    refund = client.post(f"{base}/orders/{body['id']}/refund", {"amount": "50", "reason": "服务未做完"})
    assert refund.status_code == 200, refund.content
    assert (refund.json()["net_amount"], refund.json()["outstanding"]) == ("240.00", "140.00")
    profile = client.get(f"{base}/consumption").json()
    assert (_money(profile["total_spend"]), _money(profile["outstanding_balance"])) == (Decimal("240"), Decimal("140"))
    assert _money(client.get(f"{base}/ageing").json()["total"]) == Decimal("140")
    [receivable] = client.get(f"{base}/receivables").json()["items"]
    assert (receivable["credited_amount"], receivable["paid_amount"], receivable["outstanding"]) == (
        "50.00", "100.00", "140.00"
    )
    assert receivable["days_overdue"] >= 39

    kinds = [entry["kind"] for entry in client.get(f"{base}/timeline").json()["entries"]]
    assert sorted(kinds) == ["interaction", "order", "payment", "service"]


@pytest.fixture
def owed(sales, customer) -> Order:
    """An unpaid order of 100.00 for `customer`."""
    return order_create(actor=sales, customer=customer, number="SO-1", ordered_at=timezone.now(), channel="store",
                        lines=[OrderLineData(product_name="茶叶", quantity=1, unit_price="100")])


ORDER = {"number": "SO-2", "channel": "store", "lines": [{"product_name": "茶叶", "quantity": 1, "unit_price": "10"}]}
LINE = ORDER["lines"][0]
FUTURE = (timezone.now() + datetime.timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ORDER, "lines": [{**LINE, "quantity": -1}]}, "lines.0.quantity"),
        ({**ORDER, "lines": [{**LINE, "quantity": 0}]}, "lines.0.quantity"),
        ({**ORDER, "lines": [LINE, {**LINE, "quantity": "many"}]}, "lines.1.quantity"),
        ({**ORDER, "lines": [{**LINE, "quantity": 1.0001}]}, "lines.0.quantity"),
        ({**ORDER, "lines": [{**LINE, "unit_price": "-1"}]}, "lines.0.unit_price"),
        ({**ORDER, "lines": [{**LINE, "discount": "11"}]}, "lines.0.discount"),
        ({**ORDER, "lines": [{**LINE, "product_id": 987654}]}, "lines.0.product_id"),
        ({**ORDER, "lines": [{"quantity": 1, "unit_price": "5"}]}, "lines.0.product_name"),
        ({**ORDER, "lines": [{"product_name": "x", "quantity": 1}]}, "lines.0.unit_price"),
        ({**ORDER, "lines": []}, "lines"),
        ({**ORDER, "ordered_at": "yesterday"}, "ordered_at"),
        ({**ORDER, "ordered_at": "2026-02-30T10:00:00"}, "ordered_at"),
        ({**ORDER, "ordered_at": 0}, "ordered_at"),
        ({**ORDER, "ordered_at": "0001-01-01T00:00:00+08:00"}, "ordered_at"),
        ({**ORDER, "ordered_at": FUTURE}, "ordered_at"),
        ({**ORDER, "due_on": "2026-13-01"}, "due_on"),
        ({**ORDER, "due_on": "2000-01-01"}, "due_on"),
        ({**ORDER, "currency": "USD"}, "currency"),
        ({**ORDER, "currency": "dollars"}, "currency"),
        ({**ORDER, "number": "SO-1"}, "number"),
        ({**ORDER, "number": ""}, "number"),
        ({**ORDER, "channel": "telepathy"}, "channel"),
        ({**ORDER, "salesperson_id": 987654}, "salesperson_id"),
        ({**ORDER, "paid_in_full": "yes"}, "paid_in_full"),
        ({**ORDER, "lines": [{**LINE, "unit_price": True}]}, "lines.0.unit_price"),
        ({**ORDER, "lines": [{**LINE, "unit_price": "NaN"}]}, "lines.0.unit_price"),
        ({**ORDER, "lines": [{**LINE, "unit_price": 10**20}]}, "lines.0.unit_price"),
        ({**ORDER, "surprise": 1}, "surprise"),
    ],
)
def test_bad_orders_are_field_level_422_and_write_nothing(sales, customer, owed, body, field):
    client = ApiClient(sales)
    before = activity_state()
    response = client.post(f"/customers/{customer.pk}/orders", body)
    assert response.status_code == 422, response.content
    assert field in fields_of(response), fields_of(response)
    assert activity_state() == before


def test_order_for_an_invisible_customer_is_404_like_a_missing_one(sales, outsider, customer):
    client = ApiClient(outsider)
    before = activity_state()
    hidden = client.post(f"/customers/{customer.pk}/orders", ORDER)
    missing = client.post("/customers/987654/orders", ORDER)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert activity_state() == before


def test_an_order_paid_in_full_and_one_cancelled(sales, customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}/orders"
    paid = client.post(base, {**ORDER, "paid_in_full": True, "payment_method": "cash"}).json()
    assert (paid["status"], paid["outstanding"]) == ("paid", "0.00")
    refused = client.post(f"{base}/{paid['id']}/cancel", {})
    assert fields_of(refused) == {"status": ["Money has been paid on this order: refund it instead."]}
    open_order = client.post(base, {**ORDER, "number": "SO-3"}).json()
    cancelled = client.post(f"{base}/{open_order['id']}/cancel", {"reason": "下错单"})
    assert cancelled.json()["status"] == "cancelled"
    assert set(fields_of(client.post(f"{base}/{open_order['id']}/refund", {}))) == {"amount"}
    full = client.post(f"{base}/{paid['id']}/refund", {})
    assert (full.json()["status"], full.json()["net_amount"]) == ("refunded", "0.00")
    assert [o["number"] for o in client.get(base, status="refunded").json()["items"]] == ["SO-2"]
    assert client.get(f"/customers/{customer.pk}/consumption").json()["order_count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "100.01", "method": "cash"}, "amount"),
        ({"amount": "0", "method": "cash"}, "amount"),
        ({"amount": "-5", "method": "cash"}, "amount"),
        ({"amount": "10", "method": "cash", "currency": "USD"}, "currency"),
        ({"amount": "10", "method": "barter"}, "method"),
        ({"amount": "10", "method": "cash", "received_at": "soon"}, "received_at"),
        ({"amount": "10", "method": "cash", "received_at": FUTURE}, "received_at"),
        ({"amount": "10", "method": "cash", "allocations": [{"receivable_id": 987654, "amount": "10"}]},
         "allocations.0.receivable_id"),
        ({"amount": "10", "method": "cash", "allocations": []}, "allocations"),
        ({"amount": "10", "method": "cash", "allocations": [{"receivable_id": "R", "amount": "10"}]},
         "allocations.0.receivable_id"),
        ({"amount": "10", "method": "cash", "reference": "DUP"}, "reference"),
        ({"amount": True, "method": "cash"}, "amount"),
    ],
)
def test_bad_payments_are_field_level_422_and_write_nothing(sales, customer, owed, body, field):
    payment_record(actor=sales, customer=customer, amount="1", received_at=timezone.now(), method="cash",
                   reference="DUP")
    client = ApiClient(sales)
    before = activity_state()
    response = client.post(f"/customers/{customer.pk}/payments", body)
    assert response.status_code == 422, response.content
    assert field in fields_of(response), fields_of(response)
    assert activity_state() == before


def test_explicit_allocations(sales, customer, owed, pool_customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}"
    today = timezone.localdate().isoformat()
    invoice = client.post(f"{base}/receivables", {"number": "INV-7", "amount": "50", "issued_on": today,
                                                  "due_on": today}).json()
    owed_receivable = Receivable.objects.get(order=owed)
    other = order_create(actor=sales, customer=pool_customer, number="SO-P", ordered_at=timezone.now(),
                         channel="store", lines=[OrderLineData(product_name="x", quantity=1, unit_price="5")])
    before = activity_state()
    # Another customer's receivable reads like a missing one.
    elsewhere = client.post(f"{base}/payments", {"amount": "5", "method": "cash", "allocations": [
        {"receivable_id": Receivable.objects.get(order=other).pk, "amount": "5"}]})
    assert list(fields_of(elsewhere)) == ["allocations.0.receivable_id"]
    too_much = client.post(f"{base}/payments", {"amount": "60", "method": "cash", "allocations": [
        {"receivable_id": invoice["id"], "amount": "60"}]})
    assert list(fields_of(too_much)) == ["allocations.0.amount"]
    mismatch = client.post(f"{base}/payments", {"amount": "30", "method": "cash", "allocations": [
        {"receivable_id": invoice["id"], "amount": "20"}]})
    assert list(fields_of(mismatch)) == ["allocations"]
    assert activity_state() == before
    paid = client.post(f"{base}/payments", {"amount": "70", "method": "transfer", "allocations": [
        {"receivable_id": invoice["id"], "amount": "50"}, {"receivable_id": owed_receivable.pk, "amount": "20"}]})
    assert paid.status_code == 201, paid.content
    assert [(a["receivable_number"], a["amount"]) for a in paid.json()["allocations"]] == [
        ("INV-7", "50.00"), ("SO-1", "20.00")
    ]
    assert [r["number"] for r in client.get(f"{base}/receivables").json()["items"]] == ["SO-1"]
    assert len(client.get(f"{base}/receivables", state="all").json()["items"]) == 2


def test_receivable_and_credit_incident_rules(sales, customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}"
    before = activity_state()
    for body, field in (
        ({"number": "I-1", "amount": "10", "issued_on": "2026-03-01", "due_on": "2026-02-01"}, "due_on"),
        ({"number": "I-1", "amount": "0", "issued_on": "2026-03-01", "due_on": "2026-03-01"}, "amount"),
        ({"number": "I-1", "amount": "10", "issued_on": "March", "due_on": "2026-03-01"}, "issued_on"),
        ({"number": "", "amount": "10", "issued_on": "2026-03-01", "due_on": "2026-03-01"}, "number"),
    ):
        assert field in fields_of(client.post(f"{base}/receivables", body)), body
    for body, field in (({"occurred_on": "2026-01-01", "description": ""}, "description"),
                        ({"occurred_on": "never", "description": "x"}, "occurred_on"),
                        ({"occurred_on": "2026-01-01", "description": "x", "amount": "abc"}, "amount")):
        assert field in fields_of(client.post(f"{base}/credit-incidents", body)), body
    assert activity_state() == before
    incident = client.post(f"{base}/credit-incidents", {"occurred_on": "2026-01-05", "description": "拖欠货款",
                                                       "amount": "500"})
    assert incident.status_code == 201 and incident.json()["amount"] == "500.00"
    assert [i["description"] for i in client.get(f"{base}/credit-incidents").json()] == ["拖欠货款"]


def test_a_customer_without_orders_has_an_empty_profile(sales, customer):
    profile = ApiClient(sales).get(f"/customers/{customer.pk}/consumption").json()
    assert (profile["order_count"], profile["total_spend"], profile["updated_at"]) == (0, "0.00", None)


def test_order_list_query_count_does_not_grow(sales, customer, django_assert_max_num_queries):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}"
    client.get(f"{base}/orders")
    for index in range(12):
        order = order_create(actor=sales, customer=customer, number=f"Q-{index}", ordered_at=timezone.now(),
                             channel="store", lines=[OrderLineData(product_name="a", quantity=1, unit_price="9"),
                                                     OrderLineData(product_name="b", quantity=2, unit_price="1")])
        payment_record(actor=sales, customer=customer, amount="3", received_at=timezone.now(), method="cash")
        assert order.pk
    # token, customer, count, page (+receivable, salesperson), lines
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{base}/orders").json()["items"]) == 12
    # token, customer, count, page (+recorded_by), allocations (+receivable)
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{base}/payments").json()["items"]) == 12


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries(
    {"number": st.text(max_size=10), "channel": st.sampled_from(["store", "online", "x"])},
    optional={"lines": st.lists(st.dictionaries(
        st.sampled_from(["product_id", "product_name", "quantity", "unit_price", "discount", "category"]),
        json_values, max_size=4), max_size=3),
        "ordered_at": json_values | st.datetimes().map(str), "due_on": json_values, "currency": json_values,
        "paid_in_full": json_values, "salesperson_id": json_values},
))
def test_no_order_body_fails_with_a_5xx(sales, customer, body):
    response = ApiClient(sales).post(f"/customers/{customer.pk}/orders", body)
    assert response.status_code in (201, 422), (body, response.content)
    if response.status_code == 422:
        fields_of(response)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"amount": json_values, "method": st.sampled_from(["cash", "x"])},
                                  optional={"allocations": json_values, "received_at": json_values,
                                            "reference": json_values}))
def test_no_payment_body_fails_with_a_5xx(sales, customer, body):
    response = ApiClient(sales).post(f"/customers/{customer.pk}/payments", body)
    assert response.status_code in (201, 422), (body, response.content)
