"""A customer's preferences: next-purchase estimate and co-purchase recommendations."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import choice
from kehu.insights.choices import AffinityKind

Basis = Literal["usual_gap", "model", "no_purchases", "too_few"]


class NextPurchaseOut(Schema):
    customer_id: int
    basis: Basis = Field(description="`usual_gap`: last purchase + the customer's own average days between purchases "
                         "(three purchases or more); `model`: one or two purchases, the gap the BG/NBD fit of the "
                         "latest scoring run expects for them; `no_purchases`; `too_few`: a short history and no fit yet.")
    basis_text: str = Field(description="The basis in words, in the request's language.")
    order_count: int = Field(description="Purchases that count (refunded and cancelled orders do not).")
    last_order_on: datetime.date | None
    gap_days: float | None = Field(description="The gap the estimate adds to the last purchase, in days.")
    expected_on: datetime.date | None = Field(description="Expected date of the next purchase; null without an estimate.")
    days_until: int | None = Field(description="Days from today to `expected_on`; negative when overdue.")
    overdue: bool
    status: str = Field(description="“Overdue by 12 days”, “Expected in 5 days”… in the request's language.")
    p_alive: float | None = Field(description="Probability still active (basis `model` only).")
    model_as_of: datetime.date | None = Field(description="Date of the scoring run whose fit was used (basis `model`).")


class RecommendationOut(Schema):
    kind: choice(AffinityKind)
    category: str = Field(description="The recommended category, or the recommended product's category.")
    product_id: int | None = Field(description="The recommended product (kind `product`).")
    name: str = Field(description="The category, or the product's name.")
    because_of: str = Field(description="Which of the customer's own categories or products this comes from.")
    both: int = Field(description="Customers who bought both (at least the run's minimum support).")
    source_buyers: int = Field(description="Customers who bought `because_of`.")
    confidence: float = Field(description="both / source_buyers: the share of `because_of`'s buyers who bought this.")
    lift: float = Field(description="How many times likelier than for any customer (always above 1).")
    reason: str = Field(description="The reason in words, in the request's language.")


class RecommendationsOut(Schema):
    customer_id: int
    as_of: datetime.date | None = Field(description="Date of the scoring run whose co-purchase figures were used; "
                                        "null before the first run.")
    min_support: int | None = Field(description="Customers a pair must have been bought by to count.")
    favourite_categories: list[str] = Field(description="The customer's top categories by spend.")
    categories: list[RecommendationOut] = Field(description="Categories this customer has not bought, strongest first.")
    products: list[RecommendationOut] = Field(description="Active products this customer has not bought, strongest first.")


class RecommendationQuery(Schema):
    limit: int = Field(5, ge=1, le=20, description="At most this many categories and this many products.")
