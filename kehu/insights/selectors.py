"""Reads of derived figures, for pages and the API: each starts from `visible_to(viewer)`.

A customer's figures are one row of `CustomerScore` at the current run's date, found through
the unique (customer, as_of) index: O(1) per customer, one query for a whole list page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from kehu.accounts.models import User
from kehu.accounts.permissions import sees_all_customers
from kehu.customers.models import Customer
from kehu.customers.selectors import may_see, visible_to
from kehu.insights import churn
from kehu.insights.models import CustomerScore, ScoringRun, Tier, TierChange, TierOverride
from kehu.insights.tier_rules import rule_reason


def current_run() -> ScoringRun | None:
    return ScoringRun.current()


@dataclass(frozen=True)
class CustomerInsight:
    """What a customer page shows: the latest snapshot, the tier in force and why."""

    score: CustomerScore | None
    tier: Tier | None
    override: TierOverride | None
    churn_reasons: list[str] = field(default_factory=list)
    tier_reason: str = ""

    @property
    def as_of(self) -> datetime.date | None:
        return self.score.as_of if self.score else None


def insight_of(*, viewer: User, customer_id: int, run: ScoringRun | None = None) -> CustomerInsight | None:
    """None when the viewer may not see the customer (pages answer 404, as for a missing one)."""
    if not may_see(viewer, customer_id):
        return None
    run = run or current_run()
    score = (CustomerScore.objects.filter(as_of=run.as_of, customer_id=customer_id).select_related("tier", "rule_tier").first()
             if run else None)
    now = timezone.now()
    override = (TierOverride.objects.filter(customer_id=customer_id, ended_at__isnull=True).select_related("tier")
                .first())
    if override is not None and not override.in_force_at(now):
        override = None
    # An override that expired since the last run no longer counts: fall back to the rules' tier.
    tier = override.tier if override else (score.rule_tier if score else None)
    settings = run.parameters.get("churn", {}) if run else {}
    reasons = [churn.describe(reason) for reason in churn.reasons(score, settings)] if score else []
    why = override.reason if override else (rule_reason(run.parameters, score.rule_tier_id) if score and run else "")
    return CustomerInsight(score, tier, override, reasons, why)


def scores_for(*, viewer: User, customer_ids: Iterable[int], run: ScoringRun | None = None) -> dict[int, CustomerScore]:
    """Snapshots of several customers (a list page) in one query; invisible ones are left out."""
    run = run or current_run()
    if run is None:
        return {}
    visible = visible_to(viewer).filter(pk__in=list(customer_ids)).values("pk")
    return {s.customer_id: s for s in CustomerScore.objects.filter(as_of=run.as_of, customer_id__in=visible)}


def score_history(*, viewer: User, customer_id: int, limit: int = 24) -> list[CustomerScore]:
    if not may_see(viewer, customer_id):
        return []
    return list(CustomerScore.objects.filter(customer_id=customer_id).order_by("-as_of")[:limit])


def tier_history(*, viewer: User, customer_id: int, limit: int | None = None) -> list[TierChange]:
    """Newest first; what the customer page's tier history and the timeline show.

    `limit` bounds a page's cost whatever the length of the history."""
    if not may_see(viewer, customer_id):
        return []
    changes = TierChange.objects.filter(customer_id=customer_id).select_related("actor").order_by("-changed_at", "-id")
    return list(changes[:limit] if limit is not None else changes)


def customers_in_tier(*, viewer: User, tier: Tier, run: ScoringRun | None = None) -> QuerySet[Customer]:
    """Visible customers whose tier at the current run is `tier` (for segments and target lists)."""
    run = run or current_run()
    if run is None:
        return Customer.objects.none()
    members = CustomerScore.objects.filter(as_of=run.as_of, tier=tier).values("customer_id")
    return visible_to(viewer).filter(pk__in=members)


def tier_list() -> list[Tier]:
    """The active tiers in evaluation order (definitions are not customer data)."""
    return list(Tier.objects.filter(active=True).order_by("position", "id"))


def scoring_runs(*, viewer: User, limit: int = 50) -> list[ScoringRun]:
    """Run history with fit diagnostics: base-wide figures, so only for those who see everyone."""
    if not sees_all_customers(viewer):
        return []
    return list(ScoringRun.objects.order_by("-as_of")[:limit])
