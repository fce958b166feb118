"""RFM scoring on per-customer arrays: tie-consistent 1–5 scores, named segments, value classes.

The figures (recency, frequency, monetary) come from one grouped SQL query
(`kehu.insights.aggregates`); this module only ranks them, vectorised.

Why not NTILE: it splits customers with equal values across buckets (DESIGN §9 measured 16%
of one-order customers scored differently from each other). Here a score depends only on the
value: score = 1 + how many of the four thresholds the value is above, with thresholds taken
at the 20/40/60/80% positions of the sorted values. For distinct values that is exactly
quintiles; tied values all get the score of where their group starts (like PERCENT_RANK),
so equal inputs always get equal scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kehu.insights.choices import RfmSegment, ValueClass

SCORES = 5


@dataclass(frozen=True)
class Thresholds:
    """How a value becomes a score: 1 + how many cuts it is above ("quantile") or at least ("fixed")."""

    method: str  # "quantile" or "fixed"
    cuts: tuple[float, ...]

    def score(self, values: np.ndarray) -> np.ndarray:
        cuts = np.asarray(self.cuts, dtype=float)
        # side="left": count of cuts strictly below the value (quantile: value > cut);
        # side="right": count of cuts ≤ value (fixed cut-offs are "at least" bounds).
        side = "left" if self.method == "quantile" else "right"
        return (1 + np.searchsorted(cuts, values, side=side)).astype(np.int16)

    def as_dict(self) -> dict:
        return {"method": self.method, "cuts": [float(c) for c in self.cuts]}


def quantile_thresholds(values: np.ndarray) -> Thresholds:
    """Cuts at the 20/40/60/80% positions; a value above cut k scores at least k+1."""
    ordered = np.sort(np.asarray(values, dtype=float))
    n = ordered.size
    if n == 0:
        return Thresholds("quantile", (np.inf,) * (SCORES - 1))
    # Score s+1 needs at least k = ceil(s·n/5) customers strictly below, i.e. value > ordered[k-1].
    positions = [int(np.ceil(s * n / SCORES)) - 1 for s in range(1, SCORES)]
    return Thresholds("quantile", tuple(float(ordered[p]) for p in positions))


def fixed_thresholds(at_least: Sequence[float]) -> Thresholds:
    """Business-chosen cut-offs: `at_least[k]` is the smallest value scoring k+2 (e.g. F: 2, 3, 5, 8 orders)."""
    cuts = tuple(float(c) for c in at_least)
    if len(cuts) != SCORES - 1 or list(cuts) != sorted(cuts):
        raise ValueError("Fixed cut-offs need four ascending values (the minimum for scores 2, 3, 4 and 5).")
    return Thresholds("fixed", cuts)


# The named segments on the R × FM grid, FM = (F + M) / 2 rounded half up.
# Source: Putler, "RFM Analysis For Successful Customer Segmentation"
# (https://www.putler.com/rfm-analysis/), whose table gives each segment as R and FM ranges.
# The ranges overlap; they are resolved towards the narrower segment, which gives the same cells
# as the widely used R×F map (33 Need attention, 3[12] About to sleep, 41 Promising, 51 New).
# Rows: R = 1..5; columns: FM = 1..5.
_S = RfmSegment
SEGMENT_GRID: tuple[tuple[RfmSegment, ...], ...] = (
    (_S.LOST, _S.LOST, _S.AT_RISK, _S.CANT_LOSE, _S.CANT_LOSE),  # R1
    (_S.HIBERNATING, _S.HIBERNATING, _S.AT_RISK, _S.AT_RISK, _S.AT_RISK),  # R2
    (_S.ABOUT_TO_SLEEP, _S.ABOUT_TO_SLEEP, _S.NEED_ATTENTION, _S.LOYAL, _S.LOYAL),  # R3
    (_S.PROMISING, _S.POTENTIAL_LOYALIST, _S.LOYAL, _S.CHAMPIONS, _S.CHAMPIONS),  # R4
    (_S.NEW, _S.POTENTIAL_LOYALIST, _S.POTENTIAL_LOYALIST, _S.CHAMPIONS, _S.CHAMPIONS),  # R5
)
_GRID = np.array([[cell.value for cell in row] for row in SEGMENT_GRID], dtype=object)


def fm_score(f_score: np.ndarray, m_score: np.ndarray) -> np.ndarray:
    return ((np.asarray(f_score, dtype=int) + np.asarray(m_score, dtype=int) + 1) // 2).astype(int)


def segments(r_score: np.ndarray, f_score: np.ndarray, m_score: np.ndarray) -> np.ndarray:
    """Segment codes for 1–5 scores (object array of RfmSegment values)."""
    return _GRID[np.asarray(r_score, dtype=int) - 1, fm_score(f_score, m_score) - 1]


@dataclass(frozen=True)
class ValueClassReference:
    """The averages a customer is compared against (the "high/low against average" scheme)."""

    recency_days: float
    frequency: float
    monetary: float

    def as_dict(self) -> dict[str, float]:
        return {"recency_days": self.recency_days, "frequency": self.frequency, "monetary": self.monetary}


def value_class_reference(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray, *,
                          statistic: str = "mean") -> ValueClassReference:
    reduce = np.median if statistic == "median" else np.mean
    if recency.size == 0:
        return ValueClassReference(0.0, 0.0, 0.0)
    return ValueClassReference(float(reduce(recency)), float(reduce(frequency)), float(reduce(monetary)))


_CLASSES = {
    # (recent, frequent, spends much) → class. M decides 重要 / 一般; R and F the kind.
    (True, True, True): ValueClass.IMPORTANT_VALUE,
    (True, False, True): ValueClass.IMPORTANT_DEVELOP,
    (False, True, True): ValueClass.IMPORTANT_KEEP,
    (False, False, True): ValueClass.IMPORTANT_RETAIN,
    (True, True, False): ValueClass.GENERAL_VALUE,
    (True, False, False): ValueClass.GENERAL_DEVELOP,
    (False, True, False): ValueClass.GENERAL_KEEP,
    (False, False, False): ValueClass.GENERAL_RETAIN,
}
_CLASS_TABLE = np.empty(8, dtype=object)
for (_r, _f, _m), _class in _CLASSES.items():
    _CLASS_TABLE[4 * _r + 2 * _f + _m] = _class.value


def value_classes(recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray,
                  reference: ValueClassReference) -> np.ndarray:
    """High means strictly better than the reference (fewer days, more orders, more spend);
    a value equal to the reference counts as low, so ties always land together."""
    recent = np.asarray(recency, dtype=float) < reference.recency_days
    frequent = np.asarray(frequency, dtype=float) > reference.frequency
    spends = np.asarray(monetary, dtype=float) > reference.monetary
    return _CLASS_TABLE[4 * recent.astype(int) + 2 * frequent.astype(int) + spends.astype(int)]
