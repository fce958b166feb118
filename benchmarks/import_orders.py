"""Order import throughput against the raw insert rate of the same database.

    python benchmarks/import_orders.py --rows 100000 [--customers 20000] [--database-url postgres://…]

Writes an orders CSV (one line per row, orders spread over the customers already in the
database; creates --customers of them with the bulk loader if there are fewer), imports
it with `kehu.quality.importing` in skip-bad-rows mode (the mode that commits per batch),
and, in the same run, inserts the same number of order rows with a plain executemany
into a scratch copy of the order table — the reference. The ratio is the figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS_DIR, add_database_arguments, database_label, machine, setup_django  # noqa: E402

HEADER = ["customer_code", "order_number", "ordered_at", "amount", "currency", "channel", "category", "product", "quantity"]
CATEGORIES = ["茶叶", "茶具", "礼盒", "零食", "图书", "服装"]
CHANNELS = ["store", "online", "phone", "sales_visit", "distributor"]


def orders_csv(codes: list[str], rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    stamp = f"{time.time_ns():x}"
    for i in range(rows):
        day = rng.randrange(1, 3 * 365)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.time() - day * 86400 - rng.randrange(86400)))
        writer.writerow([rng.choice(codes), f"BI{stamp}-{i}", when, f"{rng.randrange(10, 5000)}.{rng.randrange(100):02d}",
                         "CNY", rng.choice(CHANNELS), rng.choice(CATEGORIES), "商品", str(rng.randrange(1, 4))])
    return out.getvalue().encode()


def raw_insert_rate(rows: int) -> float:
    """Rows/s of a bare executemany of order-shaped rows into an empty scratch table."""
    from django.db import connection, transaction

    columns = "customer_id integer, number varchar(64), ordered_at timestamp, total numeric(14,2), channel varchar(12)"
    data = [(1, f"R{i}", "2025-01-01 10:00:00", "99.50", "store") for i in range(rows)]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_orders")
        cursor.execute(f"CREATE TABLE bench_raw_orders ({columns})")
    mark = "%s" if connection.vendor == "postgresql" else "?"
    sql = f"INSERT INTO bench_raw_orders VALUES ({', '.join([mark] * 5)})"  # noqa: S608
    started = time.monotonic()
    with transaction.atomic():
        cursor = connection.connection.cursor()
        for start in range(0, rows, 2000):
            cursor.executemany(sql, data[start : start + 2000])
        cursor.close()
    elapsed = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_orders")
    return rows / elapsed


def cpu_seconds() -> float:
    """This process's CPU time and that of its finished children (the import's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=1, help="import worker processes (orders: PostgreSQL or a SQLite file)")
    parser.add_argument("--profile", action="store_true", help="print where the import spends its time (cProfile)")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.customers < 1:
        parser.error("--rows and --customers must be positive")
    setup_django(args)

    from django.core.management import call_command

    from kehu.accounts.models import Role, User
    from kehu.cli import bulk
    from kehu.customers.models import Customer
    from kehu.quality.importing.engine import ImportOptions, run_import

    call_command("migrate", verbosity=0)
    admin = User.objects.filter(username="bench-importer").first() or User.objects.create_user(
        username="bench-importer", password=None, role=Role.ADMINISTRATOR)
    have = Customer.objects.count()
    if have < args.customers:
        bulk.load(count=args.customers - have, seed=args.seed, owners=[], pool_share=1.0, workers=1)
    # The same customers for the same seed, so runs that differ in one setting compare.
    numbers = sorted(Customer.objects.values_list("number", flat=True))
    codes = random.Random(args.seed).sample(numbers, min(args.customers, len(numbers)))
    payload = orders_csv(codes, args.rows, args.seed)

    reference = raw_insert_rate(args.rows)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu_started = time.monotonic(), cpu_seconds()
    report = run_import(actor=admin, kind="orders", handle=io.BytesIO(payload), file_name="bench.csv",
                        options=ImportOptions(skip_bad_rows=True, batch_size=2000, workers=args.workers))
    elapsed, cpu = time.monotonic() - started, cpu_seconds() - cpu_started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    if report.failed or report.fatal:
        print(f"import reported problems: {report.fatal or report.errors[:3]}", file=sys.stderr)
        return 1
    rate = report.created / elapsed
    summary = {
        "rows": report.created, "customers": len(codes), "workers": args.workers, "import_seconds": round(elapsed, 2),
        "import_rows_per_second": round(rate),
        # kehu's own CPU time (not the database server's): the figure a busy machine disturbs least.
        "import_cpu_seconds": round(cpu, 2), "import_rows_per_cpu_second": round(report.created / cpu),
        "raw_insert_rows_per_second": round(reference),
        "ratio_import_to_raw": round(rate / reference, 4), "budget_rows_per_second": 10_000,
        "database": database_label(), "machine": machine(),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    output = args.output or RESULTS_DIR / f"import-orders-{'postgres' if args.database_url else 'sqlite'}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
