"""Churn risk with its reasons: three signals anyone can check by looking at the file.

1. P(alive) (BG/NBD) below a threshold;
2. no purchase for more than k × the customer's own average days between purchases;
3. spend in the last period fell by more than x% against the period before.

Stored per customer: which signals fired (codes) and the figures behind them (P(alive),
recency, usual gap, the two periods' spend) as plain columns — vectorised to write, and put
into words only when read, in the reader's language, with the run's thresholds (`reasons`).
One signal is "some risk", two or more "high risk".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from kehu.insights.choices import ChurnRisk

P_ALIVE, OVERDUE, SPEND_FALL = "p_alive", "overdue", "spend_fall"


@dataclass(frozen=True)
class ChurnSettings:
    p_alive_below: float = 0.5
    overdue_factor: float = 2.0  # k
    spend_period_days: int = 90
    spend_drop: float = 0.5  # x, as a fraction

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChurnResult:
    risk: np.ndarray  # object array of ChurnRisk values
    signals: np.ndarray  # object array of space-separated codes ("" when none)
    usual_gap_days: np.ndarray  # NaN below two orders


def _table() -> np.ndarray:
    table = np.empty(8, dtype=object)
    for bits in range(8):
        table[bits] = " ".join(code for code, bit in ((P_ALIVE, 4), (OVERDUE, 2), (SPEND_FALL, 1)) if bits & bit)
    return table


_SIGNAL_TABLE = _table()
_RISK_BY_COUNT = np.array([ChurnRisk.NONE.value, ChurnRisk.MEDIUM.value, ChurnRisk.HIGH.value, ChurnRisk.HIGH.value],
                          dtype=object)


def assess(
    settings: ChurnSettings, *, orders: np.ndarray, recency_days: np.ndarray, span_days: np.ndarray,
    p_alive: np.ndarray | None, spend_recent: np.ndarray, spend_previous: np.ndarray,
) -> ChurnResult:
    """Signals for every customer (arrays aligned; customers without orders never churn)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        usual_gap = np.where(orders >= 2, span_days / np.maximum(orders - 1, 1), np.nan)
        overdue = (orders >= 2) & (usual_gap > 0) & (recency_days > settings.overdue_factor * usual_gap)
        falling = (spend_previous > 0) & (spend_recent < spend_previous * (1 - settings.spend_drop))
        unlikely = (orders >= 1) & (p_alive < settings.p_alive_below) if p_alive is not None else np.zeros_like(overdue)
    bits = 4 * unlikely.astype(int) + 2 * overdue.astype(int) + falling.astype(int)
    count = unlikely.astype(int) + overdue.astype(int) + falling.astype(int)
    return ChurnResult(_RISK_BY_COUNT[count], _SIGNAL_TABLE[bits], usual_gap)


def reasons(score: Any, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored signals of a `CustomerScore` with their figures and the thresholds in force."""
    found = []
    for code in (score.churn_signals or "").split():
        if code == P_ALIVE:
            found.append({"code": code, "p_alive": score.p_alive, "threshold": settings.get("p_alive_below")})
        elif code == OVERDUE:
            found.append({"code": code, "recency_days": score.recency_days, "usual_gap_days": score.usual_gap_days,
                          "factor": settings.get("overdue_factor")})
        elif code == SPEND_FALL:
            recent, previous = float(score.spend_recent), float(score.spend_previous)
            found.append({"code": code, "recent": recent, "previous": previous,
                          "drop": 1 - recent / previous if previous else None,
                          "period_days": settings.get("spend_period_days")})
    return found


def describe(reason: dict[str, Any]) -> str:
    """One reason in words, in the active language."""
    code = reason.get("code")
    if code == P_ALIVE:
        return _("Probability still active is %(p)s%%, below %(t)s%%.") % {
            "p": round(100 * reason["p_alive"]), "t": round(100 * reason["threshold"])}
    if code == OVERDUE:
        gap = reason["usual_gap_days"]
        return _("No purchase for %(days)s days: %(times)s× their usual %(gap)s days between purchases.") % {
            "days": reason["recency_days"], "gap": round(gap, 1), "times": round(reason["recency_days"] / gap, 1)}
    if code == SPEND_FALL:
        return _("Spend in the last %(period)s days fell %(drop)s%% against the %(period)s days before "
                 "(%(previous)s → %(recent)s).") % {
            "period": reason["period_days"], "drop": round(100 * (reason["drop"] or 0)),
            "previous": f"{reason['previous']:.2f}", "recent": f"{reason['recent']:.2f}"}
    return str(reason)
