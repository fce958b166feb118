"""The incremental profile (add_orders) always equals a recomputation from the rows."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kehu.accounts.models import Role, User
from kehu.sales.models import ConsumptionProfile
from kehu.sales.services import OrderLineData, order_cancel, order_create, order_refund, payment_record
from kehu.sales.stats import compute_profile, drift
from tests.conftest import make_person

line = st.builds(
    OrderLineData,
    product_name=st.just("p"),
    quantity=st.integers(1, 5),
    unit_price=st.decimals(min_value=0, max_value=500, places=2),
    category=st.sampled_from(["", "茶", "书", "衣"]),
)
order = st.tuples(
    st.integers(1, 900),  # days ago
    st.integers(0, 23),  # hour
    st.sampled_from(["store", "online", "phone"]),
    st.lists(line, min_size=1, max_size=3),
    st.sampled_from(["keep", "refund_half", "refund_all", "cancel", "pay"]),
)


class TestIncrementalEqualsRecomputed(TestCase):
    @given(st.lists(order, min_size=1, max_size=8))
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_any_history(self, history):
        actor = User.objects.create_user(username=f"u{User.objects.count()}", password="x" * 12, role=Role.ARCHIVE_MANAGER)
        customer = make_person(actor, contact_points=[])
        for index, (days, hour, channel, lines, then) in enumerate(history):
            when = (timezone.now() - datetime.timedelta(days=days)).replace(hour=hour)
            created = order_create(actor=actor, customer=customer, number=f"{customer.pk}-{index}", ordered_at=when,
                                   channel=channel, lines=lines)
            if created.total == 0:
                continue
            if then == "refund_half" and created.total >= 2:
                order_refund(actor=actor, order=created, amount=(created.total / 2).quantize(created.total))
            elif then == "refund_all":
                order_refund(actor=actor, order=created)
            elif then == "cancel":
                order_cancel(actor=actor, order=created)
            elif then == "pay":
                payment_record(actor=actor, customer=customer, amount=created.total, received_at=timezone.now(),
                               method="cash")
        stored = ConsumptionProfile.objects.filter(customer=customer).first()
        if stored is not None:
            assert drift(stored, compute_profile(customer.pk)) == {}


@pytest.mark.django_db
def test_refund_after_orders_recomputes_habits(sales, customer):
    first = order_create(actor=sales, customer=customer, number="A", channel="online",
                         ordered_at=timezone.now() - datetime.timedelta(days=3),
                         lines=[OrderLineData("x", quantity=1, unit_price=10, category="茶")])
    order_create(actor=sales, customer=customer, number="B", channel="store",
                 ordered_at=timezone.now() - datetime.timedelta(days=2),
                 lines=[OrderLineData("y", quantity=1, unit_price=5, category="书")])
    order_refund(actor=sales, order=first)
    stored = ConsumptionProfile.objects.get(customer=customer)
    assert stored.favourite_categories == ["书"] and stored.favourite_channels == ["store"] and stored.order_count == 1


@pytest.mark.django_db
def test_recompute_profiles_command_reports_and_fixes_drift(sales, customer, capsys):
    from django.core.management import call_command

    order_create(actor=sales, customer=customer, number="A", channel="online",
                 ordered_at=timezone.now() - datetime.timedelta(days=3),
                 lines=[OrderLineData("x", quantity=1, unit_price=10, category="茶")])
    call_command("recompute-profiles", "--check")
    assert "0 found drifted" in capsys.readouterr().out
    ConsumptionProfile.objects.filter(customer=customer).update(order_count=7)
    with pytest.raises(SystemExit):
        call_command("recompute-profiles", "--check")
    assert "order_count 7 → 1" in capsys.readouterr().out
    call_command("recompute-profiles")
    assert "1 corrected" in capsys.readouterr().out
    assert ConsumptionProfile.objects.get(customer=customer).order_count == 1


@pytest.mark.django_db
def test_a_deleted_customer_takes_its_orders_and_their_lines_along(sales, manager, customer):
    """The lines' customer column has no constraint of its own: the lines go with their order."""
    from kehu.customers.services import customer_delete
    from kehu.sales.models import Order, OrderLine

    other = make_person(sales, name="李四", contact_points=[])
    for number, owner in (("D1", customer), ("D2", other)):
        order_create(actor=sales, customer=owner, number=number, channel="store",
                     ordered_at=timezone.now() - datetime.timedelta(days=1),
                     lines=[OrderLineData("x", quantity=1, unit_price=10, category="茶"),
                            OrderLineData("y", quantity=2, unit_price=3, category="书")])
    customer_delete(actor=manager, customer=customer)
    assert list(Order.objects.values_list("number", flat=True)) == ["D2"]
    assert sorted(OrderLine.objects.values_list("customer_id", flat=True)) == [other.pk, other.pk]
    # and the recomputed profile of the one left reads its lines through the order
    assert compute_profile(other.pk).favourite_categories == ["茶", "书"]


@pytest.mark.django_db
def test_a_cent_left_owing_is_a_cent_in_the_fresh_figures_too(sales, customer):
    """SQLite sums money as floating point (0.30 − 0.29 = 0.010000000000000009): the fresh
    balance must round to cents as the stored one does, or every such customer looks drifted."""
    from decimal import Decimal

    order_create(actor=sales, customer=customer, number="C1", channel="store",
                 ordered_at=timezone.now() - datetime.timedelta(days=1),
                 lines=[OrderLineData("x", quantity=1, unit_price=Decimal("0.10")),
                        OrderLineData("y", quantity=1, unit_price=Decimal("0.20"))])
    payment_record(actor=sales, customer=customer, amount=Decimal("0.29"), received_at=timezone.now(), method="cash")
    stored = ConsumptionProfile.objects.get(customer=customer)
    fresh = compute_profile(customer.pk)
    assert stored.outstanding_balance == fresh.outstanding_balance == Decimal("0.01")
    assert str(fresh.outstanding_balance) == "0.01"
    assert drift(stored, fresh) == {}
