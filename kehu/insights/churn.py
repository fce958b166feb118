"""Churn risk with its reasons: three signals anyone can check by looking at the file.

1. P(alive) (BG/NBD) below a threshold;
2. no purchase for more than k × the customer's own average days between purchases;
3. spend in the last period fell by more than x% against the period before.

Reasons are stored as codes with their figures (JSON) and put into words when read, in the
reader's language (`describe`). One signal is "some risk", two or more "high risk".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from kehu.insights.choices import ChurnRisk


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
    reasons: list[str]  # JSON text per customer ("[]" when none): encoded once, written as is


_EMPTY = "[]"


def assess(
    settings: ChurnSettings, *, orders: np.ndarray, recency_days: np.ndarray, span_days: np.ndarray,
    p_alive: np.ndarray | None, spend_recent: np.ndarray, spend_previous: np.ndarray,
) -> ChurnResult:
    """Signals for every customer (arrays aligned; customers without orders never churn)."""
    n = orders.size
    with np.errstate(invalid="ignore", divide="ignore"):
        usual_gap = np.where(orders >= 2, span_days / np.maximum(orders - 1, 1), np.nan)
        overdue = (orders >= 2) & (usual_gap > 0) & (recency_days > settings.overdue_factor * usual_gap)
        falling = (spend_previous > 0) & (spend_recent < spend_previous * (1 - settings.spend_drop))
        unlikely = (orders >= 1) & (p_alive < settings.p_alive_below) if p_alive is not None else np.zeros(n, bool)
    signals = unlikely.astype(int) + overdue.astype(int) + falling.astype(int)
    risk = np.where(signals >= 2, ChurnRisk.HIGH.value, np.where(signals == 1, ChurnRisk.MEDIUM.value,
                                                                 ChurnRisk.NONE.value)).astype(object)
    reasons = [_EMPTY] * n
    for i in np.flatnonzero(signals):
        found: list[dict[str, Any]] = []
        if unlikely[i]:
            found.append({"code": "p_alive", "p_alive": round(float(p_alive[i]), 4),  # type: ignore[index]
                          "threshold": settings.p_alive_below})
        if overdue[i]:
            found.append({"code": "overdue", "recency_days": int(recency_days[i]),
                          "usual_gap_days": round(float(usual_gap[i]), 1), "factor": settings.overdue_factor})
        if falling[i]:
            found.append({"code": "spend_fall", "recent": round(float(spend_recent[i]), 2),
                          "previous": round(float(spend_previous[i]), 2), "period_days": settings.spend_period_days,
                          "drop": round(1 - float(spend_recent[i]) / float(spend_previous[i]), 4)})
        reasons[i] = json.dumps(found)
    return ChurnResult(risk, reasons)


def describe(reason: dict[str, Any]) -> str:
    """One stored reason in words, in the active language."""
    code = reason.get("code")
    if code == "p_alive":
        return _("Probability still active is %(p)s%%, below %(t)s%%.") % {
            "p": round(100 * reason["p_alive"]), "t": round(100 * reason["threshold"])}
    if code == "overdue":
        return _("No purchase for %(days)s days: %(times)s× their usual %(gap)s days between purchases.") % {
            "days": reason["recency_days"], "gap": reason["usual_gap_days"],
            "times": round(reason["recency_days"] / reason["usual_gap_days"], 1) if reason["usual_gap_days"] else "∞"}
    if code == "spend_fall":
        return _("Spend in the last %(period)s days fell %(drop)s%% against the %(period)s days before "
                 "(%(previous)s → %(recent)s).") % {
            "period": reason["period_days"], "drop": round(100 * reason["drop"]),
            "previous": f"{reason['previous']:.2f}", "recent": f"{reason['recent']:.2f}"}
    return str(reason)
