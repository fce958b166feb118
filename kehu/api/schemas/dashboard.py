"""The Insights dashboard's figures over HTTP: the same as the page shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import choice
from kehu.insights.choices import ChurnRisk


class DashboardQuery(Schema):
    as_of: datetime.date | None = Field(None, description="A completed scoring run's date (YYYY-MM-DD); default the "
                                        "latest. A date without a completed run answers 404.")


class TierCountOut(Schema):
    tier_id: int | None = Field(description="Null: customers no tier matched.")
    name: str
    color: str
    customers: int
    percent: float = Field(description="Share of the customers in the run, in %.")


class TransitionOut(Schema):
    from_tier: str = Field(description="Tier names as they are now; \"\" = no tier.")
    to_tier: str
    direction: str = Field(description="`up` or `down` (no tier counts as the lowest).")
    customers: int


class MovementOut(Schema):
    previous_as_of: datetime.date = Field(description="The scoring run compared with.")
    up: int
    down: int
    unchanged: int
    transitions: list[TransitionOut]


class GroupOut(Schema):
    key: str = Field(description="The segment or class code; \"\" = customers without purchases.")
    label: str = Field(description="In the request's language.")
    customers: int
    revenue: Decimal = Field(description="Spend in the scoring window (CNY).")
    percent: float = Field(description="Share of the window revenue, in %.")


class ClvBucketOut(Schema):
    low: Decimal = Field(description="CLV from (inclusive), CNY.")
    high: Decimal | None = Field(description="CLV below (exclusive); null: no upper bound.")
    customers: int


class RiskCountOut(Schema):
    risk: choice(ChurnRisk)
    label: str
    customers: int
    clv: Decimal = Field(description="The CLV these customers carry (CNY).")


class AtRiskOut(Schema):
    customer_id: int
    name: str
    risk: choice(ChurnRisk)
    risk_label: str
    clv: Decimal | None
    monetary: Decimal = Field(description="Spend in the scoring window.")
    tier: str
    reasons: list[str] = Field(description="Why, in words (in the request's language).")


class SavedSegmentOut(Schema):
    segment_id: int
    name: str
    customers: int = Field(description="Members you may see in the scoring run (whatever their consent).")
    revenue: Decimal


class DashboardOut(Schema):
    """Every figure is counted over the customers the caller may see."""

    as_of: datetime.date | None = Field(description="The scoring run shown; null when none has run yet (start one "
                                        "with POST /api/insights/scoring-runs), and every figure is then empty.")
    available_runs: list[datetime.date] = Field(description="Dates of completed runs, latest first (at most 30).")
    customers: int = 0
    buyers: int = Field(0, description="Customers with at least one purchase before the as-of date.")
    revenue: Decimal = Field(Decimal(0), description="Their spend in the scoring window (CNY).")
    clv_total: Decimal = Decimal(0)
    window_days: int | None = Field(None, description="The RFM window; null: all history.")
    clv_months: int | None = None
    tiers: list[TierCountOut] = Field(default_factory=list, description="Highest tier first.")
    movement: MovementOut | None = Field(None, description="Null for the first run (nothing to compare with).")
    rfm_grid: list[list[int]] = Field(default_factory=list, description="Customers per R score (rows 5…1) × F score "
                                      "(columns 1…5).")
    rfm_segments: list[GroupOut] = Field(default_factory=list)
    value_classes: list[GroupOut] = Field(default_factory=list)
    clv_buckets: list[ClvBucketOut] = Field(default_factory=list, description="Customers with purchases per CLV "
                                            "bucket (log-spaced, CNY), up to the highest non-empty bucket.")
    clv_unknown: int = Field(0, description="Customers with purchases but no CLV estimate.")
    churn_levels: list[RiskCountOut] = Field(default_factory=list)
    at_risk: list[AtRiskOut] = Field(default_factory=list, description="The most valuable customers with a churn "
                                     "signal (by CLV), at most 10.")
    saved_segments: list[SavedSegmentOut] = Field(default_factory=list, description="At most 20, by name.")
