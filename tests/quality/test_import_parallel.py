"""Order imports in several worker processes (PostgreSQL, skip-bad-rows mode)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kehu.customers.services import ContactPointData
from kehu.quality.importing.parallel import share_of
from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Payment
from kehu.sales.stats import compute_profile, drift
from tests.conftest import make_person
from tests.quality.test_import import ORDER_HEADER, csv_bytes, run

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="workers need PostgreSQL connections")


@pytest.mark.django_db
@pytest.mark.parametrize(("options", "reason"), [
    ({}, "skip-bad-rows"),
    ({"skip_bad_rows": True, "dry_run": True}, "dry run"),
])
def test_workers_refused_where_one_transaction_is_needed(sales, customer, options, reason):
    rows = [[customer.number, "W-1", "2024-05-01 10:00", "10", "CNY", "store", "茶", "龙井", "1"]]
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, **options)
    assert reason in report.fatal and not report.committed
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_workers_refused_for_other_kinds_and_on_sqlite(sales, customer, tmp_path):
    rows = [[customer.number, "W-1", "2024-05-01 10:00", "10", "CNY", "store", "茶", "龙井", "1"]]
    payment_file = csv_bytes(["customer_code", "amount", "received_at", "reference"], [[customer.number, "1", "2024-05-01", "R1"]])
    payments = run(sales, "payments", payment_file, workers=2, skip_bad_rows=True)
    assert "orders only" in payments.fatal and Payment.objects.count() == 0
    if connection.vendor == "sqlite":
        report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, skip_bad_rows=True)
        assert "PostgreSQL" in report.fatal and Order.objects.count() == 0
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(ORDER_HEADER, rows).getvalue())
    with pytest.raises(CommandError, match="--workers must be between 1 and 16"):
        call_command("import", "orders", str(path), "--skip-bad-rows", "--workers", "0", "--user", sales.username)


def _customers_in_both_shares(sales, count=6):
    customers = [make_person(sales, f"并行{i}", contact_points=[ContactPointData("mobile", f"1380013{i:04d}")])
                 for i in range(count)]
    shares = {share_of(c.number, 2) for c in customers}
    assert shares == {0, 1}, "the test needs customers in both shares"
    return customers


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_import_what_one_process_would(sales):
    customers = _customers_in_both_shares(sales)
    first, other = customers[0], next(c for c in customers if share_of(c.number, 2) != share_of(customers[0].number, 2))
    rows = []
    for i, customer in enumerate(customers):
        for j in range(40):
            when = f"2024-{j % 12 + 1:02d}-{j % 28 + 1:02d} {9 + j % 10}:15"
            rows.append([customer.number, f"P-{i}-{j}", when, f"{10 + j}.50", "CNY", "store", "茶", "龙井", "1"])
            if j % 5 == 0:  # a second line of the same order
                rows.append([customer.number, f"P-{i}-{j}", when, "3.00", "CNY", "store", "茶具", "杯", "2"])
    rows[7][8] = "-2"  # negative quantity
    rows[100][4] = "USD"  # wrong currency
    # `first`'s order number again, far down and for a customer of the other share
    rows.append([other.number, "P-0-3", "2024-06-01 10:00", "5", "CNY", "store", "茶", "龙井", "1"])
    bad_rows = {7 + 2, 100 + 2, len(rows) + 1}
    bad_orders_lines = {tuple(rows[7][:2]), tuple(rows[100][:2])}
    bad_line_count = sum(1 for r in rows[:-1] if tuple(r[:2]) in bad_orders_lines)

    report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, skip_bad_rows=True, batch_size=50)

    assert not report.fatal and report.committed
    assert report.rows == len(rows)
    failed_rows = {e.row for e in report.errors}
    assert bad_rows <= failed_rows and report.failed == bad_line_count + 1
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)
    repeated = [e for e in report.errors if e.row == len(rows) + 1]
    assert repeated[0].reason == "The lines of one order must be on consecutive rows."
    assert report.created == len(rows) - report.failed == OrderLine.objects.count()
    assert Order.objects.get(number="P-0-3").customer_id == first.id
    for customer in customers:
        assert drift(ConsumptionProfile.objects.get(customer=customer), compute_profile(customer.id)) == {}

    again = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, skip_bad_rows=True, batch_size=50)
    assert again.created == 0 and again.skipped_existing == report.created
    assert OrderLine.objects.count() == report.created


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failing_worker_is_reported_and_the_other_share_is_kept(sales, monkeypatch):
    from kehu.quality.importing.orders import OrderImporter

    customers = _customers_in_both_shares(sales)
    broken_share = share_of(customers[0].number, 2)
    process = OrderImporter.process

    def process_or_fail(self, batch):
        if any(share_of(row["customer_code"], 2) == broken_share for _n, row in batch):
            raise RuntimeError("disk full")
        process(self, batch)

    monkeypatch.setattr(OrderImporter, "process", process_or_fail)  # the forked workers inherit it
    rows = [[c.number, f"F-{i}", "2024-05-01 10:00", "10", "CNY", "store", "茶", "龙井", "1"] for i, c in enumerate(customers)]
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, skip_bad_rows=True)
    assert "An import worker stopped (RuntimeError: disk full)" in report.fatal
    kept = {c.id for c in customers if share_of(c.number, 2) != broken_share}
    assert set(Order.objects.values_list("customer_id", flat=True)) == kept
