"""Writing a scoring run: tiers (rules, then overrides), CustomerScore rows and tier changes.

Rows go in through `TableWriter` (COPY on PostgreSQL, executemany on SQLite) built column by
column from the arrays; re-running an as-of date deletes that run's rows first, inside the
same transaction, so a date never has two snapshots of one customer.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection

from kehu.core.bulk import TableWriter
from kehu.insights import cube, tier_eval, tier_rules
from kehu.insights.choices import CLV_EDGES, TierChangeCause, TierSource
from kehu.insights.models import CustomerScore, ScoringRun, ScoringRunStatus, Tier, TierChange, TierOverride
from kehu.insights.scoring import ScoreTable

WRITE_CHUNK = 50_000
Progress = Callable[[str, int, int], None]


def tier_specs(tiers: list[Tier]) -> list[tier_rules.TierSpec]:
    return [tier_rules.TierSpec(name=t.name, conditions=t.conditions, match=t.match) for t in tiers]


def active_tiers() -> list[Tier]:
    return list(Tier.objects.filter(active=True).order_by("position", "id"))


@dataclass
class Tiering:
    rule_tier: np.ndarray  # Tier id per customer, -1 = none
    tier: np.ndarray  # in force (override wins)
    source: np.ndarray  # TierSource values
    override: np.ndarray  # TierOverride id, -1 = none
    reason: np.ndarray  # text (kept for tier changes, not written per snapshot)
    names: dict[int, str]


def assign(table: ScoreTable, tiers: list[Tier], moment: datetime.datetime) -> Tiering:
    ids = table.figures.customer_ids
    specs = tier_specs(tiers)
    # Rules were validated when saved; check again so a hand-edited row fails loudly, not oddly.
    if specs:
        tier_rules.validate(specs)
    index = tier_eval.evaluate(specs, tier_eval.field_loader(table.rule_values(), ids), ids)
    tier_ids = np.array([t.pk for t in tiers] + [-1], dtype=np.int64)
    reasons = np.array([tier_rules.describe(s) for s in specs] + [""], dtype=object)
    rule_tier = tier_ids[index]  # index -1 picks the trailing -1
    tier = rule_tier.copy()
    source = np.where(rule_tier >= 0, TierSource.RULE.value, TierSource.NONE.value).astype(object)
    reason = reasons[index].copy()
    override = np.full(ids.size, -1, dtype=np.int64)
    overrides = (TierOverride.objects.filter(starts_at__lte=moment, tier__active=True)
                 .exclude(ended_at__lte=moment).exclude(expires_at__lte=moment)
                 .values_list("customer_id", "tier_id", "reason", "pk"))
    for customer_id, tier_id, why, pk in overrides:
        position = int(np.searchsorted(ids, customer_id))
        if position < ids.size and ids[position] == customer_id:
            tier[position], source[position], override[position] = tier_id, TierSource.OVERRIDE.value, pk
            reason[position] = why[:500]
    names = {t.pk: t.name for t in Tier.objects.all()}
    return Tiering(rule_tier, tier, source, override, reason, names)


def _floats(digits: int | None = None) -> Callable[[np.ndarray], list[float | None]]:
    def convert(values: np.ndarray) -> list[float | None]:
        rounded = np.round(values, digits) if digits is not None else values
        return [None if math.isnan(v) else v for v in rounded.tolist()]

    return convert


def _ints_or_none(values: np.ndarray) -> list[int | None]:
    """Ids and counts where negative or NaN means "none"."""
    return [None if v != v or v < 0 else int(v) for v in values.tolist()]


def _plain(values: np.ndarray) -> list[Any]:
    return values.tolist()


def _rows(columns: list[tuple[np.ndarray, Callable[[np.ndarray], list[Any]]]], start: int, stop: int) -> list[tuple]:
    """Rows start..stop as tuples: Python objects exist for one chunk at a time, so memory stays
    at the arrays (a million customers × 30 columns as Python lists would be gigabytes)."""
    return list(zip(*(convert(array[start:stop]) for array, convert in columns), strict=True))


def write_scores(run: ScoringRun, table: ScoreTable, tiering: Tiering, owners: tuple[np.ndarray, np.ndarray],
                 progress: Progress | None = None) -> int:
    """Every customer's snapshot; `owners` are the (owner, team) ids read for the dashboard
    cells (`aggregates.ownership`, -1 for none)."""
    f = table.figures
    n = f.size
    writer = TableWriter(CustomerScore)
    fields = {field.attname: field for field in writer.fields}
    scored = table.r_score > 0

    def score(values: np.ndarray) -> np.ndarray:
        return np.where(scored, values, -1)

    as_of = fields["as_of"].get_db_prep_save(run.as_of, connection)
    constant = lambda value: (np.zeros(n, dtype=np.int8), lambda chunk: [value] * chunk.size)  # noqa: E731
    money, exact = _floats(2), _floats()
    columns = {
        "customer_id": (f.customer_ids, _plain),
        "as_of": constant(as_of),
        "run_id": constant(run.pk),
        "order_count": (f.orders.astype(np.int64), _plain),
        "total_spend": (f.spend, money),
        "recency_days": (table.recency_days, _ints_or_none),
        "frequency": (f.window_orders.astype(np.int64), _plain),
        "monetary": (f.window_spend, money),
        "r_score": (score(table.r_score), _ints_or_none),
        "f_score": (score(table.f_score), _ints_or_none),
        "m_score": (score(table.m_score), _ints_or_none),
        "rfm_score_total": (score(table.r_score + table.f_score + table.m_score), _ints_or_none),
        "rfm_segment": (table.segment, _plain),
        "value_class": (table.value_class, _plain),
        "expected_purchases": (table.expected_purchases, exact),
        "p_alive": (table.p_alive, exact),
        "expected_order_value": (table.expected_order_value, money),
        "clv": (table.clv, money),
        "churn_risk": (table.churn.risk, _plain),
        "churn_signals": (table.churn.signals, _plain),
        "usual_gap_days": (table.churn.usual_gap_days, money),
        "spend_recent": (f.spend_recent, money),
        "spend_previous": (f.spend_previous, money),
        "rule_tier_id": (tiering.rule_tier, _ints_or_none),
        "tier_id": (tiering.tier, _ints_or_none),
        "tier_source": (tiering.source, _plain),
        "override_id": (tiering.override, _ints_or_none),
        "owner_id": (owners[0], _ints_or_none),
        "team_id": (owners[1], _ints_or_none),
    }
    missing = set(fields) - set(columns)
    assert not missing, f"columns not filled: {missing}"  # a new model field must be written here too
    ordered = [columns[field.attname] for field in writer.fields]
    CustomerScore.objects.filter(as_of=run.as_of).delete()
    for start in range(0, n, WRITE_CHUNK):
        writer.insert(_rows(ordered, start, start + WRITE_CHUNK))
        if progress:
            progress("write", min(start + WRITE_CHUNK, n), n)
    return n


def _previous_tiers(run: ScoringRun, ids: np.ndarray,
                    moment: datetime.datetime) -> tuple[np.ndarray, datetime.date] | None:
    """Each customer's tier before this run and the date of the run it compares with, or None
    when no changes are to be recorded: when
    this run is not the latest (a backfill), or is the first (the baseline — its tiers are the
    starting point of the history, read from its snapshot, not a million "changes").

    The tier in force after the previous run, updated by any manual override set or ended
    since (those were recorded as changes when they happened).
    """
    later = ScoringRun.objects.filter(status=ScoringRunStatus.DONE, as_of__gt=run.as_of).exists()
    if later:
        return None
    previous = np.full(ids.size, -1, dtype=np.int64)
    before = (ScoringRun.objects.filter(status=ScoringRunStatus.DONE, as_of__lt=run.as_of).exclude(pk=run.pk)
              .order_by("-as_of").first())
    if before is None:
        return None
    pairs = list(CustomerScore.objects.filter(run=before, tier__isnull=False).values_list("customer_id", "tier_id"))
    previous[:] = tier_eval._aligned(ids, pairs, -1, np.int64)
    manual = TierChange.objects.exclude(cause=TierChangeCause.SCORING).filter(changed_at__lte=moment)
    if before.finished_at is not None:
        manual = manual.filter(changed_at__gt=before.finished_at)
    for customer_id, to_tier in manual.order_by("changed_at", "id").values_list("customer_id", "to_tier_id"):
        position = int(np.searchsorted(ids, customer_id))
        if position < ids.size and ids[position] == customer_id:
            previous[position] = to_tier if to_tier is not None else -1
    return previous, before.as_of


@dataclass(frozen=True)
class TierMoves:
    """The tier changes a run recorded: positions in the run's arrays, tiers before and after
    (-1 none), and the date of the run they are changes from (None: none recorded)."""

    since: datetime.date | None
    moved: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @property
    def count(self) -> int:
        return int(self.moved.size)


_NONE_MOVED = np.zeros(0, dtype=np.int64)


def write_changes(run: ScoringRun, table: ScoreTable, tiering: Tiering, moment: datetime.datetime) -> TierMoves:
    """Tier changes this run causes (one row per customer whose tier moved), replacing any from
    an earlier run of the same date, with the date of the run they are changes from, so the
    dashboard knows whether they still describe its movement."""
    TierChange.objects.filter(as_of=run.as_of, cause=TierChangeCause.SCORING).delete()
    ids = table.figures.customer_ids
    compared = _previous_tiers(run, ids, moment)
    if compared is None:
        return TierMoves(None, _NONE_MOVED, _NONE_MOVED, _NONE_MOVED)
    previous, since = compared
    moved = np.flatnonzero(previous != tiering.tier)
    old, new = previous[moved], tiering.tier[moved]
    writer = TableWriter(TierChange)
    prepare = {f.attname: f for f in writer.fields}
    count = int(moved.size)
    names = np.vectorize(lambda t: tiering.names.get(int(t), ""), otypes=[object]) if count else None
    constant = lambda value: (np.zeros(count, dtype=np.int8), lambda chunk: [value] * chunk.size)  # noqa: E731
    columns = {
        "customer_id": (ids[moved], _plain),
        "changed_at": constant(prepare["changed_at"].get_db_prep_save(moment, connection)),
        "as_of": constant(prepare["as_of"].get_db_prep_save(run.as_of, connection)),
        "from_tier_id": (old, _ints_or_none),
        "to_tier_id": (new, _ints_or_none),
        "from_name": (names(old) if names else old, _plain),
        "to_name": (names(new) if names else new, _plain),
        "cause": constant(TierChangeCause.SCORING.value),
        "reason": (tiering.reason[moved], lambda chunk: [str(r)[:500] for r in chunk.tolist()]),
        "actor_id": constant(None),
    }
    ordered = [columns[f.attname] for f in writer.fields]
    for start in range(0, count, WRITE_CHUNK):
        writer.insert(_rows(ordered, start, start + WRITE_CHUNK))
    return TierMoves(since, moved, old, new)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """(code per row, distinct values): text through a dict (np.unique sorts Python strings
    one comparison at a time, 1 s for a million), numbers through np.unique."""
    if values.dtype != object:
        distinct, code = np.unique(values, return_inverse=True)
        return code.astype(np.int64), distinct.tolist()
    numbering: dict[Any, int] = {}
    code = np.fromiter((numbering.setdefault(v, len(numbering)) for v in values.tolist()), np.int64, values.size)
    return code, list(numbering)


def dashboard_groups(table: ScoreTable, tiering: Tiering, owners: tuple[np.ndarray, np.ndarray]) -> list[dict[str, Any]]:
    """The run's dashboard cells (kehu.insights.cube: owner and cube keys, then the figures),
    grouped here from the arrays just written rather than read back from a million rows.

    The values are those `write_scores` stores — scores of -1 as none, money rounded to the
    cent and summed in whole cents — so the cells equal `cube.count` over the snapshots
    (tests/insights/test_dashboard_cells.py checks it)."""
    n = table.figures.size
    if n == 0:
        return []
    scored = table.r_score > 0
    key_columns = {
        "owner_id": owners[0], "team_id": owners[1], "tier_id": tiering.tier,
        "r_score": np.where(scored, table.r_score, -1), "f_score": np.where(scored, table.f_score, -1),
        "rfm_segment": table.segment, "value_class": table.value_class, "churn_risk": table.churn.risk,
    }
    codes, values = [], []
    for column in cube.OWNER_KEYS + cube.CUBE_KEYS:
        code, distinct = _factorize(np.asarray(key_columns[column]))
        codes.append(code)
        values.append(distinct)
    combined, size = np.zeros(n, dtype=np.int64), 1
    for code, distinct in zip(codes, values, strict=True):
        if size * len(distinct) >= 2**62:  # renumber the groups so far before the key overflows
            _distinct, inverse = np.unique(combined, return_inverse=True)
            combined, size = inverse.astype(np.int64), _distinct.size
        combined, size = combined * len(distinct) + code, size * len(distinct)
    groups, group_of = np.unique(combined, return_inverse=True)
    first = np.zeros(groups.size, dtype=np.int64)
    first[group_of[::-1]] = np.arange(n)[::-1]  # a row of each group, to read its keys from

    def total(weights: np.ndarray) -> np.ndarray:
        # Float sums of whole numbers are exact below 2**53 cents (90 trillion in money).
        return np.rint(np.bincount(group_of, weights=weights.astype(np.float64), minlength=groups.size)).astype(np.int64)

    buyer = table.figures.orders > 0
    clv_cents = np.round(np.round(table.clv, 2) * 100)
    known = ~np.isnan(clv_cents)
    revenue_cents = np.round(np.nan_to_num(np.round(table.figures.window_spend, 2)) * 100)
    figures = {
        "n": total(np.ones(n)), "buyers": total(buyer), "clv_unknown": total(buyer & ~known),
        "revenue": total(revenue_cents), "clv_sum": total(np.where(known, clv_cents, 0)),
        **{name: total(known & (clv_cents >= edge * 100)) for name, edge in zip(cube.CLV_AT_LEAST, CLV_EDGES, strict=True)},
    }
    none_if_negative = {"owner_id", "team_id", "tier_id", "r_score", "f_score"}
    rows = []
    for g, row in enumerate(first.tolist()):
        keys = {}
        for column, code, distinct in zip(cube.OWNER_KEYS + cube.CUBE_KEYS, codes, values, strict=True):
            value = distinct[code[row]]
            keys[column] = None if column in none_if_negative and value < 0 else value
        cell = {name: int(sums[g]) for name, sums in figures.items()}
        cell["revenue"] = Decimal(cell["revenue"]) / 100
        cell["clv_sum"] = Decimal(cell["clv_sum"]) / 100
        rows.append(keys | cell)
    return rows


def dashboard_moves(moves: TierMoves, owners: tuple[np.ndarray, np.ndarray]) -> list[dict[str, Any]]:
    """The run's tier moves per owner and team (DashboardMove rows), from its arrays."""
    if not moves.count:
        return []
    columns = np.stack([owners[0][moves.moved], owners[1][moves.moved], moves.before, moves.after], axis=1)
    pairs, counts = np.unique(columns, axis=0, return_counts=True)
    names = ("owner_id", "team_id", "from_tier_id", "to_tier_id")
    return [{name: (None if value < 0 else value) for name, value in zip(names, pair.tolist(), strict=True)}
            | {"n": int(n)} for pair, n in zip(pairs, counts, strict=True)]
