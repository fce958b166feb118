"""An order batch prepared outside its transaction, then written: what changed in between
(the same customers' profiles, the same order numbers) is taken into account, not overwritten."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from kehu.quality.importing.orders import OrderImporter
from kehu.quality.importing.report import ImportReport
from kehu.sales.models import ConsumptionProfile, Order, Receivable
from kehu.sales.services import OrderLineData, order_create
from kehu.sales.stats import compute_profile, drift

JUNE = datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC)
LINE = {"ordered_at": "2024-05-01 10:00", "amount": "100", "currency": "CNY", "channel": "store",
        "category": "茶", "product": "龙井", "quantity": "1"}


def _batch(customer, numbers, **extra):
    return [(index + 2, {"customer_code": customer.number, "order_number": number, **LINE, **extra})
            for index, number in enumerate(numbers)]


def _importer(actor):
    return OrderImporter(actor=actor, report=ImportReport(kind="orders"))


@pytest.mark.django_db
def test_a_profile_changed_after_preparing_is_folded_again(sales, customer):
    importer = _importer(sales)
    prepared = importer.prepare(_batch(customer, ["A-1", "A-2"]))
    # Someone logs an order for the same customer before the batch is written.
    order_create(actor=sales, customer=customer, number="UI-1", ordered_at=JUNE, channel="online",
                 lines=[OrderLineData(product_name="杯", quantity=2, unit_price="30", category="茶具")])
    with transaction.atomic():
        importer.write(prepared)

    profile = ConsumptionProfile.objects.get(customer=customer)
    assert profile.order_count == 3 and profile.total_spend == Decimal("260.00")
    assert drift(profile, compute_profile(customer.pk)) == {}
    assert importer.report.created == 2


@pytest.mark.django_db
def test_an_order_number_taken_after_preparing_is_skipped_not_doubled(sales, customer):
    importer = _importer(sales)
    prepared = importer.prepare(_batch(customer, ["B-1", "B-2", "B-3"], status="unpaid"))
    order_create(actor=sales, customer=customer, number="B-2", ordered_at=JUNE, channel="online",
                 lines=[OrderLineData(product_name="杯", quantity=1, unit_price="30")])
    with transaction.atomic():
        importer.write(prepared)

    assert Order.objects.filter(number="B-2").count() == 1
    assert set(Order.objects.values_list("number", flat=True)) == {"B-1", "B-2", "B-3"}
    assert set(Receivable.objects.filter(order__number__in=["B-1", "B-3"]).values_list("number", flat=True)) == {"B-1", "B-3"}
    assert importer.report.created == 2 and importer.report.skipped_existing == 1
    profile = ConsumptionProfile.objects.get(customer=customer)
    assert profile.order_count == 3 and profile.outstanding_balance > 0
    assert drift(profile, compute_profile(customer.pk)) == {}


@pytest.mark.django_db
def test_an_invoice_number_taken_after_preparing_is_reported(sales, customer):
    from kehu.sales.services import receivable_create

    importer = _importer(sales)
    prepared = importer.prepare(_batch(customer, ["C-1", "C-2"], status="unpaid"))
    receivable_create(actor=sales, customer=customer, number="C-2", amount="10", issued_on="2024-05-01",
                      due_on="2024-06-01")
    with transaction.atomic():
        importer.write(prepared)

    assert list(Order.objects.values_list("number", flat=True)) == ["C-1"]
    assert [(e.row, e.column) for e in importer.report.errors] == [(3, "order_number")]
    assert drift(ConsumptionProfile.objects.get(customer=customer), compute_profile(customer.pk)) == {}
