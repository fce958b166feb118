"""How long scoring snapshots are kept.

Every `kehu score` writes one row per customer: scored every night, a million customers
make 365 million rows a year. Recent runs are kept whole — every run within
`KEHU_SCORES_KEEP_DAYS` (default 90) of the newest — and older ones only as the last run
of each month, for `KEHU_SCORES_KEEP_MONTHS` (default 24; 0 keeps month-ends for ever).
The newest completed run always stays, and a run still being written is never touched.
Removing a run removes its snapshots and co-purchase neighbours; the tier history
(`TierChange`) is each customer's own record and stays.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from kehu.audit.services import audit
from kehu.insights.models import CustomerScore, ItemAffinity, ScoringRun, ScoringRunStatus


@dataclass(frozen=True)
class Pruned:
    runs: list[datetime.date]
    snapshots: int
    dry_run: bool


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def runs_past_retention(*, keep_days: int | None = None, keep_months: int | None = None) -> list[ScoringRun]:
    """The runs the retention periods no longer keep, oldest first."""
    keep_days = settings.KEHU_SCORES_KEEP_DAYS if keep_days is None else keep_days
    keep_months = settings.KEHU_SCORES_KEEP_MONTHS if keep_months is None else keep_months
    newest = ScoringRun.current()
    if newest is None:
        return []
    recent_from = newest.as_of - datetime.timedelta(days=keep_days)
    monthly_from = _months_before(newest.as_of, keep_months) if keep_months else None
    done = list(ScoringRun.objects.filter(status=ScoringRunStatus.DONE).order_by("as_of"))
    month_end = {}
    for run in done:  # ascending: the last one of a month wins, recent runs included
        month_end[(run.as_of.year, run.as_of.month)] = run.pk
    kept_monthly = set(month_end.values())
    expired = [run for run in done if run.as_of < recent_from and (
        run.pk not in kept_monthly or (monthly_from is not None and run.as_of < monthly_from))]
    failed = list(ScoringRun.objects.filter(status=ScoringRunStatus.FAILED, as_of__lt=recent_from))
    return sorted(expired + failed, key=lambda run: run.as_of)


def prune_snapshots(*, actor=None, dry_run: bool = False, keep_days: int | None = None,
                    keep_months: int | None = None) -> Pruned:
    """Remove the runs past retention (one transaction each); `dry_run` only says which."""
    runs = runs_past_retention(keep_days=keep_days, keep_months=keep_months)
    snapshots = 0
    for run in runs:
        if dry_run:
            snapshots += CustomerScore.objects.filter(as_of=run.as_of).count()
            continue
        with transaction.atomic():
            removed, _by_model = CustomerScore.objects.filter(as_of=run.as_of).delete()
            ItemAffinity.objects.filter(as_of=run.as_of).delete()
            snapshots += removed
            run.delete()
    if runs and not dry_run:
        audit(actor=actor, action="insights.prune", target=None,
              changes={"runs": [run.as_of.isoformat() for run in runs], "snapshots": snapshots})
    return Pruned([run.as_of for run in runs], snapshots, dry_run)
