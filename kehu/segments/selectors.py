"""Reading segments and their members; members always within what the viewer may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from kehu.accounts.models import User
from kehu.accounts.permissions import role_of
from kehu.customers.models import Consent, ConsentPurpose, Customer
from kehu.customers.selectors import visible_to
from kehu.insights.models import ScoringRun
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
