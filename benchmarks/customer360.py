"""Customer 360 page and API latency, beside same-run reference queries.

    python benchmarks/customer360.py [--database-url postgres://…] [--requests 200]

Run after `generate.py` and `generate_activity.py`. For an administrator and a salesperson
it requests, through the whole Django stack (middleware, sessions, audit of the view,
templates), the customer page `/customers/<id>/`, the API detail `/api/customers/<id>`
and the first timeline page `/api/customers/<id>/timeline` of random customers the viewer
may see, and the same three for the customer with the longest history (generated with
`--heavy-events`), which must open as fast as the others. Each request's time is put
beside a primary-key lookup and an indexed 50-row SELECT timed right after it, and the
number of queries per request is recorded (it must not grow with the history).
Budget (DESIGN.md §6): p95 ≤ 100 ms. Results go to benchmarks/results/*.json.
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
from benchmarks.search import References, summarise, timed  # noqa: E402

BUDGET_MS = 100.0
ROUTES = {
    "page": "/customers/{id}/",
    "api_detail": "/api/customers/{id}",
    "api_timeline": "/api/customers/{id}/timeline",
}


def _enrol_two_factor(user) -> None:
    """Administrators must use two-factor sign-in, or every page sends them to enrol."""
    import pyotp

    from kehu.accounts.two_factor import enabled, two_factor_begin, two_factor_confirm

    if not enabled(user):
        device = two_factor_begin(actor=user)
        two_factor_confirm(actor=user, code=pyotp.TOTP(device.secret).now())


def _viewers():
    from kehu.accounts.models import Role, User
    from kehu.cli.staff import ensure_user

    admin = ensure_user("bench.admin", role=Role.ADMINISTRATOR, usable_password=False).user
    _enrol_two_factor(admin)
    sales = User.objects.filter(role=Role.SALES, is_active=True, team__isnull=False).order_by("username").first()
    return {"administrator": admin, **({"salesperson": sales} if sales else {})}


def _sample_ids(viewer, count: int, rng: random.Random) -> list[int]:
    """Random customers this viewer may see, drawn by id range (no ORDER BY random())."""
    from kehu.customers.selectors import visible_to

    visible = visible_to(viewer)
    bounds = visible.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        raise SystemExit("No customers: run benchmarks/generate.py and generate_activity.py first.")
    ids: list[int] = []
    for _ in range(count * 20):
        found = visible.filter(pk__gte=rng.randint(low, high)).order_by("pk").values_list("pk", flat=True).first()
        if found is not None:
            ids.append(found)
        if len(ids) >= count:
            break
    return ids


def _heavy_id() -> int | None:
    from benchmarks.generate_activity import HEAVY_CUSTOMER_NAME
    from kehu.customers.models import Customer

    return Customer.objects.filter(name=HEAVY_CUSTOMER_NAME).values_list("pk", flat=True).first()


def _request(client, path: str) -> tuple[float, float, int, int]:
    """(ms, CPU ms of this process, status, queries) of one GET.

    The CPU time leaves out waiting for a core on a loaded machine (and, on PostgreSQL,
    the server's own work): beside the wall time it tells the two apart."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        elapsed, response = timed(lambda: client.get(path))
    return elapsed, (time.process_time() - cpu) * 1000, response.status_code, len(queries)


def measure(viewer, ids: list[int], references: References) -> dict[str, object]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    out: dict[str, object] = {}
    for route, pattern in ROUTES.items():
        times, cpu_times, ratios, query_counts, failures = [], [], [], [], 0
        client.get(pattern.format(id=ids[0]))  # warm templates and caches
        for customer_id in ids:
            elapsed, cpu, status, queries = _request(client, pattern.format(id=customer_id))
            if status != 200:
                failures += 1
                continue
            reference = references.measure()[1]
            times.append(elapsed)
            cpu_times.append(cpu)
            ratios.append(elapsed / max(reference, 1e-3))
            query_counts.append(queries)
        if not times:
            raise SystemExit(f"{route}: every request failed")
        out[route] = {
            **summarise(times), "cpu_p50_ms": round(sorted(cpu_times)[len(cpu_times) // 2], 2),
            "cpu_p95_ms": summarise(cpu_times)["p95_ms"], "ratio_to_indexed_select_50_p50": round(sorted(ratios)[len(ratios) // 2], 1),
            "queries_min": min(query_counts), "queries_max": max(query_counts), "failures": failures,
            "within_budget": summarise(times)["p95_ms"] <= BUDGET_MS,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="customers per viewer and route")
    parser.add_argument("--heavy-requests", type=int, default=30, help="requests for the longest history")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    setup_django(args)

    from kehu.interactions.models import Interaction
    from kehu.sales.models import Order

    rng = random.Random(args.seed)
    references = References(rng)
    heavy = _heavy_id()
    results: dict[str, object] = {}
    for label, viewer in _viewers().items():
        ids = _sample_ids(viewer, args.requests, rng)
        results[label] = {"random_customers": measure(viewer, ids, references)}
        print(f"{label}: random customers done", file=sys.stderr)
        if heavy is not None and label == "administrator":
            results[label]["longest_history"] = measure(viewer, [heavy] * args.heavy_requests, references)
    events = None
    if heavy is not None:
        events = Order.objects.filter(customer_id=heavy).count() + Interaction.objects.filter(customer_id=heavy).count()
    report = {
        "benchmark": "customer360", "database": database_label(), "machine": machine(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "budget_p95_ms": BUDGET_MS,
        "data": _data_size(), "longest_history_events": events,
        "references": references.summary(100), "results": results,
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    output = args.output or RESULTS_DIR / f"customer360-{datetime.date.today():%Y%m%d}-{report['database'].split()[0]}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    return 0


def _data_size() -> dict[str, int]:
    from kehu.customers.models import Customer
    from kehu.interactions.models import Interaction
    from kehu.sales.models import Order

    return {
        "customers": Customer.objects.count(), "orders": Order.objects.count(),
        "interactions": Interaction.objects.count(),
    }


if __name__ == "__main__":
    raise SystemExit(main())
