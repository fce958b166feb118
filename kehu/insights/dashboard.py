"""The Insights dashboard's figures for one scoring run and one viewer.

Every figure counts the customers `visible_to(viewer)`: a salesperson's dashboard counts
those they may see, a manager's the whole archive. The charts are sums over the run's
stored cells (kehu.insights.dashboard_cells: figures grouped per owner and team when the run
ended, corrected for customers who changed hands since), so a request adds up a few
thousand rows whatever the size of the archive; only the at-risk list reads snapshots.

Tier movement is read from the tier changes the run recorded (one per customer whose tier
moved against the tier in force before the run), not by joining two million-row snapshots.
"No tier" counts as below every tier.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.customers.selectors import visible_to
from kehu.insights import churn, dashboard_cells
from kehu.insights.choices import CLV_EDGES, ChurnRisk, RfmSegment, ValueClass
from kehu.insights.models import CustomerScore, ScoringRun, ScoringRunStatus, Tier

AT_RISK_SHOWN = 10
RFM_SCORES = (5, 4, 3, 2, 1)
NO_TIER_COLOR = "#e5e7eb"
UP, DOWN, UNCHANGED = "up", "down", "unchanged"


@dataclass(frozen=True)
class TierCount:
    tier_id: int | None  # None: no tier matched
    name: str
    color: str
    customers: int
    percent: float


@dataclass(frozen=True)
class Transition:
    from_name: str  # "" = no tier
    to_name: str
    direction: str  # UP or DOWN
    customers: int


@dataclass(frozen=True)
class Movement:
    """How tiers moved in this run against the tier in force before it."""

    previous_as_of: datetime.date
    up: int
    down: int
    unchanged: int
    transitions: list[Transition]


@dataclass(frozen=True)
class GroupFigures:
    """Customers and window revenue of one RFM segment or value class."""

    key: str  # "" = no purchases (not scored)
    label: str
    customers: int
    revenue: Decimal
    percent: float  # of the revenue


@dataclass(frozen=True)
class ClvBucket:
    low: Decimal
    high: Decimal | None  # None: no upper bound
    customers: int


@dataclass(frozen=True)
class RiskCount:
    risk: str
    label: str
    customers: int
    clv: Decimal  # the CLV these customers carry


@dataclass(frozen=True)
class AtRisk:
    customer_id: int
    name: str
    risk: str
    risk_label: str
    clv: Decimal | None
    monetary: Decimal
    tier: str
    reasons: list[str]


@dataclass(frozen=True)
class SavedSegmentFigures:
    """Customers and window revenue of one saved segment (kehu.segments)."""

    segment_id: int
    name: str
    customers: int
    revenue: Decimal


@dataclass(frozen=True)
class Dashboard:
    run: ScoringRun
    customers: int  # visible customers in the run
    buyers: int  # of whom bought at least once before the as-of date
    revenue: Decimal  # their spend in the RFM window
    clv_total: Decimal
    window_days: int | None
    clv_months: int | None
    tiers: list[TierCount]
    movement: Movement | None  # None: the first run, nothing to compare with
    rfm_grid: list[list[int]]  # rows R 5..1, columns F 1..5
    rfm_segments: list[GroupFigures]
    value_classes: list[GroupFigures]
    clv_buckets: list[ClvBucket]
    clv_unknown: int  # buyers whose CLV could not be estimated
    churn_levels: list[RiskCount]
    at_risk: list[AtRisk]
    saved_segments: list[SavedSegmentFigures] = field(default_factory=list)

    @property
    def as_of(self) -> datetime.date:
        return self.run.as_of

    @property
    def rfm_grid_max(self) -> int:
        return max((n for row in self.rfm_grid for n in row), default=0)


class UnknownRun(Exception):
    """No completed scoring run for the date asked for."""

    def __init__(self, as_of: datetime.date) -> None:
        self.as_of = as_of
        super().__init__(_("There is no completed scoring run as of %(date)s.") % {"date": as_of.isoformat()})


def parse_as_of(raw: str | None) -> datetime.date | None:
    """A query parameter's date (empty: the current run); ValidationError in words otherwise."""
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a date: use the form 2025-06-30.") % {"value": raw[:40]},
                              code="invalid") from None


def run_for(as_of: datetime.date | None) -> ScoringRun | None:
    """The completed run of `as_of`, or the current one; UnknownRun for a date never scored."""
    runs = ScoringRun.objects.filter(status=ScoringRunStatus.DONE)
    if as_of is None:
        return runs.order_by("-as_of").first()
    run = runs.filter(as_of=as_of).first()
    if run is None:
        raise UnknownRun(as_of)
    return run


def completed_runs(limit: int = 30) -> list[datetime.date]:
    """As-of dates a dashboard can be shown for (run dates are not customer data)."""
    return list(ScoringRun.objects.filter(status=ScoringRunStatus.DONE).order_by("-as_of")
                .values_list("as_of", flat=True)[:limit])


def visible_scores(*, viewer: User, run: ScoringRun) -> QuerySet[CustomerScore]:
    """The run's snapshots of the customers `viewer` may see."""
    visible = visible_to(viewer)
    scores = CustomerScore.objects.filter(as_of=run.as_of)
    if visible.query.is_empty():
        return scores.none()
    if visible.query.where:  # a restricted viewer; an unfiltered door is everyone, and needs no semi-join
        scores = scores.filter(customer_id__in=visible.values("pk"))
    return scores


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _sum_by(cube: list[dict[str, Any]], key: str | tuple[str, ...], *figures: str) -> dict[Any, list[Any]]:
    """Totals of `figures` per value of `key` (one column or several), over the cube's groups."""
    totals: dict[Any, list[Any]] = {}
    for group in cube:
        value = tuple(group[k] for k in key) if isinstance(key, tuple) else group[key]
        row = totals.setdefault(value, [0] * len(figures))
        for i, name in enumerate(figures):
            row[i] += group[name] or 0
    return totals


def _rank(tiers: dict[int, Tier], tier_id: int | None) -> tuple[int, int]:
    """Sort key, highest tier first; no tier below all."""
    if tier_id is None or tier_id not in tiers:
        return (2**31, 0)
    return (tiers[tier_id].position, tier_id)


def _tiers(cube: list[dict[str, Any]], total: int, tiers: dict[int, Tier]) -> list[TierCount]:
    counts = {pk: n for pk, (n,) in _sum_by(cube, "tier_id", "n").items()}
    order = sorted((pk for pk in counts if pk is not None), key=lambda pk: _rank(tiers, pk))
    rows = [TierCount(pk, tiers[pk].name if pk in tiers else "?", tiers[pk].color if pk in tiers else "#9ca3af",
                      counts[pk], _percent(counts[pk], total)) for pk in order]
    if counts.get(None):
        rows.append(TierCount(None, "", NO_TIER_COLOR, counts[None], _percent(counts[None], total)))
    return rows


def _tier_pairs(*, run: ScoringRun, previous: datetime.date, stored: list[tuple[int | None, int | None, int]],
                scores: QuerySet[CustomerScore]) -> list[tuple[int | None, int | None, int]]:
    """(tier before, tier after, customers) for every pair that differs between the run
    before and this one.

    The stored moves (the tier changes the run recorded) answer it when they compare with
    that same run. They don't when the run was a backfill (scored with later runs already
    there, it records no changes) or a run was backfilled between the two: then the two
    snapshots are compared customer by customer, as the tiers in force on either date."""
    if (run.parameters or {}).get("tier_changes_since") == previous.isoformat():
        return stored
    before = CustomerScore.objects.filter(as_of=previous, customer_id=OuterRef("customer_id")).values("tier_id")[:1]
    pairs = (scores.annotate(before=Subquery(before)).values_list("before", "tier_id")
             .annotate(n=Count("*")).order_by())
    return [(old, new, n) for old, new, n in pairs if old != new]


def _movement(*, run: ScoringRun, stored: list[tuple[int | None, int | None, int]],
              scores: QuerySet[CustomerScore], total: int, tiers: dict[int, Tier]) -> Movement | None:
    previous = (ScoringRun.objects.filter(status=ScoringRunStatus.DONE, as_of__lt=run.as_of)
                .order_by("-as_of").values_list("as_of", flat=True).first())
    if previous is None:
        return None
    pairs = _tier_pairs(run=run, previous=previous, stored=stored, scores=scores)
    up = down = 0
    transitions = []
    for from_id, to_id, n in pairs:
        direction = UP if _rank(tiers, to_id) < _rank(tiers, from_id) else DOWN
        if direction == UP:
            up += n
        else:
            down += n
        transitions.append(Transition(tiers[from_id].name if from_id in tiers else "",
                                      tiers[to_id].name if to_id in tiers else "", direction, n))
    transitions.sort(key=lambda t: (-t.customers, t.from_name, t.to_name))
    return Movement(previous, up, down, max(total - up - down, 0), transitions)


def _rfm_grid(cube: list[dict[str, Any]]) -> list[list[int]]:
    cells = _sum_by(cube, ("r_score", "f_score"), "n")
    return [[cells.get((r, f), [0])[0] for f in sorted(RFM_SCORES)] for r in RFM_SCORES]


def _groups(cube: list[dict[str, Any]], column: str, choices: Any) -> list[GroupFigures]:
    rows = _sum_by(cube, column, "n", "revenue")
    whole = sum(float(revenue) for _n, revenue in rows.values())
    labels = dict(choices.choices)
    ordered = [key for key in labels if key in rows] + [key for key in rows if key and key not in labels]
    out = [GroupFigures(key, str(labels.get(key, key)), rows[key][0], _money(rows[key][1]),
                        _percent(float(rows[key][1]), whole)) for key in ordered]
    if "" in rows:
        out.append(GroupFigures("", _("No purchases yet"), rows[""][0], _money(rows[""][1]), 0.0))
    return out


def _clv(cube: list[dict[str, Any]]) -> tuple[list[ClvBucket], int]:
    at_least = [sum(group[f"clv_ge_{i}"] for group in cube) for i in range(len(CLV_EDGES))] + [0]
    buckets = [ClvBucket(Decimal(low), Decimal(CLV_EDGES[i + 1]) if i + 1 < len(CLV_EDGES) else None,
                         at_least[i] - at_least[i + 1]) for i, low in enumerate(CLV_EDGES)]
    # Empty buckets above the highest value say nothing: the chart ends where the customers do.
    while len(buckets) > 1 and buckets[-1].customers == 0:
        buckets.pop()
    return buckets, sum(group["clv_unknown"] for group in cube)


def _churn_levels(cube: list[dict[str, Any]]) -> list[RiskCount]:
    rows = _sum_by(cube, "churn_risk", "n", "clv_sum")
    levels = (ChurnRisk.HIGH, ChurnRisk.MEDIUM, ChurnRisk.NONE)
    return [RiskCount(level.value, str(level.label), rows.get(level.value, [0, 0])[0],
                      _money(rows.get(level.value, [0, 0])[1])) for level in levels]


def _at_risk(scores: QuerySet[CustomerScore], run: ScoringRun, tiers: dict[int, Tier]) -> list[AtRisk]:
    """The most valuable customers showing a churn signal, with the reasons in words.

    Two steps: the ids from the index `customer_score_at_risk` alone, walked backwards (so
    the database stops at the tenth at-risk row), then the few rows shown. Those with a CLV
    come first, in the index's own order; only if fewer than ten have one (models not
    fitted) are the rest ranked by window spend. (One ORDER BY clv DESC NULLS LAST matches
    no index order — PostgreSQL keeps NULLs last ascending, first descending — and sorted all
    690,000 at-risk rows of a million-customer run: 0.9 s.)"""
    ranking = (F("clv").desc(nulls_last=True), "-monetary", "-customer_id")
    at_risk = scores.filter(churn_risk__in=[ChurnRisk.HIGH, ChurnRisk.MEDIUM])
    ids = list(at_risk.filter(clv__isnull=False).order_by("-clv", "-monetary", "-customer_id")
               .values_list("customer_id", flat=True)[:AT_RISK_SHOWN])
    if len(ids) < AT_RISK_SHOWN:
        ids += list(at_risk.filter(clv__isnull=True).order_by("-monetary", "-customer_id")
                    .values_list("customer_id", flat=True)[:AT_RISK_SHOWN - len(ids)])
    top = (CustomerScore.objects.filter(as_of=run.as_of, customer_id__in=ids).select_related("customer")
           .order_by(*ranking))
    settings = (run.parameters or {}).get("churn", {})
    return [AtRisk(s.customer_id, s.customer.name, s.churn_risk, s.get_churn_risk_display(), s.clv, s.monetary,
                   tiers[s.tier_id].name if s.tier_id in tiers else "",
                   [churn.describe(reason) for reason in churn.reasons(s, settings)]) for s in top]


def dashboard_of(*, viewer: User, run: ScoringRun) -> Dashboard:
    """Every figure of the dashboard for `viewer`, as of `run`. Saved segments (a higher app)
    are added by the caller: `kehu.segments.selectors.segment_figures`."""
    scores = visible_scores(viewer=viewer, run=run)
    tiers = {t.pk: t for t in Tier.objects.all()}
    figures = dashboard_cells.figures_for(viewer, run)
    cube = figures.cube
    total, buyers, revenue, clv = _sum_by(cube, (), "n", "buyers", "revenue", "clv_sum").get((), [0, 0, 0, 0])
    buckets, unknown = _clv(cube)
    parameters = run.parameters or {}
    return Dashboard(
        run=run, customers=total, buyers=buyers, revenue=_money(revenue), clv_total=_money(clv),
        window_days=parameters.get("window_days"), clv_months=parameters.get("clv_months"),
        tiers=_tiers(cube, total, tiers),
        movement=_movement(run=run, stored=figures.moves, scores=scores, total=total, tiers=tiers),
        rfm_grid=_rfm_grid(cube), rfm_segments=_groups(cube, "rfm_segment", RfmSegment),
        value_classes=_groups(cube, "value_class", ValueClass), clv_buckets=buckets, clv_unknown=unknown,
        churn_levels=_churn_levels(cube), at_risk=_at_risk(scores, run, tiers),
    )


def as_data(dashboard: Dashboard | None, runs: list[datetime.date]) -> dict[str, Any]:
    """The figures as plain data (what the API and `kehu dashboard --json` give)."""
    if dashboard is None:
        return {"as_of": None, "available_runs": runs}
    data = {f.name: getattr(dashboard, f.name) for f in fields(dashboard) if f.name not in ("run", "movement")}
    data = {key: [asdict(item) for item in value] if isinstance(value, list) and value and is_dataclass(value[0])
            else value for key, value in data.items()}
    movement = dashboard.movement
    data["movement"] = None if movement is None else {
        "previous_as_of": movement.previous_as_of, "up": movement.up, "down": movement.down,
        "unchanged": movement.unchanged,
        "transitions": [{"from_tier": t.from_name, "to_tier": t.to_name, "direction": t.direction,
                         "customers": t.customers} for t in movement.transitions]}
    return {"as_of": dashboard.as_of, "available_runs": runs, **data}
