"""Customer search latency through `customer_list`, beside same-run reference queries.

    python benchmarks/search.py [--database-url postgres://…] [--queries 300]

For each query type and for two viewers (an administrator, who sees everyone, and a
salesperson, who sees their team's customers and the pool) it times what a list page
does: the first page (50 rows) plus a capped count. Reference timings from the same run —
a primary-key lookup and a plain indexed SELECT of 50 rows — give the ratio, which says
more than an absolute time on a noisy machine. Results go to benchmarks/results/*.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS_DIR, add_database_arguments, database_label, machine, setup_django  # noqa: E402

BUDGET_MS = 50.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(times_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(times_ms, 0.50), 2), "p95_ms": round(percentile(times_ms, 0.95), 2),
        "p99_ms": round(percentile(times_ms, 0.99), 2), "max_ms": round(max(times_ms), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2), "n": len(times_ms),
    }


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def _viewers():
    from kehu.accounts.models import Role, User
    from kehu.cli.staff import ensure_user

    admin = ensure_user("bench.admin", role=Role.ADMINISTRATOR, usable_password=False).user
    sales = User.objects.filter(role=Role.SALES, is_active=True, team__isnull=False).order_by("username").first()
    viewers = {"administrator": admin}
    if sales is not None:
        viewers["salesperson"] = sales
    return viewers


def _samples(count: int, rng: random.Random):
    from benchmarks.queries import Sample
    from kehu.customers.models import Customer

    bounds = Customer.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        raise SystemExit("No customers: run benchmarks/generate.py first.")
    ids = {rng.randint(low, high) for _ in range(count * 3)}
    rows = (
        Customer.objects.filter(pk__in=ids).select_related("person", "organization").prefetch_related("contact_points")
    )
    samples = []
    for customer in rows:
        points = list(customer.contact_points.all())
        if customer.is_person:
            company = customer.person.employer if hasattr(customer, "person") else ""
        else:
            company = customer.name
        samples.append(Sample(
            name=customer.name, person=customer.is_person,
            phones=[p.value for p in points if p.type in ("mobile", "phone")],
            emails=[p.value for p in points if p.type == "email"], company=company,
        ))
    rng.shuffle(samples)
    return samples


class References:
    """Reference queries, timed next to the searches so both see the same machine load."""

    def __init__(self, rng: random.Random) -> None:
        from kehu.customers.models import Customer

        self.model = Customer
        bounds = Customer.objects.order_by("id").values_list("id", flat=True)
        self.low, self.high = bounds.first(), bounds.last()
        self.rng = rng

    def measure(self) -> tuple[float, float]:
        """(primary-key lookup, indexed SELECT of 50 rows) in ms."""
        pk = self.rng.randint(self.low, self.high)
        lookup = timed(lambda: self.model.objects.filter(pk=pk).first())[0]
        page = timed(lambda: list(self.model.objects.filter(pk__gte=pk).order_by("id")[:50]))[0]
        return lookup, page

    def summary(self, rounds: int) -> dict[str, dict[str, float]]:
        pairs = [self.measure() for _ in range(rounds)]
        return {"pk_lookup": summarise([p[0] for p in pairs]), "indexed_select_50": summarise([p[1] for p in pairs])}


def run_search(viewer, query: str, page: int, cap: int) -> tuple[float, int]:
    from kehu.customers.selectors import CustomerFilters, customer_list, read_counted_page, read_rows

    def action() -> int:
        # What GET /api/customers?q=… does: the page (one row more, to know whether another
        # follows) and the count up to the cap, read together (read_counted_page).
        customers = customer_list(viewer=viewer, filters=CustomerFilters(query=query))
        if not cap:
            read_rows(customers, 0, page + 1)
            return customers.count()
        return read_counted_page(customers, 0, page + 1, cap)[1]

    elapsed, matches = timed(action)
    return elapsed, int(matches)  # type: ignore[arg-type]


def explain(viewer, query: str) -> str:
    from kehu.customers.selectors import CustomerFilters, customer_list

    return customer_list(viewer=viewer, filters=CustomerFilters(query=query))[:50].explain()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=300, help="queries per type and viewer (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument(
        "--count-cap", type=int, default=1000,
        help="count matches up to this many (default 1000, as the list page; 0 = exact count, as the API)",
    )
    parser.add_argument("--types", default="", help="comma-separated query types (default: all)")
    parser.add_argument("--explain", action="store_true", help="print the plan of the slowest query of each type")
    parser.add_argument("--output", type=Path, default=None, help="JSON file (default: benchmarks/results/…)")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    setup_django(args)

    from django.core.management import call_command
    from django.db import connection

    from benchmarks.queries import QUERY_TYPES, build_queries
    from kehu.customers.models import Customer, SearchTerm

    # A data set generated by an older kehu must first get the newer columns.
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    types = [t for t in args.types.split(",") if t] or list(QUERY_TYPES)
    unknown = set(types) - set(QUERY_TYPES)
    if unknown:
        parser.error(f"unknown query types: {', '.join(sorted(unknown))}; known: {', '.join(QUERY_TYPES)}")
    viewers = _viewers()
    queries = build_queries(_samples(args.queries, rng), args.queries, rng)
    size = {"customers": Customer.objects.count(), "search_terms": SearchTerm.objects.count()}
    print(f"database: {database_label()}; {size['customers']:,} customers, {size['search_terms']:,} search terms")

    # Warm caches and connections so the first timed query is not an outlier by accident.
    reference = References(rng)
    reference.summary(50)
    for viewer in viewers.values():
        for kind in types:
            for query in queries[kind][:5]:
                run_search(viewer, query, args.page, args.count_cap)

    refs = reference.summary(max(args.queries, 100))
    print(
        f"reference: pk lookup p95 {refs['pk_lookup']['p95_ms']} ms; indexed SELECT of 50 rows p95 "
        f"{refs['indexed_select_50']['p95_ms']} ms (and again beside every search below)"
    )
    print(f"{'type':<16} {'viewer':<14} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'ref p95':>8} {'×ref95':>7} {'matches':>8}")
    results = []
    for kind in types:
        for viewer_name, viewer in viewers.items():
            times, matches, slowest, beside = [], [], ("", -1.0), []
            for query in queries[kind]:
                beside.append(reference.measure()[1])
                elapsed, count = run_search(viewer, query, args.page, args.count_cap)
                times.append(elapsed)
                matches.append(count)
                slowest = max(slowest, (query, elapsed), key=lambda pair: pair[1])
            if not times:
                continue
            summary = summarise(times)
            reference_p95 = summarise(beside)["p95_ms"]
            ratio = round(summary["p95_ms"] / reference_p95, 1) if reference_p95 else None
            flag = "  OVER BUDGET" if summary["p95_ms"] > BUDGET_MS else ""
            print(
                f"{kind:<16} {viewer_name:<14} {summary['p50_ms']:>8} {summary['p95_ms']:>8} {summary['p99_ms']:>8} "
                f"{summary['max_ms']:>8} {reference_p95:>8} {ratio:>7} {statistics.median(matches):>8.0f}{flag}"
            )
            results.append({
                "type": kind, "viewer": viewer_name, **summary, "reference_select_50_p95_ms": reference_p95,
                "ratio_p95_to_reference_p95": ratio, "median_matches": statistics.median(matches),
                "slowest_query": slowest[0], "examples": queries[kind][:3],
            })
            if args.explain:
                print(f"  plan of slowest {slowest[0]!r}:\n    " + explain(viewer, slowest[0]).replace("\n", "\n    "))

    report = {
        "benchmark": "customer_search", "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database_label(), "vendor": connection.vendor, "data": size, "machine": machine(),
        "settings": {"queries_per_type": args.queries, "page": args.page, "count_cap": args.count_cap, "seed": args.seed},
        "budget_p95_ms": BUDGET_MS, "reference": refs, "results": results,
        "over_budget": [f"{r['type']}/{r['viewer']}" for r in results if r["p95_ms"] > BUDGET_MS],
    }
    output = args.output or RESULTS_DIR / f"search-{connection.vendor}-{size['customers']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"written: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
