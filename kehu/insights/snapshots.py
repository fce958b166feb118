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
from typing import Any

import numpy as np
from django.db import connection

from kehu.core.bulk import TableWriter
from kehu.insights import tier_eval, tier_rules
from kehu.insights.choices import TierChangeCause, TierSource
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


def _floats(values: np.ndarray, digits: int | None = None) -> list[float | None]:
    rounded = np.round(values, digits) if digits is not None else values
    return [None if math.isnan(v) else v for v in rounded.tolist()]


def _ids_or_none(values: np.ndarray) -> list[int | None]:
    return [None if v < 0 else v for v in values.tolist()]


def write_scores(run: ScoringRun, table: ScoreTable, tiering: Tiering, progress: Progress | None = None) -> int:
    f = table.figures
    writer = TableWriter(CustomerScore)
    fields = {field.attname: field for field in writer.fields}
    scored = table.r_score > 0
    as_of = fields["as_of"].get_db_prep_save(run.as_of, connection)
    n = f.size
    score = lambda s: [v if ok else None for v, ok in zip(s.tolist(), scored.tolist(), strict=True)]  # noqa: E731
    columns: dict[str, list[Any]] = {
        "customer_id": f.customer_ids.tolist(),
        "as_of": [as_of] * n,
        "run_id": [run.pk] * n,
        "order_count": f.orders.astype(np.int64).tolist(),
        "total_spend": _floats(f.spend, 2),
        "recency_days": [None if math.isnan(v) else int(v) for v in table.recency_days.tolist()],
        "frequency": f.window_orders.astype(np.int64).tolist(),
        "monetary": _floats(f.window_spend, 2),
        "r_score": score(table.r_score),
        "f_score": score(table.f_score),
        "m_score": score(table.m_score),
        "rfm_score_total": score(table.r_score + table.f_score + table.m_score),
        "rfm_segment": table.segment.tolist(),
        "value_class": table.value_class.tolist(),
        "expected_purchases": _floats(table.expected_purchases),
        "p_alive": _floats(table.p_alive),
        "expected_order_value": _floats(table.expected_order_value, 2),
        "clv": _floats(table.clv, 2),
        "churn_risk": table.churn.risk.tolist(),
        "churn_signals": table.churn.signals.tolist(),
        "usual_gap_days": _floats(table.churn.usual_gap_days, 2),
        "spend_recent": _floats(f.spend_recent, 2),
        "spend_previous": _floats(f.spend_previous, 2),
        "rule_tier_id": _ids_or_none(tiering.rule_tier),
        "tier_id": _ids_or_none(tiering.tier),
        "tier_source": tiering.source.tolist(),
        "override_id": _ids_or_none(tiering.override),
    }
    missing = set(fields) - set(columns)
    assert not missing, f"columns not filled: {missing}"  # a new model field must be written here too
    ordered = [columns[field.attname] for field in writer.fields]
    CustomerScore.objects.filter(as_of=run.as_of).delete()
    for start in range(0, n, WRITE_CHUNK):
        writer.insert(list(zip(*(column[start:start + WRITE_CHUNK] for column in ordered), strict=True)))
        if progress:
            progress("write", min(start + WRITE_CHUNK, n), n)
    return n


def _previous_tiers(run: ScoringRun, ids: np.ndarray, moment: datetime.datetime) -> np.ndarray | None:
    """Each customer's tier before this run, or None when no changes are to be recorded: when
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
    since = None
    if before is not None:
        pairs = list(CustomerScore.objects.filter(run=before, tier__isnull=False).values_list("customer_id", "tier_id"))
        previous[:] = tier_eval._aligned(ids, pairs, -1, np.int64)
        since = before.finished_at
    manual = TierChange.objects.exclude(cause=TierChangeCause.SCORING).filter(changed_at__lte=moment)
    if since is not None:
        manual = manual.filter(changed_at__gt=since)
    for customer_id, to_tier in manual.order_by("changed_at", "id").values_list("customer_id", "to_tier_id"):
        position = int(np.searchsorted(ids, customer_id))
        if position < ids.size and ids[position] == customer_id:
            previous[position] = to_tier if to_tier is not None else -1
    return previous


def write_changes(run: ScoringRun, table: ScoreTable, tiering: Tiering, moment: datetime.datetime) -> int:
    """Tier changes this run causes (one row per customer whose tier moved), replacing any from
    an earlier run of the same date."""
    TierChange.objects.filter(as_of=run.as_of, cause=TierChangeCause.SCORING).delete()
    ids = table.figures.customer_ids
    previous = _previous_tiers(run, ids, moment)
    if previous is None:
        return 0
    moved = np.flatnonzero(previous != tiering.tier)
    old, new = previous[moved], tiering.tier[moved]
    writer = TableWriter(TierChange)
    prepare = {f.attname: f for f in writer.fields}
    count = int(moved.size)
    columns: dict[str, list[Any]] = {
        "customer_id": ids[moved].tolist(),
        "changed_at": [prepare["changed_at"].get_db_prep_save(moment, connection)] * count,
        "as_of": [prepare["as_of"].get_db_prep_save(run.as_of, connection)] * count,
        "from_tier_id": _ids_or_none(old), "to_tier_id": _ids_or_none(new),
        "from_name": [tiering.names.get(t, "") for t in old.tolist()],
        "to_name": [tiering.names.get(t, "") for t in new.tolist()],
        "cause": [TierChangeCause.SCORING.value] * count,
        "reason": [str(r)[:500] for r in tiering.reason[moved].tolist()],
        "actor_id": [None] * count,
    }
    ordered = [columns[f.attname] for f in writer.fields]
    for start in range(0, count, WRITE_CHUNK):
        writer.insert(list(zip(*(column[start:start + WRITE_CHUNK] for column in ordered), strict=True)))
    return count
