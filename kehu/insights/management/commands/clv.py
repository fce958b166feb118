"""kehu clv --as-of DATE [--json]: the BG/NBD and Gamma-Gamma fits and their diagnostics.

Reads the stored run for that date; with --fit, fits afresh without storing anything.
"""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.insights import aggregates, scoring
from kehu.insights.aggregates import epoch_days
from kehu.insights.config import ScoringConfig, check_as_of, periods_of
from kehu.insights.models import ScoringRun, ScoringRunStatus


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r}: use a date like 2025-06-30.") from None


class Command(BaseCommand):
    help = "Print the CLV model fits (parameters, log-likelihood, calibration vs holdout) as of a date."
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_date, default=None, help="date (default: the latest scoring run)")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--fit", action="store_true", help="fit now from the orders instead of reading a run")
        parser.add_argument("--holdout-days", type=int, default=180)

    def handle(self, *args, as_of, json: bool, fit: bool, holdout_days: int, **options) -> None:
        diagnostics = self._fit(as_of, holdout_days) if fit else self._stored(as_of)
        if json:
            self.stdout.write(_dumps(diagnostics))
            return
        self.stdout.write(f"As of {diagnostics['as_of']}: {diagnostics.get('customers', 0):,} customers, "
                          f"{diagnostics.get('buyers', 0):,} with purchases")
        for kind, title in (("bgnbd", "BG/NBD (time unit: day)"), ("gamma_gamma", "Gamma-Gamma")):
            part = diagnostics.get(kind, {})
            if "skipped" in part:
                self.stdout.write(f"{title}: skipped — {part['skipped']}")
                continue
            values = part.get("parameters", {})
            order = [k for k in ("r", "alpha", "a", "b", "p", "q", "gamma") if k in values]  # jsonb reorders keys
            params = ", ".join(f"{k} = {values[k]:.4g}" for k in order)
            self.stdout.write(f"{title}: {params}; log-likelihood {part.get('log_likelihood', float('nan')):.1f} "
                              f"on {part.get('customers', 0):,} customers")
        holdout = diagnostics.get("holdout", {})
        if "skipped" in holdout or not holdout:
            self.stdout.write(f"Holdout: skipped — {holdout.get('skipped', 'no data')}")
            return
        self.stdout.write(f"Holdout ({holdout['holdout_days']} days): actual {holdout['actual_total']:.0f}, "
                          f"predicted {holdout['predicted_total']:.1f} repeat purchases")
        self.stdout.write("  repeat purchases in calibration | customers | actual mean | predicted mean")
        for row in holdout["by_frequency"]:
            self.stdout.write(f"  {row['calibration_repeat_purchases']!s:>32} | {row['customers']:>9,} | "
                              f"{row['actual_mean']:>11.3f} | {row['predicted_mean']:>14.3f}")

    def _stored(self, as_of: datetime.date | None) -> dict:
        runs = ScoringRun.objects.filter(status=ScoringRunStatus.DONE)
        run = runs.filter(as_of=as_of).first() if as_of else runs.order_by("-as_of").first()
        if run is None:
            raise CommandError(f"No scoring run{' for ' + str(as_of) if as_of else ''}: run `kehu score"
                               f"{' --as-of ' + str(as_of) if as_of else ''}` first, or use --fit.")
        return {"as_of": run.as_of.isoformat()} | run.diagnostics

    def _fit(self, as_of: datetime.date | None, holdout_days: int) -> dict:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        try:
            as_of = check_as_of(as_of or timezone.localdate())
            config = ScoringConfig(holdout_days=holdout_days)
            config.validate()
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        periods = periods_of(as_of, config)
        table = scoring.compute(aggregates.load(periods), config, cutoff=epoch_days(periods.cutoff),
                                holdout_start=epoch_days(periods.holdout_start))
        return {"as_of": as_of.isoformat()} | table.diagnostics


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
