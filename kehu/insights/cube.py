"""The dashboard's grouped figures, counted from snapshots or added up from stored cells.

A "cube" is a list of groups: the values of the group keys, then the figures every chart is
a sum of (customers, buyers, window revenue, CLV, CLV at or above each histogram edge).
`count` groups `CustomerScore` rows; `add_up` groups `DashboardCell` rows, which hold the
same figures already counted per owner and team; `combine` adds and takes away cubes (a
customer who changed owner since the cells were built is taken out of its old group and
counted again where it belongs now).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Aggregate, Count, FloatField, Q, QuerySet, Sum, Value
from django.db.models.expressions import Star

from kehu.insights.choices import CLV_EDGES

# The dashboard's group keys (each cell is one value of them per owner and team).
CUBE_KEYS = ("tier_id", "r_score", "f_score", "rfm_segment", "value_class", "churn_risk")
OWNER_KEYS = ("owner_id", "team_id")
CLV_AT_LEAST = tuple(f"clv_ge_{i}" for i in range(len(CLV_EDGES)))
FIGURES = ("n", "buyers", "revenue", "clv_sum", "clv_unknown", *CLV_AT_LEAST)
BUYER = Q(order_count__gt=0)


class CountWhere(Count):
    """COUNT(*) FILTER (WHERE …): Django's Count refuses a filter on `*`, and counting a
    column instead makes SQLite test it for NULL on every row (measured ~25% slower here)."""

    def __init__(self, condition: Q) -> None:
        Aggregate.__init__(self, Star(), filter=condition)


def count(scores: QuerySet, keys: Sequence[str] = CUBE_KEYS) -> list[dict[str, Any]]:
    """The figures of `scores` (CustomerScore rows) per value of `keys`."""
    # CLV at or above each edge, compared with a float: a Decimal parameter would be compared
    # as text on SQLite, 3× slower.
    at_least = {name: CountWhere(Q(clv__gte=Value(float(edge), output_field=FloatField())))
                for name, edge in zip(CLV_AT_LEAST, CLV_EDGES, strict=True)}
    return list(scores.values(*keys).annotate(
        n=Count("*"), buyers=CountWhere(BUYER), revenue=Sum("monetary"), clv_sum=Sum("clv"),
        clv_unknown=CountWhere(BUYER & Q(clv__isnull=True)), **at_least).order_by(*keys))


def add_up(cells: QuerySet, keys: Sequence[str] = CUBE_KEYS) -> list[dict[str, Any]]:
    """The figures stored in `cells` (DashboardCell rows) added up per value of `keys`."""
    return list(cells.values(*keys).annotate(**{name: Sum(name) for name in FIGURES}).order_by(*keys))


def combine(parts: Iterable[tuple[int, list[dict[str, Any]]]], keys: Sequence[str] = CUBE_KEYS) -> list[dict[str, Any]]:
    """Σ sign × cube over `parts` ((+1 or -1, cube) pairs), groups left empty dropped."""
    groups: dict[tuple, dict[str, Any]] = {}
    for sign, cube in parts:
        for group in cube:
            key = tuple(group[k] for k in keys)
            total = groups.setdefault(key, {**dict(zip(keys, key, strict=True)), **dict.fromkeys(FIGURES, 0)})
            for name in FIGURES:
                total[name] += sign * (group[name] or 0)
    return [group for key, group in sorted(groups.items(), key=lambda item: _sortable(item[0])) if group["n"]]


def _sortable(key: tuple) -> tuple:
    return tuple((value is not None, value if value is not None else 0) for value in key)
