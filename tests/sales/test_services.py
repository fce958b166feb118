"""Orders, refunds, receivables and payments, and the consumption profile they maintain."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Payment, Receivable
from kehu.sales.selectors import ageing_of
from kehu.sales.services import (
    OrderLineData,
    credit_incident_record,
    order_cancel,
    order_create,
    order_refund,
    payment_record,
    receivable_create,
)
from kehu.sales.stats import compute_profile, drift

pytestmark = pytest.mark.django_db
D = Decimal


def at(days_ago: int, hour: int = 10) -> datetime.datetime:
    """A local time `days_ago` days back at `hour`, never later than now."""
    moment = (timezone.localtime() - datetime.timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(moment, timezone.localtime() - datetime.timedelta(minutes=1)) if days_ago == 0 else moment


def two_line_order(actor, customer, number="SO-1", days_ago=5, **kwargs):
    return order_create(
        actor=actor, customer=customer, number=number, ordered_at=at(days_ago), channel="store",
        lines=[OrderLineData("茶叶", quantity=2, unit_price="150.00", category="茶"),
               OrderLineData("茶杯", quantity=1, unit_price="80", discount="10", category="器具")],
        **kwargs,
    )


def counts():
    return Order.objects.count(), OrderLine.objects.count(), Receivable.objects.count(), Payment.objects.count()


def test_order_partial_payment_and_refund_keep_every_figure_right(sales, customer):
    order = two_line_order(sales, customer)
    assert order.total == D("370.00") and order.status == "unpaid"
    profile = ConsumptionProfile.objects.get(customer=customer)
    assert (profile.order_count, profile.total_spend, profile.outstanding_balance) == (1, D("370.00"), D("370.00"))
    assert profile.favourite_categories == ["茶", "器具"]

    payment_record(actor=sales, customer=customer, amount="100", received_at=at(1), method="wechat_pay")
    order.refresh_from_db()
    assert order.status == "partially_paid"
    profile.refresh_from_db()
    assert profile.outstanding_balance == D("270.00")

    order_refund(actor=sales, order=order, amount="80")
    order.refresh_from_db()
    profile.refresh_from_db()
    assert order.net_amount == D("290.00") and order.status == "partially_paid"
    assert profile.total_spend == D("290.00") and profile.outstanding_balance == D("190.00")

    order_refund(actor=sales, order=order)
    order.refresh_from_db()
    profile.refresh_from_db()
    assert order.status == "refunded"
    assert (profile.order_count, profile.total_spend, profile.outstanding_balance) == (0, D("0"), D("0"))


def test_ageing_buckets(sales, customer):
    today = timezone.localdate()
    for number, days_overdue, amount in (("A", -5, "10"), ("B", 10, "20"), ("C", 45, "30"), ("D", 75, "40"), ("E", 200, "50")):
        due = today - datetime.timedelta(days=days_overdue)
        receivable_create(actor=sales, customer=customer, number=number, amount=amount,
                          issued_on=due - datetime.timedelta(days=30), due_on=due)
    ageing = ageing_of(customer, today=today)
    assert ageing == {"current": D("10"), "1_30": D("20"), "31_60": D("30"), "61_90": D("40"), "90_plus": D("50")}
    profile = ConsumptionProfile.objects.get(customer=customer)
    assert profile.outstanding_balance == D("150") and profile.overdue_balance == D("140")


def test_payment_oldest_due_first_and_explicit_allocation(sales, customer):
    first = two_line_order(sales, customer, "SO-1", days_ago=20)
    second = two_line_order(sales, customer, "SO-2", days_ago=10)
    payment_record(actor=sales, customer=customer, amount="400", received_at=at(1), method="transfer")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("paid", "partially_paid")
    with pytest.raises(ValidationError) as excinfo:
        payment_record(actor=sales, customer=customer, amount="50", received_at=at(0), method="cash",
                       allocations=[(second.receivable, "30")])
    assert "allocations" in excinfo.value.message_dict


def test_paid_in_full_and_cancel_rules(sales, customer):
    paid = two_line_order(sales, customer, "SO-1", paid_in_full=True, payment_method="alipay")
    assert paid.status == "paid"
    with pytest.raises(ValidationError):
        order_cancel(actor=sales, order=paid)
    unpaid = two_line_order(sales, customer, "SO-2")
    order_cancel(actor=sales, order=unpaid)
    assert ConsumptionProfile.objects.get(customer=customer).outstanding_balance == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [OrderLineData("x", quantity=-1, unit_price=1)]}, "lines.0.quantity"),
        ({"lines": [OrderLineData("x", quantity="abc", unit_price=1)]}, "lines.0.quantity"),
        ({"lines": [OrderLineData("x", quantity=1, unit_price=-5)]}, "lines.0.unit_price"),
        ({"lines": [OrderLineData("x", quantity=1, unit_price=5, discount=6)]}, "lines.0.discount"),
        ({"lines": []}, "lines"),
        ({"ordered_at": "yesterday-ish"}, "ordered_at"),
        ({"ordered_at": timezone.now() + datetime.timedelta(days=3)}, "ordered_at"),
        ({"currency": "USD"}, "currency"),
        ({"channel": "carrier pigeon"}, "channel"),
        ({"number": ""}, "number"),
    ],
)
def test_bad_orders_write_nothing(sales, customer, change, field):
    arguments = {"actor": sales, "customer": customer, "number": "SO-9", "ordered_at": at(1), "channel": "store",
                 "lines": [OrderLineData("x", quantity=1, unit_price=1)], **change}
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        order_create(**arguments)
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert counts() == before


def test_duplicate_order_number(sales, customer):
    two_line_order(sales, customer, "SO-1")
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        two_line_order(sales, customer, "SO-1")
    assert "number" in excinfo.value.message_dict
    assert counts() == before


def test_payment_larger_than_outstanding_is_refused(sales, customer):
    two_line_order(sales, customer)
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        payment_record(actor=sales, customer=customer, amount="1000", received_at=at(0), method="cash")
    assert "larger than what the customer owes" in excinfo.value.message_dict["amount"][0]
    assert counts() == before


def test_order_for_invisible_customer_is_refused(outsider, customer):
    with pytest.raises(PermissionDenied):
        two_line_order(outsider, customer)
    assert not Order.objects.exists()


def test_refund_bounds(sales, customer):
    order = two_line_order(sales, customer)
    for amount in ("0", "-1", "371", "lots"):
        with pytest.raises(ValidationError):
            order_refund(actor=sales, order=order, amount=amount)
    order.refresh_from_db()
    assert order.refunded_amount == 0


def test_profile_habits_and_drift_check(sales, customer):
    for index, days in enumerate((61, 31, 1)):
        order_create(actor=sales, customer=customer, number=f"SO-{index}", ordered_at=at(days, hour=20), channel="online",
                     lines=[OrderLineData("书", quantity=1, unit_price="50", category="图书")])
    stored = ConsumptionProfile.objects.get(customer=customer)
    assert stored.usual_hour == 20 and stored.favourite_channels == ["online"]
    assert stored.average_days_between_orders == pytest.approx(30, abs=0.1)
    assert drift(stored, compute_profile(customer.pk)) == {}
    ConsumptionProfile.objects.filter(pk=customer.pk).update(order_count=99)
    stored.refresh_from_db()
    assert "order_count" in drift(stored, compute_profile(customer.pk))


def test_credit_incident(sales, customer):
    incident = credit_incident_record(actor=sales, customer=customer, occurred_on="2025-01-05", description="逾期 90 天")
    assert incident.pk
    with pytest.raises(ValidationError):
        credit_incident_record(actor=sales, customer=customer, occurred_on="someday", description="")


def test_catalogue(manager, sales):
    from kehu.sales.services import product_save

    product = product_save(actor=manager, values={"sku": "TEA-1", "name": "龙井", "category": "茶", "price": "120"})
    with pytest.raises(ValidationError):
        product_save(actor=manager, values={"sku": "TEA-1", "name": "重复", "price": "1"})
    with pytest.raises(ValidationError):
        product_save(actor=manager, values={"sku": "TEA-2", "name": "负价", "price": "-1"})
    with pytest.raises(PermissionDenied):
        product_save(actor=sales, values={"sku": "TEA-3", "name": "x", "price": "1"})
    product_save(actor=manager, product=product, values={"price": "99"})
    product.refresh_from_db()
    assert str(product.price) == "99.00"


def test_due_date_before_order_date(sales, customer):
    with pytest.raises(ValidationError) as excinfo:
        two_line_order(sales, customer, due_on=timezone.localdate() - datetime.timedelta(days=30))
    assert "due_on" in excinfo.value.message_dict


def test_overdue_balance_moves_with_time_via_the_daily_refresh(sales, customer):
    from kehu.sales.stats import refresh_all_balances

    today = timezone.localdate()
    receivable_create(actor=sales, customer=customer, number="INV-1", amount="100", issued_on=today, due_on=today)
    assert ConsumptionProfile.objects.get(customer=customer).overdue_balance == 0
    Receivable.objects.filter(number="INV-1").update(due_on=today - datetime.timedelta(days=3))  # time passes
    assert refresh_all_balances() == 1
    assert ConsumptionProfile.objects.get(customer=customer).overdue_balance == 100
