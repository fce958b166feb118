"""/api/customers/{id}/next-purchase and /recommendations: a customer's preferences and needs.

Through `visible_to()` like every customer read (another team's customer answers like a
missing one). Recommendations carry base-wide rates only, never other customers.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from kehu.api.lookups import actor_of
from kehu.api.schemas.common import OBJECT_ERRORS, PathId
from kehu.api.schemas.preferences import NextPurchaseOut, RecommendationQuery, RecommendationsOut
from kehu.insights.recommendations import Preferences, Recommendation, preferences_of

router = Router(tags=["insights"])


def _preferences(request: HttpRequest, customer_id: int, limit: int = 5) -> Preferences:
    # preferences_of checks visibility itself: None is someone else's or a missing customer.
    preferences = preferences_of(viewer=actor_of(request), customer_id=customer_id, limit=limit)
    if preferences is None:
        raise Http404("No such customer.")
    return preferences


def _recommendation_out(item: Recommendation) -> dict[str, Any]:
    return {"kind": item.kind, "category": item.category or item.name, "product_id": item.product_id,
            "name": item.name, "because_of": item.because_of, "both": item.both, "source_buyers": item.source_buyers,
            "confidence": item.confidence, "lift": item.lift, "reason": item.reason()}


@router.get("/customers/{customer_id}/next-purchase", response={200: NextPurchaseOut, **OBJECT_ERRORS})
def get_next_purchase(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """When the customer is expected to buy next, whether that is overdue, and the basis of the estimate."""
    estimate = _preferences(request, customer_id).next_purchase
    return {"customer_id": customer_id, "basis": estimate.basis, "basis_text": estimate.basis_text(),
            "order_count": estimate.order_count, "last_order_on": estimate.last_order_on,
            "gap_days": round(estimate.gap_days, 1) if estimate.gap_days is not None else None,
            "expected_on": estimate.expected_on, "days_until": estimate.days_until, "overdue": estimate.overdue,
            "status": estimate.status(), "p_alive": estimate.p_alive, "model_as_of": estimate.as_of}


@router.get("/customers/{customer_id}/recommendations", response={200: RecommendationsOut, **OBJECT_ERRORS})
def get_recommendations(request: HttpRequest, customer_id: PathId, query: Query[RecommendationQuery]
                        ) -> dict[str, Any]:
    """Categories and products bought by customers who bought what this customer bought, and that this customer
    has not: "customers who bought A also bought B", from the latest scoring run's co-purchase figures (refunded
    and cancelled orders left out), each with its rate and lift."""
    preferences = _preferences(request, customer_id, query.limit)
    return {"customer_id": customer_id, "as_of": preferences.as_of, "min_support": preferences.min_support,
            "favourite_categories": preferences.favourite_categories,
            "categories": [_recommendation_out(item) for item in preferences.categories],
            "products": [_recommendation_out(item) for item in preferences.products]}
