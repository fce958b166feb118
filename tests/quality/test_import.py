"""Imports: row-level reports, all-or-nothing vs skip-bad-rows, dry runs, re-imports, kills."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kehu.customers.models import Customer
from kehu.interactions.models import Interaction
from kehu.quality.importing.engine import ImportOptions, run_import
from kehu.quality.models import ImportRun
from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Payment, Receivable
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
ORDER_HEADER = ["customer_code", "order_number", "ordered_at", "amount", "currency", "channel", "category", "product", "quantity"]


def csv_bytes(header, rows) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def order_rows(code, count, bad=()):
    rows = []
    for i in range(count):
        row = [code, f"SO-{i:05d}", f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} 10:30", "99.50", "CNY", "store", "茶", "龙井", "1"]
        rows.append(row)
    for index, column, value in bad:
        rows[index][ORDER_HEADER.index(column)] = value
    return rows


def run(actor, kind, handle, name="file.csv", **options):
    return run_import(actor=actor, kind=kind, handle=handle, file_name=name, options=ImportOptions(**options))


BAD = ((10, "quantity", "-2"), (5000, "ordered_at", "31/31/2024"), (9998, "currency", "USD"))


def test_three_bad_rows_of_ten_thousand_all_or_nothing(sales, customer):
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 10_000, BAD)))
    assert sorted((e.row, e.column) for e in report.errors) == [(12, "quantity"), (5002, "ordered_at"), (10000, "currency")]
    assert not report.committed and Order.objects.count() == 0


def test_three_bad_rows_of_ten_thousand_skip_mode(sales, customer):
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 10_000, BAD)), skip_bad_rows=True)
    assert report.failed == 3 and report.created == 9_997
    assert Order.objects.count() == 9_997
    profile = ConsumptionProfile.objects.get(customer=customer)
    assert profile.order_count == 9_997 and str(profile.total_spend) == str(99.50 * 9_997) + "0"
    again = run(sales, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 10_000, BAD)), skip_bad_rows=True)
    assert again.created == 0 and again.skipped_existing == 9_997 and Order.objects.count() == 9_997


def test_a_bad_value_repeated_on_many_rows_is_reported_on_every_row(sales, customer):
    bad = tuple((index, "channel", "信鸽") for index in (3, 4, 7)) + ((8, "quantity", "-2"), (9, "quantity", "-2"))
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 10, bad)), skip_bad_rows=True)
    assert sorted((e.row, e.column) for e in report.errors) == [
        (5, "channel"), (6, "channel"), (9, "channel"), (10, "quantity"), (11, "quantity")]
    assert report.created == 5 and set(Order.objects.values_list("channel", flat=True)) == {"store"}


class Killed(Exception):
    pass


def test_killed_half_way_then_rerun_loses_and_duplicates_nothing(sales, customer):
    rows = order_rows(customer.number, 5_000)

    def kill_after_two_batches(done: int) -> None:
        if done >= 2_000:
            raise Killed

    with pytest.raises(Killed):
        run_import(actor=sales, kind="orders", handle=csv_bytes(ORDER_HEADER, rows), file_name="f.csv",
                   options=ImportOptions(skip_bad_rows=True, batch_size=1_000), progress=kill_after_two_batches)
    assert Order.objects.count() == 2_000
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), skip_bad_rows=True, batch_size=1_000)
    assert (report.created, report.skipped_existing) == (3_000, 2_000)
    assert Order.objects.count() == 5_000 == len(set(Order.objects.values_list("number", flat=True)))


def test_killed_all_or_nothing_leaves_nothing(sales, customer):
    def kill(done: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        run_import(actor=sales, kind="orders", handle=csv_bytes(ORDER_HEADER, order_rows(customer.number, 3_000)),
                   file_name="f.csv", options=ImportOptions(batch_size=1_000), progress=kill)
    assert Order.objects.count() == 0


def test_multi_line_orders_unpaid_receivable_and_dry_run(sales, customer):
    header = ORDER_HEADER + ["status", "unit_price"]
    rows = [
        [customer.number, "SO-1", "2024-05-01 09:00", "", "CNY", "Store", "茶", "龙井", "2", "unpaid", "100"],
        [customer.number, "SO-1", "2024-05-01 09:00", "30", "CNY", "store", "器具", "杯", "1", "unpaid", ""],
        [customer.number, "SO-2", "2024/05/02", "50", "", "online", "", "书", "", "", ""],
    ]
    dry = run(sales, "orders", csv_bytes(header, rows), dry_run=True)
    assert dry.ok and dry.created == 3 and not dry.committed and Order.objects.count() == 0
    report = run(sales, "orders", csv_bytes(header, rows))
    assert report.committed
    first = Order.objects.get(number="SO-1")
    assert (str(first.total), first.status, first.channel) == ("230.00", "unpaid", "store")
    assert Receivable.objects.get(order=first).amount == first.total
    assert OrderLine.objects.filter(order=first).count() == 2


def test_lines_must_agree_and_be_consecutive(sales, customer):
    rows = order_rows(customer.number, 3)
    rows[1][1] = "SO-00000"
    rows[1][5] = "online"
    rows.append(list(rows[0]))
    report = run(sales, "orders", csv_bytes(ORDER_HEADER, rows), skip_bad_rows=True)
    reasons = {(e.row, e.column) for e in report.errors}
    assert (3, "channel") in reasons and (5, "order_number") in reasons
    assert Order.objects.count() == 1  # SO-00002


def test_invisible_customer_is_unknown(outsider, customer):
    report = run(outsider, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 1)), skip_bad_rows=True)
    assert [(e.column, e.reason) for e in report.errors] == [("customer_code", "No customer with this code.")]
    assert Order.objects.count() == 0


def test_missing_columns_mapping_and_bad_files(sales, customer):
    report = run(sales, "orders", csv_bytes(["客户编号", "单号", "时间", "金额"], [[customer.number, "A1", "2024-01-01", "5"]]))
    assert "Missing column(s): customer_code, order_number, ordered_at" in report.fatal
    mapped = run(sales, "orders", csv_bytes(["客户编号", "单号", "时间", "金额"], [[customer.number, "A1", "2024-01-01", "5"]]),
                 mapping={"客户编号": "customer_code", "单号": "order_number", "时间": "ordered_at", "金额": "amount"})
    assert mapped.committed and Order.objects.filter(number="A1").exists()
    assert "empty" in run(sales, "orders", io.BytesIO(b""), "e.csv").fatal
    assert ".csv or .xlsx" in run(sales, "orders", io.BytesIO(b"x"), "e.pdf").fatal
    assert "XLSX" in run(sales, "orders", io.BytesIO(b"not a zip"), "e.xlsx").fatal
    assert ImportRun.objects.count() == 5


def test_gb18030_csv(sales, customer):
    text = "customer_code,order_number,ordered_at,amount,category\n" + f"{customer.number},GB-1,2024-01-01,10,茶叶\n"
    report = run(sales, "orders", io.BytesIO(text.encode("gb18030")))
    assert report.committed and OrderLine.objects.get().category == "茶叶"


def test_xlsx_customers_and_reimport(sales):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "phone", "email", "company", "birthday", "gender", "tags"])
    sheet.append(["C-1", "王小明", "person", "139 0013 9000", "wxm@example.com", "阿里巴巴", "1990-01-02", "Male", "VIP，老客户"])
    sheet.append([None, "李红", "", "13700137000", None, None, None, "female", None])
    sheet.append(["C-3", "坏电话", "", "12345", None, None, None, None, None])
    sheet.append(["C-4", "未来人", "", None, None, None, "2999-01-01", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(sales, "customers", io.BytesIO(buffer.getvalue()), "c.xlsx", skip_bad_rows=True)
    assert sorted((e.row, e.column) for e in report.errors) == [(4, "phone"), (5, "birthday")]
    wang = Customer.objects.get(number="C-1")
    assert wang.person.gender == "male" and sorted(wang.tags.values_list("name", flat=True)) == ["VIP", "老客户"]
    again = run(sales, "customers", io.BytesIO(buffer.getvalue()), "c.xlsx", skip_bad_rows=True)
    assert again.created == 0 and again.skipped_existing == 2
    assert Customer.objects.count() == 2


def test_payments_import(sales, customer):
    run(sales, "orders", csv_bytes(ORDER_HEADER + ["status"], [order_rows(customer.number, 1)[0] + ["unpaid"]]))
    header = ["customer_code", "received_at", "amount", "method", "reference"]
    rows = [[customer.number, "2024-06-01", "50", "WeChat Pay", "WX-1"], [customer.number, "2024-06-02", "500", "cash", "C-2"]]
    report = run(sales, "payments", csv_bytes(header, rows), skip_bad_rows=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "amount")]
    assert Payment.objects.get().method == "wechat_pay"
    assert run(sales, "payments", csv_bytes(header, rows[:1]), skip_bad_rows=True).skipped_existing == 1


def test_interactions_import_is_idempotent(sales, customer):
    header = ["customer_code", "occurred_at", "channel", "subject", "content", "outcome"]
    rows = [[customer.number, "2024-03-01 10:00", "Phone", "回访", "满意", "reached"],
            [customer.number, "2024-03-02 10:00", "wechat", "", "问价格", "interested"]]
    assert run(sales, "interactions", csv_bytes(header, rows)).created == 2
    assert run(sales, "interactions", csv_bytes(header, rows)).skipped_existing == 2
    assert Interaction.objects.count() == 2


def test_analyst_cannot_import(analyst, customer):
    report = run(analyst, "orders", csv_bytes(ORDER_HEADER, order_rows(customer.number, 1)))
    assert report.fatal and Order.objects.count() == 0


def test_command(tmp_path, admin, capsys):
    customer = make_person(admin)
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(ORDER_HEADER, order_rows(customer.number, 3)).getvalue())
    call_command("import", "orders", str(path), "--dry-run")
    assert "3 rows" in capsys.readouterr().out and Order.objects.count() == 0
    call_command("import", "orders", str(path))
    assert Order.objects.count() == 3
    with pytest.raises(CommandError, match="COLUMN=FIELD"):
        call_command("import", "orders", str(path), "--map", "oops")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import", "orders", str(tmp_path / "missing.csv"))
