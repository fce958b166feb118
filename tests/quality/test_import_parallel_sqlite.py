"""`kehu import orders --workers 2` on the embedded SQLite database, end to end.

The test database of the rest of the suite lives in memory, which a worker process cannot
open; this test runs the `kehu` command in a data directory of its own, as an operator would.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import zlib

import pytest
from django.db import connection

from tests.quality.test_import import ORDER_HEADER

CUSTOMERS = 8
# It makes its own SQLite database whichever the suite runs on: once is enough.
pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the suite's SQLite run covers it")


def _kehu(data_dir, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KEHU_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(KEHU_DATA_DIR=str(data_dir), KEHU_LANGUAGE="en")
    return subprocess.run([sys.executable, "-m", "kehu", *args], env=env, capture_output=True, text=True, timeout=300,  # noqa: S603 - our own command
                          check=False)


def _write_csv(path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_two_workers_on_sqlite_import_what_one_process_would(tmp_path):
    data = tmp_path / "data"
    assert _kehu(data, "migrate", "--verbosity", "0").returncode == 0
    created = _kehu(data, "shell", "-c", "from kehu.accounts.models import Role, User; "
                    "User.objects.create_user(username='boss', password=None, role=Role.ADMINISTRATOR)")
    assert created.returncode == 0, created.stderr
    codes = [f"SQ{i:03d}" for i in range(CUSTOMERS)]
    assert {zlib.crc32(code.encode()) % 2 for code in codes} == {0, 1}, "the test needs customers in both shares"
    people = tmp_path / "customers.csv"
    _write_csv(people, ["code", "name", "kind", "phone"],
               [[code, f"并行客户{i}", "person", f"1390013{i:04d}"] for i, code in enumerate(codes)])
    assert _kehu(data, "import", "customers", str(people), "--user", "boss").returncode == 0

    rows = []
    for i, code in enumerate(codes):
        for j in range(60):
            when = f"2024-{j % 12 + 1:02d}-{j % 28 + 1:02d} {9 + j % 10}:15"
            rows.append([code, f"S-{i}-{j}", when, f"{10 + j}.50", "CNY", "store", "茶", "龙井", "1"])
            if j % 4 == 0:  # a second line of the same order
                rows.append([code, f"S-{i}-{j}", when, "3.00", "CNY", "store", "茶具", "杯", "2"])
    rows[5][8] = "-1"  # negative quantity (row 7 of the file)
    rows[200][2] = "not a date"  # row 202
    rows.append([codes[1], "S-0-3", "2024-06-01 10:00", "5", "CNY", "store", "茶", "龙井", "1"])  # a number used above
    orders_file = tmp_path / "orders.csv"
    _write_csv(orders_file, ORDER_HEADER, rows)
    bad_rows = {7, 202, len(rows) + 1}

    first = _kehu(data, "import", "orders", str(orders_file), "--skip-bad-rows", "--workers", "2",
                  "--batch-size", "40", "--user", "boss")
    assert first.returncode == 0, first.stdout + first.stderr
    reported = {int(line.split("\t")[0].removeprefix("row ")) for line in first.stdout.splitlines()
                if line.startswith("row ")}
    assert bad_rows <= reported, first.stdout
    assert "The lines of one order must be on consecutive rows." in first.stdout

    database = sqlite3.connect(data / "kehu.sqlite3")
    lines = database.execute("SELECT count(*) FROM sales_orderline").fetchone()[0]
    # everything but the two bad orders (a line each, and their order-mates) and the repeat
    bad_orders = {tuple(rows[5][:2]), tuple(rows[200][:2])}
    expected_lines = sum(1 for r in rows[:-1] if tuple(r[:2]) not in bad_orders)
    assert lines == expected_lines
    owner = database.execute(
        "SELECT c.number FROM sales_order o JOIN customers_customer c ON c.id = o.customer_id WHERE o.number = 'S-0-3'"
    ).fetchone()[0]
    assert owner == codes[0]
    database.close()

    # Every stored profile equals a fresh computation from the rows.
    check = _kehu(data, "recompute-profiles", "--check")
    assert check.returncode == 0 and " 0 found drifted" in check.stdout, check.stdout + check.stderr

    again = _kehu(data, "import", "orders", str(orders_file), "--skip-bad-rows", "--workers", "2",
                  "--batch-size", "40", "--user", "boss")
    assert again.returncode == 0, again.stdout + again.stderr
    database = sqlite3.connect(data / "kehu.sqlite3")
    assert database.execute("SELECT count(*) FROM sales_orderline").fetchone()[0] == expected_lines, again.stdout
    database.close()
