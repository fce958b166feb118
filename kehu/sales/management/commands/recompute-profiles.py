"""kehu recompute-profiles [--check]: rebuild every consumption profile from the rows and report drift."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from kehu.customers.models import Customer
from kehu.sales.models import ConsumptionProfile
from kehu.sales.stats import compute_profiles, drift, save_profiles

CHUNK = 2000


class Command(BaseCommand):
    help = "Recompute every customer's consumption profile from orders and receivables; report what had drifted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only report drift, change nothing (exit 1 if any)")

    def handle(self, *args, check: bool, **options) -> None:
        started = time.monotonic()
        total = Customer.objects.count()
        done = drifted = 0
        examples: list[str] = []
        last_id = 0
        while True:
            ids = list(Customer.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not ids:
                break
            last_id = ids[-1]
            fresh = compute_profiles(ids)
            stored = ConsumptionProfile.objects.in_bulk(ids)
            changed = []
            for cid, profile in fresh.items():
                old = stored.get(cid)
                differences = drift(old, profile) if old is not None else ({} if profile.order_count == 0 else {"missing": (None, "profile")})
                if differences:
                    drifted += 1
                    if len(examples) < 10:
                        examples.append(f"customer {cid}: " + ", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in differences.items()))
                changed.append(profile)
            if not check:
                with transaction.atomic():
                    save_profiles(changed)
            done += len(ids)
            sys.stderr.write(f"\r{done:,}/{total:,} customers")
            sys.stderr.flush()
        sys.stderr.write("\n")
        for line in examples:
            self.stdout.write(line)
        verb = "found drifted" if check else "corrected"
        self.stdout.write(f"{done:,} profiles checked in {time.monotonic() - started:.1f} s; {drifted:,} {verb}.")
        if check and drifted:
            sys.exit(1)
