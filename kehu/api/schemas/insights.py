"""Derived figures (RFM, CLV, churn risk, tiers), tier rules and scoring runs: in and out."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, Strict

from kehu.api.schemas.common import Id, InputSchema, JsonDate, JsonDateTime, Page, choice, text
from kehu.api.schemas.customers import UserRef
from kehu.insights.choices import ChurnRisk, RfmSegment, TierChangeCause, TierMatch, TierSource, ValueClass
from kehu.insights.models import ScoringJobStatus, ScoringRunStatus
from kehu.insights.tier_rules import NAME_MAX_LENGTH, OPERATORS

OperatorValue = Literal[tuple(dict.fromkeys(op for ops in OPERATORS.values() for op in ops))]
# A condition compares with a number, a text or a list of them; strict so `true` is not 1,
# and bounded far beyond any money or count so every database and numpy hold it exactly.
NUMBER_LIMIT = 10**15
Scalar = (Annotated[int, Strict(), Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)]
          | Annotated[float, Strict(), Field(ge=-NUMBER_LIMIT, le=NUMBER_LIMIT)] | text(200))
ConditionValue = Scalar | Annotated[list[Scalar], Field(max_length=100)]


class TierRef(Schema):
    id: int
    name: str
    color: str


class ConditionIn(InputSchema):
    field: text(100) = Field(description="A scored figure (`rfm_score_total`, `clv`, `p_alive`, `rfm_segment`, …), a "
                             "customer attribute (`kind`, `tags`, `person.gender`, …) or `custom_fields.<key>`.")
    op: OperatorValue = Field(description="Which operators apply depends on the field (numbers: >= > <= < == != "
                              "between; choices and text: == != in not_in; tags: has has_not).")
    value: ConditionValue = Field(description="A number, a text, [low, high] for `between`, a list for `in`/`not_in`.")


class TierIn(InputSchema):
    name: text(NAME_MAX_LENGTH)
    match: choice(TierMatch) = "all"
    conditions: Annotated[list[ConditionIn], Field(max_length=50)] = Field(
        default_factory=list, description="Empty: everyone not taken by a tier above (a catch-all, so it goes last).")
    description: text(500) = ""
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#6b7280"


class TiersIn(InputSchema):
    tiers: Annotated[list[TierIn], Field(max_length=50)] = Field(
        description="Highest first: tiers are evaluated top-down and the first match wins. Tiers are matched to the "
        "existing ones by name; existing tiers left out are retired (their history stays).")


class ConditionOut(Schema):
    field: str
    op: str
    value: Any


class TierOut(Schema):
    id: int
    name: str
    position: int = Field(description="Evaluation order, 1 first.")
    match: choice(TierMatch)
    conditions: list[ConditionOut]
    description: str
    color: str


class ScoreOut(Schema):
    """One dated snapshot of a customer's figures."""

    as_of: datetime.date
    order_count: int = Field(description="All orders up to the as-of date.")
    total_spend: Decimal
    recency_days: int | None = Field(description="Days since the last purchase; null without purchases.")
    frequency: int = Field(description="Orders in the RFM window.")
    monetary: Decimal = Field(description="Spend in the RFM window.")
    r_score: int | None
    f_score: int | None
    m_score: int | None
    rfm_score_total: int | None
    rfm_segment: choice(RfmSegment, blank=True)
    rfm_segment_label: str
    value_class: choice(ValueClass, blank=True) = Field(description="The eight classes of Chinese retail (重要价值客户 …).")
    value_class_label: str
    clv: Decimal | None = Field(description="Customer lifetime value over the run's horizon; null if not fitted.")
    p_alive: float | None = Field(description="Probability the customer is still active (BG/NBD).")
    expected_purchases: float | None = Field(description="Expected purchases over the run's prediction period.")
    expected_order_value: Decimal | None
    churn_risk: choice(ChurnRisk)
    churn_risk_label: str
    tier: TierRef | None
    tier_source: choice(TierSource)


class OverrideIn(InputSchema):
    tier_id: Id = Field(description="An active tier.")
    reason: text(500) = Field(description="Why the tier is set by hand (required).")
    expires_at: JsonDateTime | None = Field(None, description="In the future; null: until ended. Without an offset: "
                                            "local time.")


class OverrideOut(Schema):
    id: int
    tier: TierRef
    reason: str
    starts_at: datetime.datetime
    expires_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    created_by: UserRef | None


class InsightOut(Schema):
    customer_id: int
    as_of: datetime.date | None = Field(description="Date of the scoring run shown; null when none has run yet.")
    tier: TierRef | None = Field(description="The tier in force: an override's while it lasts, else the rules'.")
    tier_source: choice(TierSource)
    tier_reason: str = Field(description="The override's reason, or the rule that gave the tier.")
    override: OverrideOut | None
    prediction_days: int | None = Field(description="The period `expected_purchases` covers.")
    score: ScoreOut | None = Field(description="Null before the first run, or for a customer added since.")
    churn_reasons: list[str] = Field(description="Why the churn risk, in words (in the request's language).")


class TierChangeOut(Schema):
    id: int
    changed_at: datetime.datetime
    as_of: datetime.date | None = Field(description="The scoring date that made the change; null for changes by hand.")
    from_tier: str = Field(description="Names as they were at the time.")
    to_tier: str
    cause: choice(TierChangeCause)
    cause_label: str
    reason: str
    actor: UserRef | None


class HistoryQuery(Schema):
    limit: int = Field(24, ge=1, le=200)


class RunCounts(Schema):
    customers: int = 0
    buyers: int = 0
    tier_changes: int = 0
    tiers: dict[str, int] = Field(default_factory=dict, description="Customers per tier name (\"\": no tier).")
    rfm_segments: dict[str, int] = Field(default_factory=dict)
    value_classes: dict[str, int] = Field(default_factory=dict)
    churn_risk: dict[str, int] = Field(default_factory=dict)


class ScoringRunOut(Schema):
    id: int
    as_of: datetime.date
    status: choice(ScoringRunStatus)
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    duration_seconds: float | None
    requested_by: UserRef | None
    counts: RunCounts


ScoringRunPage = Page[ScoringRunOut]


class ScoringStartIn(InputSchema):
    as_of: JsonDate | None = Field(None, description="Default today; not in the future, not before 1970. Re-scoring "
                                   "a date replaces its figures.")


class ScoringJobOut(Schema):
    id: int
    as_of: datetime.date
    status: choice(ScoringJobStatus)
    stage: str = Field(description="While running: read, model or write.")
    requested_by: UserRef | None
    requested_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    run_id: int | None = Field(description="The scoring run it produced, once done.")
    error: str
