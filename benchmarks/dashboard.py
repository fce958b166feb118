"""Insights dashboard latency — page and API — beside same-run reference queries.

    python benchmarks/dashboard.py [--database-url postgres://…] [--requests 30]

Run after `generate.py`, `generate_activity.py` and `kehu score` (twice, on two dates, so the
tier movement has a previous run to compare with; the tiers must be defined first). For an
administrator and a salesperson it requests, through the whole Django stack, the page
`/insights/dashboard/` and `GET /api/insights/dashboard`, and times the figures alone
(`dashboard_of`, no rendering). Each time is put beside two references timed right after it:
an indexed 50-row SELECT, and `SELECT COUNT(*)` over the current run's snapshots — the least
any figure over the whole run can cost — so the ratio says how many "passes" the dashboard
costs whatever the machine's load. The number of queries per request is recorded (it must
not grow with the archive). Budget: p95 ≤ 500 ms at 1,000,000 customers on SQLite.
Results go to benchmarks/results/*.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS_DIR, add_database_arguments, database_label, machine, setup_django  # noqa: E402
from benchmarks.customer360 import _viewers  # noqa: E402
from benchmarks.search import References, summarise, timed  # noqa: E402

BUDGET_MS = 500.0
ROUTES = {"page": "/insights/dashboard/", "api": "/api/insights/dashboard"}


def _count_snapshots(as_of: datetime.date) -> float:
    from kehu.insights.models import CustomerScore

    return timed(lambda: CustomerScore.objects.filter(as_of=as_of).count())[0]


def _one(action, references: References, as_of: datetime.date) -> tuple[float, float, float, int]:
    """(ms, CPU ms, ratio to COUNT(*) over the run, queries) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        elapsed, _ = timed(action)
    cpu_ms = (time.process_time() - cpu) * 1000
    references.measure()
    return elapsed, cpu_ms, elapsed / max(_count_snapshots(as_of), 1e-3), len(queries)


def measure(viewer, requests: int, references: References, run) -> dict[str, object]:
    from django.test import Client

    from kehu.insights.dashboard import dashboard_of

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    actions = {
        "figures": lambda: dashboard_of(viewer=viewer, run=run),
        **{route: (lambda path=path: _ok(client.get(path))) for route, path in ROUTES.items()},
    }
    out: dict[str, object] = {}
    for name, action in actions.items():
        action()  # warm templates, caches and the database's pages
        samples = [_one(action, references, run.as_of) for _ in range(requests)]
        times = [s[0] for s in samples]
        out[name] = {
            **summarise(times), "cpu_p50_ms": round(sorted(s[1] for s in samples)[len(samples) // 2], 2),
            "ratio_to_count_run_p50": round(sorted(s[2] for s in samples)[len(samples) // 2], 2),
            "queries_min": min(s[3] for s in samples), "queries_max": max(s[3] for s in samples),
            "within_budget": summarise(times)["p95_ms"] <= BUDGET_MS,
        }
    out["customers_counted"] = dashboard_of(viewer=viewer, run=run).customers
    return out


def _ok(response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"dashboard answered {response.status_code}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=30, help="requests per viewer and route")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    setup_django(args)

    from kehu.customers.models import Customer
    from kehu.insights.models import CustomerScore, TierChange
    from kehu.insights.selectors import current_run

    run = current_run()
    if run is None:
        raise SystemExit("No scoring run: run `kehu score` (after generate.py and generate_activity.py) first.")
    references = References(random.Random(args.seed))
    results: dict[str, object] = {}
    for label, viewer in _viewers().items():
        results[label] = measure(viewer, args.requests, references, run)
        print(f"{label}: done", file=sys.stderr)
    counts = [_count_snapshots(run.as_of) for _ in range(max(args.requests, 10))]
    report = {
        "benchmark": "dashboard", "database": database_label(), "machine": machine(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "budget_p95_ms": BUDGET_MS,
        "data": {"customers": Customer.objects.count(), "snapshots_in_run": CustomerScore.objects.filter(
            as_of=run.as_of).count(), "tier_changes_in_run": TierChange.objects.filter(as_of=run.as_of).count(),
            "as_of": run.as_of.isoformat()},
        "references": {**references.summary(100), "count_run_snapshots": summarise(counts)},
        "results": results,
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    output = args.output or RESULTS_DIR / f"dashboard-{datetime.date.today():%Y%m%d}-{report['database'].split()[0]}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
