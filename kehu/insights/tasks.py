"""Background entry points: plain functions, idempotent, safe to retry (a re-run replaces)."""

from __future__ import annotations

import datetime

from kehu.insights.config import ScoringConfig
from kehu.insights.models import ScoringRun
from kehu.insights.services import scoring_run


def score_all(*, as_of: str | None = None, window_days: int | None = 365) -> int:
    """Score everyone as of `as_of` (ISO date, default today); returns the run's id.

    Arguments are plain JSON values so any task queue can carry them.
    """
    date = datetime.date.fromisoformat(as_of) if as_of else None
    run: ScoringRun = scoring_run(as_of=date, config=ScoringConfig(window_days=window_days))
    return run.pk
