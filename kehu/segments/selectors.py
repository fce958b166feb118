"""Reading segments and their members; members always within what the viewer may see."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from kehu.accounts.models import User
from kehu.accounts.permissions import role_of
from kehu.customers.models import Consent, ConsentPurpose, Customer
from kehu.customers.selectors import visible_to
from kehu.insights.dashboard import Dashboard, SavedSegmentFigures, dashboard_of
from kehu.insights.models import CustomerScore, ScoringRun
from kehu.segments import conditions as vocabulary
from kehu.segments.models import Segment

# Why a member list is wanted. A marketing list (the default: a segment is a target list)
# holds only customers with a marketing consent in force, so a withdrawal takes them off
# every list at once; a service list (calling customers about their own orders) holds all.
PURPOSES = ("marketing", "service")


def segments_for(viewer: User) -> QuerySet[Segment]:
    """Segment definitions hold no personal data: every staff role sees them all."""
    if role_of(viewer) is None:
        return Segment.objects.none()
    return Segment.objects.select_related("created_by")


def with_marketing_consent(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    active = Consent.objects.filter(customer_id=OuterRef("pk"), purpose=ConsentPurpose.MARKETING,
                                    withdrawn_at__isnull=True)
    return customers.filter(Exists(active))


def members(*, viewer: User, segment: Segment, purpose: str = "marketing") -> QuerySet[Customer]:
    """The segment's customers that `viewer` may see, newest first."""
    run = ScoringRun.current()
    customers = visible_to(viewer).filter(vocabulary.to_filter(vocabulary.parse(segment.conditions), run))
    if purpose == "marketing":
        customers = with_marketing_consent(customers)
    return customers.select_related("owner", "team").order_by("-id")


SEGMENTS_ON_DASHBOARD = 20


def dashboard_for(*, viewer: User, run: ScoringRun) -> Dashboard:
    """The Insights dashboard of `run` as `viewer` may see it, saved segments included: the
    one composition the page, the API and `kehu dashboard` share (it lives here because
    segments build on insights, not the other way round)."""
    return dataclasses.replace(dashboard_of(viewer=viewer, run=run), saved_segments=segment_figures(viewer=viewer, run=run))


def segment_figures(*, viewer: User, run: ScoringRun) -> list[SavedSegmentFigures]:
    """Customers and revenue in the scoring window of each saved segment, for the Insights
    dashboard: all the members `viewer` may see (not only those with marketing consent),
    one aggregate per segment, at most SEGMENTS_ON_DASHBOARD segments (by name)."""
    rows = []
    for segment in segments_for(viewer).order_by("name")[:SEGMENTS_ON_DASHBOARD]:
        ids = members(viewer=viewer, segment=segment, purpose="service").order_by().values("pk")
        figures = CustomerScore.objects.filter(as_of=run.as_of, customer_id__in=ids).aggregate(
            n=Count("*"), revenue=Sum("monetary"))
        rows.append(SavedSegmentFigures(segment.pk, segment.name, figures["n"],
                                        Decimal(figures["revenue"] or 0).quantize(Decimal("0.01"))))
    return rows
