"""Give the benchmark customers orders and communications, fast.

    python benchmarks/generate_activity.py --orders 10 --interactions 5 [--database-url postgres://…]

Run after `generate.py`. Every customer that has no generated activity yet gets about
`--orders` orders (one or two lines each, 3 years of history shaped like real buying:
different rates, some customers long gone quiet) and about `--interactions`
communications; the consumption profiles are kept up to date in the same transactions.
With 1,000,000 customers and the defaults this is the reference data set of DESIGN.md §6
(10M orders, 5M communications). `--heavy-events 50000` also gives one customer a history
of that many events (half orders, half communications), for the 360 page benchmark.
Interrupted, it resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import add_database_arguments, database_label, machine, setup_django  # noqa: E402

HEAVY_CUSTOMER_NAME = "基准·长历史客户"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=float, default=10.0, help="mean orders per customer (default 10)")
    parser.add_argument("--interactions", type=float, default=5.0, help="mean communications per customer (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-customers", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=None, help="at most this many customers in this run")
    parser.add_argument("--heavy-events", type=int, default=0, help="also one customer with this many events")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.orders <= 0 or args.interactions < 0 or args.batch_customers < 1 or args.heavy_events < 0:
        parser.error("--orders must be positive; --interactions, --heavy-events not negative; --batch-customers ≥ 1")
    setup_django(args)

    from django.core.management import call_command

    from kehu.cli import bulk, bulk_activity
    from kehu.cli.progress import Progress

    call_command("migrate", verbosity=0)
    print(f"database: {database_label()}", file=sys.stderr)
    result = bulk_activity.load(
        mean_orders=args.orders, mean_interactions=args.interactions, seed=args.seed,
        batch_customers=args.batch_customers, limit=args.limit, progress=Progress("customers"),
    )
    summary = {
        "customers": result.customers, "orders": result.orders, "order_lines": result.order_lines,
        "interactions": result.interactions, "load_seconds": round(result.seconds, 1),
        "orders_per_second": round(result.orders / result.seconds) if result.seconds else None,
    }
    if args.heavy_events:
        summary["heavy_customer"] = _heavy(args.heavy_events, args.seed)
    bulk.analyze()
    summary.update(database=database_label(), machine=machine())
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _heavy(events: int, seed: int) -> dict[str, object]:
    """Create (once) the customer with a very long history; returns its id and counts."""
    from kehu.cli import bulk_activity
    from kehu.customers.models import Customer

    existing = Customer.objects.filter(name=HEAVY_CUSTOMER_NAME).values_list("pk", flat=True).first()
    if existing is not None:
        return {"id": existing, "created": False}
    from kehu.customers.choices import CustomerKind
    from kehu.customers.services import customer_create

    customer = customer_create(actor=_bench_admin(), kind=CustomerKind.PERSON, name=HEAVY_CUSTOMER_NAME, owner=None)
    result = bulk_activity.load_heavy(
        customer_id=customer.pk, orders=events // 2, interactions=events - events // 2, seed=seed
    )
    return {"id": customer.pk, "created": True, "orders": result.orders, "interactions": result.interactions}


def _bench_admin():
    from kehu.accounts.models import Role
    from kehu.cli.staff import ensure_user

    return ensure_user("bench.admin", role=Role.ADMINISTRATOR, usable_password=False).user


if __name__ == "__main__":
    raise SystemExit(main())
