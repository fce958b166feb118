"""Write N realistic customers fast, for benchmarks.

    python benchmarks/generate.py --customers 1000000 [--database-url postgres://…] [--seed 1]

Runs migrations, creates benchmark salespeople in teams, then appends customers with their
profile, contact points, tags and search keys (see `kehu.cli.bulk`). Prints progress.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import add_database_arguments, database_label, machine, setup_django  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, required=True, help="how many customers to append")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None, help="processes building rows (default: CPU count)")
    parser.add_argument("--teams", type=int, default=10, help="sales teams (default 10)")
    parser.add_argument("--sales-per-team", type=int, default=5)
    parser.add_argument("--pool-share", type=float, default=0.2, help="share of customers left in the pool")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    if args.customers < 1 or args.batch_size < 1 or not 0 <= args.pool_share <= 1:
        parser.error("--customers and --batch-size must be positive, --pool-share between 0 and 1")
    setup_django(args)

    from django.core.management import call_command

    from kehu.cli import bulk
    from kehu.cli.progress import Progress
    from kehu.cli.staff import bench_sales

    call_command("migrate", verbosity=0)
    owners = [bulk.Owner(user.pk, user.team_id) for user in bench_sales(teams=args.teams, per_team=args.sales_per_team)]
    print(f"database: {database_label()}", file=sys.stderr)
    started = time.monotonic()
    result = bulk.load(
        count=args.customers, seed=args.seed, owners=owners, pool_share=args.pool_share,
        batch_size=args.batch_size, workers=args.workers, progress=Progress("customers"),
    )
    loaded = time.monotonic() - started
    bulk.analyze()
    summary = {
        "customers": result.customers, "search_terms": result.search_terms, "load_seconds": round(loaded, 1),
        "analyze_seconds": round(time.monotonic() - started - loaded, 1),
        "customers_per_second": round(result.customers / loaded), "database": database_label(), "machine": machine(),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
