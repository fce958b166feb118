"""Every write of the insights app: scoring runs, tier definitions, overrides.

Each is one transaction with its audit event; bad input raises ValidationError with
field-level messages before anything is written; permission is checked first.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure
from kehu.audit.services import audit, diff
from kehu.core.sql import refresh_statistics
from kehu.customers.models import Customer
from kehu.customers.selectors import visible_to
from kehu.insights import affinity, aggregates, dashboard_cells, scoring, snapshots, tier_rules
from kehu.insights.aggregates import epoch_days
from kehu.insights.choices import TierChangeCause, TierMatch
from kehu.insights.config import ScoringConfig, check_as_of, periods_of
from kehu.insights.models import CustomerScore, ScoringRun, ScoringRunStatus, Tier, TierChange, TierOverride

# ------------------------------------------------------------------ scoring


def _json_safe(value: Any) -> Any:
    """NaN and ±∞ (an empty base's thresholds, q ≤ 1's population mean) are not JSON: store null."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _counts(values: np.ndarray) -> dict[str, int]:
    keys, counts = np.unique(values.astype(str), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys, counts, strict=True)}


class _Laps:
    """Seconds per stage of a run, each from the end of the one before."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.monotonic()

    def mark(self, stage: str) -> None:
        now = time.monotonic()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now


def scoring_run(
    *, actor: User | None = None, as_of: datetime.date | None = None, config: ScoringConfig | None = None,
    progress: snapshots.Progress | None = None,
) -> ScoringRun:
    """Score the whole base as of a date (default today): idempotent per date.

    `actor` None is the system (the command, a scheduled task); a person must be allowed to
    configure the archive.
    """
    if actor is not None and not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers may start a scoring run."))
    as_of = check_as_of(as_of if as_of is not None else timezone.localdate())
    config = config or ScoringConfig()
    config.validate()
    started = time.monotonic()
    laps = _Laps()
    periods = periods_of(as_of, config)
    report = progress or (lambda stage, done, total: None)
    report("read", 0, 1)
    figures = aggregates.load(periods)
    laps.mark("read")
    report("read", 1, 1)
    report("model", 0, 1)
    table = scoring.compute(figures, config, cutoff=epoch_days(periods.cutoff),
                            holdout_start=epoch_days(periods.holdout_start))
    moment = min(timezone.now(), periods.cutoff)
    tiers = snapshots.active_tiers()
    tiering = snapshots.assign(table, tiers, moment)
    laps.mark("model")
    # Co-purchase neighbours: grouped SQL over (customer, item) pairs, read before the write
    # transaction like the figures, so the lock is held only while rows go in.
    neighbours = affinity.compute(periods.cutoff, config.affinity, customers=figures.size)
    laps.mark("affinity")
    report("model", 1, 1)
    with transaction.atomic():
        run, _created = ScoringRun.objects.select_for_update().get_or_create(as_of=as_of)
        run.status, run.started_at, run.requested_by, run.error = ScoringRunStatus.RUNNING, timezone.now(), actor, ""
        run.save()
        # Read in the write transaction: a later change of owner is stamped after this moment.
        owners_read_at = timezone.now()
        owners = aggregates.ownership(table.figures.customer_ids)
        laps.mark("owners")
        written = snapshots.write_scores(run, table, tiering, owners, progress)
        laps.mark("snapshots")
        moves = snapshots.write_changes(run, table, tiering, moment)
        laps.mark("tier_changes")
        affinity.write(run, neighbours)
        laps.mark("affinity_write")
        run.parameters = _json_safe(config.as_dict() | {
            "cutoff": periods.cutoff.isoformat(), "thresholds": table.thresholds,
            # The run the recorded tier changes compare with (the dashboard's movement).
            "tier_changes_since": moves.since.isoformat() if moves.since else None,
            "tiers": [{"id": t.pk, "name": t.name, "match": t.match, "conditions": t.conditions} for t in tiers],
        })
        run.diagnostics = _json_safe(table.diagnostics | {
            "affinity": {result.kind: result.as_dict() for result in neighbours} | {
                "seconds": round(laps.seconds["affinity"] + laps.seconds["affinity_write"], 3)}})
        run.counts = {
            "customers": written, "buyers": int(table.buyers.sum()), "tier_changes": moves.count,
            "rfm_segment": _counts(table.segment[table.buyers]), "value_class": _counts(table.value_class[table.buyers]),
            "churn_risk": _counts(table.churn.risk), "tier": _counts(np.array([tiering.names.get(t, "") for t in
                                                                              tiering.tier.tolist()], dtype=object)),
        }
        dashboard_cells.build(run, owners_read_at, snapshots.dashboard_groups(table, tiering, owners),
                              snapshots.dashboard_moves(moves, owners))
        laps.mark("dashboard_cells")
        run.diagnostics["seconds"] = laps.seconds  # where the run's time went, per stage
        run.status, run.finished_at = ScoringRunStatus.DONE, timezone.now()
        run.duration_seconds = round(time.monotonic() - started, 3)
        run.save()
        audit(actor=actor, action="insights.score", target=run,
              changes={"as_of": as_of.isoformat(), "customers": written, "tier_changes": moves.count})
    refresh_statistics(CustomerScore, TierChange)
    return run


# ------------------------------------------------------------------ tiers


def _require_configure(actor: User, what: str) -> None:
    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers may %(what)s.") % {"what": what})


_SPEC_KEYS = {"name", "match", "conditions", "description", "color"}


def _as_spec(item: Any, index: int) -> tier_rules.TierSpec:
    if isinstance(item, tier_rules.TierSpec):
        return item
    if not isinstance(item, dict):
        raise ValidationError({f"tiers[{index}]": [_("A tier is an object with a name and conditions.")]})
    unknown = set(item) - _SPEC_KEYS
    if unknown:
        raise ValidationError({f"tiers[{index}]": [_("Unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}]})
    return tier_rules.TierSpec(
        name=str(item.get("name") or "").strip(), conditions=item.get("conditions") or [],
        match=item.get("match", TierMatch.ALL), description=str(item.get("description") or ""),
        color=str(item.get("color") or "#6b7280"),
    )


def _tier_state(tier: Tier) -> dict[str, Any]:
    return {"name": tier.name, "position": tier.position, "match": tier.match, "conditions": tier.conditions,
            "description": tier.description, "color": tier.color, "active": tier.active}


def tiers_define(*, actor: User, tiers: Sequence[Any]) -> list[Tier]:
    """Replace the ordered tier list. Tiers keep their identity by name; tiers left out are
    retired (kept for history). Rejected as a whole if any rule is wrong."""
    _require_configure(actor, _("define tiers"))
    if not isinstance(tiers, list | tuple):
        raise ValidationError({"tiers": [_("Give the tiers as a list, highest first.")]})
    specs = [_as_spec(item, index) for index, item in enumerate(tiers)]
    tier_rules.validate(specs)
    now = timezone.now()
    with transaction.atomic():
        existing = {t.name.casefold(): t for t in Tier.objects.select_for_update()}
        kept: list[Tier] = []
        for position, spec in enumerate(specs, start=1):
            tier = existing.pop(spec.name.casefold(), None)
            before = _tier_state(tier) if tier else {}
            tier = tier or Tier(name=spec.name)
            tier.name, tier.position, tier.match, tier.conditions = spec.name, position, spec.match, spec.conditions
            tier.description, tier.color, tier.active, tier.updated_at = spec.description, spec.color, True, now
            tier.full_clean()
            tier.save()
            changed = diff(before, _tier_state(tier))
            if changed:
                audit(actor=actor, action="insights.tier_save", target=tier, changes=changed)
            kept.append(tier)
        for tier in existing.values():
            if tier.active:
                before = _tier_state(tier)
                tier.active, tier.updated_at = False, now
                tier.save(update_fields=["active", "updated_at"])
                audit(actor=actor, action="insights.tier_retire", target=tier, changes=diff(before, _tier_state(tier)))
                _end_overrides_of_retired(actor=actor, tier=tier, now=now)
    return kept


def _end_overrides_of_retired(*, actor: User, tier: Tier, now: datetime.datetime) -> None:
    """A retired tier cannot be in force: its open overrides end, and the customers go back to the rules."""
    for override in TierOverride.objects.select_for_update().filter(tier=tier, ended_at__isnull=True):
        was_in_force = override.in_force_at(now)
        override.ended_at, override.ended_by = now, actor
        override.save(update_fields=["ended_at", "ended_by"])
        if was_in_force:
            _record_change(customer_id=override.customer_id, old=tier, new=_rule_tier_now(override.customer_id),
                           cause=TierChangeCause.OVERRIDE_ENDED,
                           reason=_("Tier “%(name)s” was retired.") % {"name": tier.name}, actor=actor)
        audit(actor=actor, action="insights.tier_override_end", target=override, customer_id=override.customer_id,
              changes={"ended_at": now.isoformat(), "reason": "tier retired"})


# ------------------------------------------------------------------ overrides


def _rule_tier_now(customer_id: int) -> Tier | None:
    run = ScoringRun.current()
    if run is None:
        return None
    score = CustomerScore.objects.filter(as_of=run.as_of, customer_id=customer_id).select_related("rule_tier").first()
    return score.rule_tier if score else None


def _open_override(customer_id: int) -> TierOverride | None:
    return (TierOverride.objects.select_for_update().filter(customer_id=customer_id, ended_at__isnull=True)
            .select_related("tier").first())


def tier_in_force(customer_id: int, moment: datetime.datetime | None = None) -> Tier | None:
    """The override's tier while it is in force, otherwise what the latest rules gave."""
    moment = moment or timezone.now()
    override = TierOverride.objects.filter(customer_id=customer_id, ended_at__isnull=True).select_related("tier").first()
    if override is not None and override.in_force_at(moment):
        return override.tier
    return _rule_tier_now(customer_id)


def _record_change(*, customer_id: int, old: Tier | None, new: Tier | None, cause: str, reason: str,
                   actor: User | None) -> TierChange | None:
    if (old.pk if old else None) == (new.pk if new else None):
        return None
    return TierChange.objects.create(
        customer_id=customer_id, changed_at=timezone.now(), from_tier=old, to_tier=new,
        from_name=old.name if old else "", to_name=new.name if new else "", cause=cause, reason=reason[:500],
        actor=actor,
    )


def tier_override_set(
    *, actor: User, customer: Customer, tier: Tier, reason: str, expires_at: datetime.datetime | None = None
) -> TierOverride:
    """Put a customer in a tier by hand until `expires_at` (or until ended); replaces any open override."""
    _require_configure(actor, _("override tiers"))
    if not visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("No such customer."))
    errors: dict[str, list[str]] = {}
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = [_("Say why this customer's tier is set by hand.")]
    elif len(reason) > 500:
        errors["reason"] = [_("At most 500 characters.")]
    if not isinstance(tier, Tier) or not tier.pk or not Tier.objects.filter(pk=tier.pk, active=True).exists():
        errors["tier"] = [_("Choose one of the active tiers.")]
    now = timezone.now()
    if expires_at is not None and (not isinstance(expires_at, datetime.datetime) or timezone.is_naive(expires_at)):
        errors["expires_at"] = [_("A date and time with a time zone.")]
    elif expires_at is not None and expires_at <= now:
        errors["expires_at"] = [_("The override must end in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = tier_in_force(customer.pk, now)
        previous = _open_override(customer.pk)
        if previous is not None:
            previous.ended_at, previous.ended_by = now, actor
            previous.save(update_fields=["ended_at", "ended_by"])
        override = TierOverride.objects.create(customer=customer, tier=tier, reason=reason, starts_at=now,
                                               expires_at=expires_at, created_by=actor)
        _record_change(customer_id=customer.pk, old=before, new=tier, cause=TierChangeCause.OVERRIDE, reason=reason,
                       actor=actor)
        audit(actor=actor, action="insights.tier_override", target=override, customer_id=customer.pk,
              changes={"tier": [before.name if before else None, tier.name], "reason": reason,
                       "expires_at": expires_at.isoformat() if expires_at else None})
    return override


def tier_override_end(*, actor: User, override: TierOverride, reason: str = "") -> TierOverride:
    """End an override now: the customer goes back to what the rules gave."""
    _require_configure(actor, _("override tiers"))
    if not visible_to(actor).filter(pk=override.customer_id).exists():
        raise PermissionDenied(_("No such customer."))
    now = timezone.now()
    with transaction.atomic():
        override = TierOverride.objects.select_for_update().select_related("tier").get(pk=override.pk)
        if override.ended_at is not None:
            raise ValidationError({"override": [_("This override has already ended.")]})
        was_in_force = override.in_force_at(now)
        override.ended_at, override.ended_by = now, actor
        override.save(update_fields=["ended_at", "ended_by"])
        if was_in_force:
            _record_change(customer_id=override.customer_id, old=override.tier, new=_rule_tier_now(override.customer_id),
                           cause=TierChangeCause.OVERRIDE_ENDED, reason=" ".join(reason.split()) or _("Override ended."),
                           actor=actor)
        audit(actor=actor, action="insights.tier_override_end", target=override, customer_id=override.customer_id,
              changes={"ended_at": now.isoformat(), "reason": reason})
    return override
