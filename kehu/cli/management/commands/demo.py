"""`kehu demo`: a realistic zh_CN demo archive and demo staff accounts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kehu.cli import bulk
from kehu.cli.arguments import positive_int
from kehu.cli.demo import create_demo
from kehu.cli.demo_staff import ensure_demo_staff, staff_table
from kehu.cli.progress import Progress
from kehu.insights.models import ScoringRun, Tier
from kehu.sales.models import Order

# Above this many customers the services (one transaction, ~20 queries per file) get slow:
# switch to the bulk loader, which writes the same customer rows but no family, dates,
# relationships or audit trail.
BULK_THRESHOLD = 5000


class Command(BaseCommand):
    help = "Add realistic demo customers (persons with family, organisations with key people) and demo staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=positive_int, default=200, help="how many customers to add (default 200)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same customers (default 1)")
        parser.add_argument(
            "--bulk", action="store_true", dest="use_bulk",
            help=f"use the fast bulk loader (automatic above {BULK_THRESHOLD:,} customers)",
        )

    def handle(self, *args, customers: int, seed: int, use_bulk: bool, **options) -> None:
        staff = ensure_demo_staff()
        progress = Progress("demo customers", getattr(self.stderr, "_out", None))
        if use_bulk or customers > BULK_THRESHOLD:
            self.stdout.write(f"Bulk-loading {customers:,} demo customers (no family, dates or audit trail)…")
            owners = [bulk.Owner(user.pk, user.team_id) for user in staff.sales]
            bulk.load(count=customers, seed=seed, owners=owners, pool_share=0.25, progress=progress)
        else:
            self.stdout.write(f"Creating {customers:,} demo customers through the archive services…")
            with transaction.atomic():
                create_demo(count=customers, seed=seed, staff=staff, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Added {customers:,} demo customers."))
        run = ScoringRun.current()
        if run is not None and not (use_bulk or customers > BULK_THRESHOLD):
            self.stdout.write(f"With {Order.objects.count():,} orders, scored as of {run.as_of} "
                              f"(tiers: {', '.join(Tier.objects.filter(active=True).values_list('name', flat=True))}).")
        self.stdout.write("Demo staff accounts (passwords are shown only when an account is created):")
        self.stdout.write(staff_table(staff))

