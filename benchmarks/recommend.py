"""What preferences and recommendations add to `kehu score` and to the customer page.

    python benchmarks/recommend.py [--database-url postgres://…] [--as-of DATE] [--customers 200]

Run after `generate.py` and `generate_activity.py`. In one process, on the same data:

1. `scoring_run` as `kehu score` does it, `--rounds` times: the co-purchase step (counting
   and writing the neighbours) is timed inside each run, and the figure is its time as a
   ratio of the rest of the same run (RFM, CLV, churn, tiers, snapshots).
2. For random customers (and the one with the longest history, if generated), the customer
   page's Preferences card as the page builds it (`preferences_of`, run, profile and snapshot
   already read): p50/p95 and queries, beside the Insights card's own read (`insight_of`) of
   the same customers, timed alternately so both see the same load.
Results go to benchmarks/results/ (or --output).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import RESULTS_DIR, add_database_arguments, database_label, machine, setup_django  # noqa: E402
from benchmarks.search import summarise, timed  # noqa: E402


def _score(as_of: datetime.date, rounds: int) -> dict[str, object]:
    """`scoring_run` `rounds` times (idempotent per date); the co-purchase step's time is
    measured inside each run (`diagnostics["affinity"]["seconds"]`), against the rest of it."""
    from kehu.insights.config import ScoringConfig
    from kehu.insights.models import ItemAffinity
    from kehu.insights.services import scoring_run

    runs = []
    for _ in range(rounds):
        run = scoring_run(as_of=as_of, config=ScoringConfig())
        step = run.diagnostics["affinity"]["seconds"]
        runs.append({"score_seconds": run.duration_seconds, "affinity_seconds": step,
                     "rest_seconds": round(run.duration_seconds - step, 3),
                     "ratio": round(step / max(run.duration_seconds - step, 1e-9), 3)})
    ratios = sorted(r["ratio"] for r in runs)
    return {"runs": runs, "ratio_affinity_to_rest_of_score_median": ratios[len(ratios) // 2],
            "diagnostics": run.diagnostics.get("affinity"), "stored_rows": ItemAffinity.objects.filter(as_of=as_of).count()}


def _page(count: int, rng: random.Random) -> dict[str, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.generate_activity import HEAVY_CUSTOMER_NAME
    from kehu.accounts.models import Role
    from kehu.cli.staff import ensure_user
    from kehu.customers.models import Customer
    from kehu.insights.models import ScoringRun
    from kehu.insights.recommendations import preferences_of
    from kehu.insights.selectors import insight_of
    from kehu.sales.models import ConsumptionProfile

    viewer = ensure_user("bench.admin", role=Role.ADMINISTRATOR, usable_password=False).user
    bounds = Customer.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    ids = [Customer.objects.filter(pk__gte=rng.randint(low, high)).order_by("pk").values_list("pk", flat=True).first()
           for _ in range(count)]
    heavy = Customer.objects.filter(name=HEAVY_CUSTOMER_NAME).values_list("pk", flat=True).first()
    run = ScoringRun.current()

    def measure(customer_ids: list[int]) -> dict[str, object]:
        card, insight, queries, shown = [], [], [], 0
        for customer_id in customer_ids:
            elapsed, found = timed(lambda cid=customer_id: insight_of(viewer=viewer, customer_id=cid, run=run))
            insight.append(elapsed)
            profile = ConsumptionProfile.objects.filter(customer_id=customer_id).first()
            with CaptureQueriesContext(connection) as captured:
                elapsed, preferences = timed(lambda cid=customer_id, p=profile, s=found.score: preferences_of(
                    viewer=viewer, customer_id=cid, run=run, profile=p, score=s, preloaded=True))
            card.append(elapsed)
            queries.append(len(captured))
            shown += bool(preferences.categories or preferences.products)
        return {"preferences_card": summarise(card), "insight_card_read": summarise(insight),
                "ratio_p50_card_to_insight_read": round(sorted(card)[len(card) // 2] /
                                                        max(sorted(insight)[len(insight) // 2], 1e-6), 2),
                "queries_min": min(queries), "queries_max": max(queries), "with_recommendations": shown}

    measure(ids[:5])  # warm
    out = {"random_customers": measure(ids)}
    if heavy is not None:
        out["longest_history"] = measure([heavy] * 20)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None, help="default: today")
    parser.add_argument("--customers", type=int, default=200, help="random customers for the page figures")
    parser.add_argument("--rounds", type=int, default=3, help="scoring runs (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=None)
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    setup_django(args)

    from django.utils import timezone

    from kehu.customers.models import Customer
    from kehu.sales.models import Order, OrderLine

    as_of = args.as_of or timezone.localdate()
    result = {
        "database": database_label(), "as_of": as_of.isoformat(), "customers": Customer.objects.count(),
        "orders": Order.objects.count(), "order_lines": OrderLine.objects.count(),
        "score": _score(as_of, args.rounds), "page": _page(args.customers, random.Random(args.seed)), "machine": machine(),
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    output = args.output or RESULTS_DIR / f"recommend-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
