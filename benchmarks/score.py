"""`kehu score` over the whole base — time and peak memory — beside DuckDB's RFM on the same data.

    python benchmarks/score.py [--database-url postgres://…] [--as-of 2026-12-01] [--runs 1]

Run after `generate.py` and `generate_activity.py`. It runs `kehu score` in a child process
(so its peak resident memory can be read off on its own) and then, as the reference, the
same RFM aggregate — per customer: last purchase, orders and net spend over all history
and in the 365-day window, from the non-void orders before the cut-off, then tie-consistent
1–5 scores by PERCENT_RANK — in DuckDB over the same orders held in memory (reading them
out of kehu's database is timed apart, and not counted in the reference). The ratio of the
two is the figure: DESIGN.md §6 asks ≤ 60 s on SQLite and ≤ 30 s on PostgreSQL for 1M
customers / 10M orders, where DuckDB takes about 1.3 s. Results go to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS_DIR, add_database_arguments, database_label, machine, setup_django  # noqa: E402

BUDGETS_S = {"sqlite": 60.0, "postgresql": 30.0}
FETCH_CHUNK = 200_000

# The reference: kehu's RFM figures and scores, as one DuckDB statement.
RFM_SQL = """
WITH valid AS (
    SELECT customer_id, day, net FROM orders WHERE NOT void AND day < $cutoff
), figures AS (
    SELECT customer_id,
           $cutoff - max(day) AS recency_days,
           count(*) FILTER (WHERE day >= $window_start) AS frequency,
           coalesce(sum(net) FILTER (WHERE day >= $window_start), 0) AS monetary,
           count(*) AS orders, sum(net) AS spend
    FROM valid GROUP BY customer_id
)
SELECT customer_id, recency_days, frequency, monetary, orders, spend,
       1 + least(4, floor(5 * percent_rank() OVER (ORDER BY recency_days DESC))) AS r_score,
       1 + least(4, floor(5 * percent_rank() OVER (ORDER BY frequency))) AS f_score,
       1 + least(4, floor(5 * percent_rank() OVER (ORDER BY monetary))) AS m_score
FROM figures
"""


def read_orders() -> tuple[dict[str, np.ndarray], float]:
    """(customer_id, epoch days, net amount, void) of every order, and the seconds it took."""
    from django.db import connection

    from kehu.sales.choices import VOID_ORDER_STATUSES

    started = time.monotonic()
    void = tuple(sorted(VOID_ORDER_STATUSES))
    if connection.vendor == "postgresql":
        at = "EXTRACT(EPOCH FROM ordered_at) / 86400.0"
    else:
        at = "(julianday(ordered_at) - 2440587.5)"
    marks = ", ".join(["%s"] * len(void))
    sql = (f"SELECT customer_id, {at}, CAST(total - refunded_amount AS REAL), status IN ({marks}) "  # noqa: S608
           "FROM sales_order")
    parts: list[np.ndarray] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, void)
        while rows := cursor.fetchmany(FETCH_CHUNK):
            parts.append(np.array(rows, dtype="float64"))
    table = np.concatenate(parts) if parts else np.zeros((0, 4))
    orders = {
        "customer_id": table[:, 0].astype("int64"), "day": table[:, 1], "net": table[:, 2],
        "void": table[:, 3].astype(bool),
    }
    return orders, time.monotonic() - started


def duckdb_rfm(orders: dict[str, np.ndarray], as_of: datetime.date, rounds: int) -> dict[str, object]:
    import duckdb

    cutoff = (datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()) -
              datetime.datetime(1970, 1, 1)).total_seconds() / 86400
    con = duckdb.connect()
    con.register("orders", orders)
    times, rows = [], 0
    for _ in range(rounds):
        started = time.monotonic()
        rows = len(con.execute(RFM_SQL, {"cutoff": cutoff, "window_start": cutoff - 365}).fetchall())
        times.append(time.monotonic() - started)
    return {"seconds": round(min(times), 3), "all_seconds": [round(t, 3) for t in times], "customers_scored": rows,
            "duckdb": duckdb.__version__}


def run_kehu_score(as_of: datetime.date) -> dict[str, object]:
    """`kehu score --as-of` in a child process: wall time, peak RSS, and what it printed."""
    env = dict(os.environ)
    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "kehu", "score", "--as-of", as_of.isoformat()],
        env=env, capture_output=True, text=True, check=False,
    )
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        raise SystemExit(f"kehu score failed:\n{completed.stderr[-3000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(elapsed, 1), "peak_rss_mb": round(peak_kb / 1024), "output": completed.stdout.strip()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--reference-rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None)
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    setup_django(args)

    from django.db import connection

    from kehu.customers.models import Customer
    from kehu.insights.models import ScoringRun

    as_of = args.as_of or datetime.date.today()
    vendor = connection.vendor
    orders, read_seconds = read_orders()
    reference = duckdb_rfm(orders, as_of, args.reference_rounds)
    print(f"DuckDB reference: {reference['seconds']} s for {len(orders['day']):,} orders", file=sys.stderr)
    connection.close()
    kehu = run_kehu_score(as_of)
    run = ScoringRun.objects.get(as_of=as_of)
    kehu["run_duration_seconds"] = round(run.duration_seconds or 0, 1)
    kehu["stage_seconds"] = (run.diagnostics or {}).get("seconds", {})
    kehu["customers_scored"] = run.counts.get("customers")
    report = {
        "benchmark": "score", "database": database_label(), "machine": machine(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
        "data": {"customers": Customer.objects.count(), "orders": int(len(orders["day"]))},
        "budget_seconds": BUDGETS_S.get(vendor), "kehu_score": kehu, "duckdb_rfm_reference": reference,
        "reading_orders_out_seconds": round(read_seconds, 1),
        # Wall time includes starting Python and Django; the run's own duration does not.
        "ratio_kehu_to_duckdb": round(kehu["seconds"] / max(reference["seconds"], 1e-3), 1),
        "ratio_run_to_duckdb": round(kehu["run_duration_seconds"] / max(reference["seconds"], 1e-3), 1),
        "within_budget": kehu["seconds"] <= BUDGETS_S.get(vendor, float("inf")),
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    output = args.output or RESULTS_DIR / f"score-{datetime.date.today():%Y%m%d}-{vendor}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
