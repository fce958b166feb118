"""Order, payment and communication imports in several worker processes (PostgreSQL, skip-bad-rows
mode); orders on SQLite in tests/quality/test_import_parallel_sqlite.py."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kehu.customers.models import Customer
from kehu.customers.services import ContactPointData
from kehu.interactions.models import Interaction
from kehu.quality.importing.parallel import share_of
from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Payment, Receivable
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
    customer_file = csv_bytes(["code", "name", "kind", "phone"], [["C-W1", "并行客户", "person", "13800138000"]])
    customers = run(sales, "customers", customer_file, workers=2, skip_bad_rows=True)
    assert "customers are imported by one process" in customers.fatal
    assert not Customer.objects.filter(number="C-W1").exists()
    if connection.vendor == "sqlite":
        payments = csv_bytes(["customer_code", "received_at", "amount", "reference"],
                             [[customer.number, "2024-05-02 10:00", "10", "R-W1"]])
        report = run(sales, "payments", payments, workers=2, skip_bad_rows=True)
        assert "On SQLite several workers import orders only" in report.fatal and Payment.objects.count() == 0
        # The suite's SQLite database is in memory, which a worker process cannot open.
        report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), workers=2, skip_bad_rows=True)
        assert "database file" in report.fatal and Order.objects.count() == 0
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


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_import_payments_with_their_allocations_and_balances(sales):
    customers = _customers_in_both_shares(sales)
    invoices = [[c.number, f"INV-{i}", "2024-05-01 10:00", "100", "CNY", "store", "茶", "龙井", "1", "unpaid"]
                for i, c in enumerate(customers)]
    assert run(sales, "orders", csv_bytes(ORDER_HEADER + ["status"], invoices)).committed
    header = ["customer_code", "received_at", "amount", "reference", "invoice_number"]
    rows = []
    for i, customer in enumerate(customers):
        rows.append([customer.number, "2024-06-01", "30", f"PAY-{i}-a", f"INV-{i}"])
        rows.append([customer.number, "2024-06-02", "20", f"PAY-{i}-b", f"INV-{i}"])
    rows.append([customers[1].number, "2024-06-03", "60", "PAY-1-c", "INV-1"])  # more than the 50 still owed
    rows.append([customers[2].number, "2024-06-03", "5", "PAY-2-a", "INV-2"])  # a reference already used

    report = run(sales, "payments", csv_bytes(header, rows), workers=2, skip_bad_rows=True, batch_size=3)

    assert not report.fatal and report.committed and report.rows == len(rows)
    assert [(e.row, e.column) for e in report.errors] == [(len(rows), "invoice_number")]
    assert report.created == 2 * len(customers) and report.skipped_existing == 1
    for i, customer in enumerate(customers):
        assert Receivable.objects.get(number=f"INV-{i}").paid_amount == 50
        assert ConsumptionProfile.objects.get(customer=customer).outstanding_balance == 50
        assert drift(ConsumptionProfile.objects.get(customer=customer), compute_profile(customer.id)) == {}

    again = run(sales, "payments", csv_bytes(header, rows[:-2]), workers=2, skip_bad_rows=True)
    assert again.created == 0 and again.skipped_existing == 2 * len(customers)
    assert Payment.objects.count() == 2 * len(customers)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_import_communications_once(sales):
    customers = _customers_in_both_shares(sales)
    header = ["customer_code", "occurred_at", "channel", "subject", "content", "external_id"]
    rows = [[c.number, f"2024-03-{j + 1:02d} 10:00", "phone", "回访", f"第{j}次", f"X-{i}-{j}" if j % 2 else ""]
            for i, c in enumerate(customers) for j in range(5)]
    rows[4][2] = "carrier pigeon"  # not a channel
    rows.append(["NO-SUCH-CUSTOMER", "2024-03-01 10:00", "phone", "", "", ""])

    report = run(sales, "interactions", csv_bytes(header, rows), workers=2, skip_bad_rows=True, batch_size=4)

    assert not report.fatal and report.committed
    assert [(e.row, e.column) for e in report.errors] == [(6, "channel"), (len(rows) + 1, "customer_code")]
    assert report.created == Interaction.objects.count() == len(rows) - 2
    for customer in customers:
        assert Interaction.objects.filter(customer=customer).count() == (4 if customer == customers[0] else 5)

    again = run(sales, "interactions", csv_bytes(header, rows), workers=2, skip_bad_rows=True, batch_size=4)
    assert again.created == 0 and again.skipped_existing == len(rows) - 2
    assert Interaction.objects.count() == len(rows) - 2
