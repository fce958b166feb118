"""kehu score [--as-of DATE] [--window-days N]: RFM, CLV, churn risk and tiers for the whole base."""

from __future__ import annotations

import datetime
import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.insights.config import AffinitySettings, ScoringConfig
from kehu.insights.services import scoring_run


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r}: use a date like 2025-06-30.") from None


class Command(BaseCommand):
    help = "Recompute RFM, CLV, churn risk and tiers for every customer as of a date (re-running a date replaces it)."
    requires_system_checks: list = []  # a batch job: seconds of checks buy nothing here

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_date, default=None, help="date to score as of (default: today)")
        parser.add_argument("--window-days", type=int, default=365,
                            help="RFM frequency/monetary window in days; 0 = all history (default 365)")
        parser.add_argument("--prediction-days", type=int, default=90, help="expected purchases over the next N days")
        parser.add_argument("--clv-months", type=int, default=12, help="CLV horizon in months (default 12)")
        parser.add_argument("--monthly-discount", type=float, default=0.01, help="monthly discount rate (default 0.01)")
        parser.add_argument("--holdout-days", type=int, default=180, help="holdout period of the fit diagnostics")
        parser.add_argument("--min-support", type=int, default=AffinitySettings.min_support,
                            help="customers a category or product pair must have been bought by to be recommended "
                                 f"(default {AffinitySettings.min_support})")
        parser.add_argument("--top-k", type=int, default=AffinitySettings.top_k,
                            help=f"co-purchase neighbours kept per category or product (default {AffinitySettings.top_k})")

    def handle(self, *args, as_of, window_days, prediction_days, clv_months, monthly_discount, holdout_days,
               min_support, top_k, **options) -> None:
        config = ScoringConfig(window_days=window_days or None, prediction_days=prediction_days, clv_months=clv_months,
                               monthly_discount=monthly_discount, holdout_days=holdout_days,
                               affinity=AffinitySettings(min_support=min_support, top_k=top_k))
        started = time.monotonic()
        stream = sys.stderr
        tty = stream.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            line = f"{stage}: {done:,}/{total:,} ({time.monotonic() - started:.1f} s)"
            stream.write(("\r" + line + ("\n" if done >= total else "")) if tty else line + "\n")
            stream.flush()

        try:
            run = scoring_run(as_of=as_of, config=config, progress=progress)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        counts = run.counts
        self.stdout.write(
            f"Scored {counts['customers']:,} customers ({counts['buyers']:,} with purchases) as of {run.as_of} "
            f"in {run.duration_seconds:.1f} s; {counts['tier_changes']:,} tier changes."
        )
        found = run.diagnostics.get("affinity", {})
        if found:
            category, product = found.get("category", {}), found.get("product", {})
            self.stdout.write(
                f"Co-purchase neighbours (min support {min_support}): {category.get('neighbours', 0):,} among "
                f"{category.get('items', 0):,} categories, {product.get('neighbours', 0):,} among "
                f"{product.get('items', 0):,} products."
            )
        for kind in ("bgnbd", "gamma_gamma"):
            fit = run.diagnostics.get(kind, {})
            if "skipped" in fit:
                self.stdout.write(f"{kind}: skipped ({fit['skipped']})")
