"""Sub-resources of a customer file: contact points, family members, relationships, dates.

Every route first fetches the customer through the selectors (invisible → 404), then the
row *of that customer* (a row id from another file → 404), then calls the service, which
checks the role may write (→ 403) and validates (→ 422).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kehu.api import present
from kehu.api.errors import ApiValidationError
from kehu.api.lookups import actor_of, child_of, family_values, visible_customer, visible_customer_or_none
from kehu.api.schemas.common import OBJECT_ERRORS, WRITE_ERRORS, PathId
from kehu.api.schemas.links import (
    ContactPointIn,
    ContactPointOut,
    ContactPointPatch,
    FamilyMemberIn,
    FamilyMemberOut,
    FamilyMemberPatch,
    ImportantDateIn,
    ImportantDateOut,
    ImportantDatePatch,
    RelationshipIn,
    RelationshipOut,
    RelationshipPatch,
)
from kehu.customers.models import Customer, Relationship
from kehu.customers.selectors import relationships_of
from kehu.customers.services import (
    contact_point_add,
    contact_point_delete,
    contact_point_update,
    family_member_add,
    family_member_delete,
    family_member_update,
    important_date_add,
    important_date_delete,
    important_date_update,
    relationship_add,
    relationship_delete,
    relationship_update,
)
from kehu.customers.services.common import ensure_can_write

router = Router(tags=["customer links"])

# --- contact points ---------------------------------------------------------------

@router.get("/customers/{customer_id}/contact-points", response={200: list[ContactPointOut], **OBJECT_ERRORS})
def list_contact_points(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    return [present.contact_point_out(p) for p in customer.contact_points.all()]


@router.post("/customers/{customer_id}/contact-points", response={201: ContactPointOut, **WRITE_ERRORS})
def add_contact_point(request: HttpRequest, customer_id: PathId, payload: ContactPointIn) -> Status:
    customer = visible_customer(request, customer_id)
    point = contact_point_add(actor=actor_of(request), customer=customer, values=payload.model_dump())
    return Status(201, present.contact_point_out(point))


@router.patch(
    "/customers/{customer_id}/contact-points/{point_id}", response={200: ContactPointOut, **WRITE_ERRORS}
)
def update_contact_point(
    request: HttpRequest, customer_id: PathId, point_id: PathId, payload: ContactPointPatch
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    point = child_of(customer, customer.contact_points, point_id)
    point = contact_point_update(actor=actor_of(request), point=point, values=payload.model_dump(exclude_unset=True))
    return present.contact_point_out(point)


@router.delete("/customers/{customer_id}/contact-points/{point_id}", response={204: None, **WRITE_ERRORS})
def delete_contact_point(request: HttpRequest, customer_id: PathId, point_id: PathId) -> Status:
    customer = visible_customer(request, customer_id)
    contact_point_delete(actor=actor_of(request), point=child_of(customer, customer.contact_points, point_id))
    return Status(204, None)


# --- family members -----------------------------------------------------------------


@router.get("/customers/{customer_id}/family-members", response={200: list[FamilyMemberOut], **OBJECT_ERRORS})
def list_family_members(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    return [present.family_member_out(m) for m in customer.family_members.all()]


@router.post("/customers/{customer_id}/family-members", response={201: FamilyMemberOut, **WRITE_ERRORS})
def add_family_member(request: HttpRequest, customer_id: PathId, payload: FamilyMemberIn) -> Status:
    customer = visible_customer(request, customer_id)
    values = family_values(request, payload.model_dump())
    member = family_member_add(actor=actor_of(request), customer=customer, values=values)
    return Status(201, present.family_member_out(member))


@router.patch(
    "/customers/{customer_id}/family-members/{member_id}", response={200: FamilyMemberOut, **WRITE_ERRORS}
)
def update_family_member(
    request: HttpRequest, customer_id: PathId, member_id: PathId, payload: FamilyMemberPatch
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    member = child_of(customer, customer.family_members, member_id)
    values = family_values(request, payload.model_dump(exclude_unset=True))
    return present.family_member_out(family_member_update(actor=actor_of(request), member=member, values=values))


@router.delete("/customers/{customer_id}/family-members/{member_id}", response={204: None, **WRITE_ERRORS})
def delete_family_member(request: HttpRequest, customer_id: PathId, member_id: PathId) -> Status:
    customer = visible_customer(request, customer_id)
    family_member_delete(actor=actor_of(request), member=child_of(customer, customer.family_members, member_id))
    return Status(204, None)


# --- important dates ----------------------------------------------------------------


@router.get("/customers/{customer_id}/important-dates", response={200: list[ImportantDateOut], **OBJECT_ERRORS})
def list_important_dates(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    return [present.important_date_out(d) for d in customer.important_dates.all()]


@router.post("/customers/{customer_id}/important-dates", response={201: ImportantDateOut, **WRITE_ERRORS})
def add_important_date(request: HttpRequest, customer_id: PathId, payload: ImportantDateIn) -> Status:
    customer = visible_customer(request, customer_id)
    date = important_date_add(actor=actor_of(request), customer=customer, values=payload.model_dump())
    return Status(201, present.important_date_out(date))


@router.patch(
    "/customers/{customer_id}/important-dates/{date_id}", response={200: ImportantDateOut, **WRITE_ERRORS}
)
def update_important_date(
    request: HttpRequest, customer_id: PathId, date_id: PathId, payload: ImportantDatePatch
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    date = child_of(customer, customer.important_dates, date_id)
    values = payload.model_dump(exclude_unset=True)
    return present.important_date_out(important_date_update(actor=actor_of(request), date=date, values=values))


@router.delete("/customers/{customer_id}/important-dates/{date_id}", response={204: None, **WRITE_ERRORS})
def delete_important_date(request: HttpRequest, customer_id: PathId, date_id: PathId) -> Status:
    customer = visible_customer(request, customer_id)
    important_date_delete(actor=actor_of(request), date=child_of(customer, customer.important_dates, date_id))
    return Status(204, None)


# --- relationships ------------------------------------------------------------------


@router.get("/customers/{customer_id}/relationships", response={200: list[RelationshipOut], **OBJECT_ERRORS})
def list_relationships(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    return [present.relationship_out(v) for v in relationships_of(viewer=actor, customer=customer)]


@router.post("/customers/{customer_id}/relationships", response={201: RelationshipOut, **WRITE_ERRORS})
def add_relationship(request: HttpRequest, customer_id: PathId, payload: RelationshipIn) -> Status:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    # Linking changes this file whichever end the link is stored on.
    ensure_can_write(actor, customer)
    other = visible_customer_or_none(request, payload.other_customer_id)
    if other is None:
        raise ApiValidationError([("other_customer_id", _("No such customer."))])
    outgoing = payload.direction == "outgoing"
    link = relationship_add(
        actor=actor,
        from_customer=customer if outgoing else other,
        to_customer=other if outgoing else customer,
        type=payload.type, role=payload.role, title=payload.title, notes=payload.notes,
    )
    view = next(v for v in relationships_of(viewer=actor, customer=customer) if v.link.pk == link.pk)
    return Status(201, present.relationship_out(view))


def _visible_link(request: HttpRequest, customer: Customer, relationship_id: int) -> Relationship:
    """A link of this file that this viewer sees (its other end must be visible too); else 404."""
    views = relationships_of(viewer=actor_of(request), customer=customer)
    view = next((v for v in views if v.link.pk == relationship_id), None)
    if view is None:
        raise Http404
    link: Relationship = view.link
    return link


@router.patch(
    "/customers/{customer_id}/relationships/{relationship_id}", response={200: RelationshipOut, **WRITE_ERRORS}
)
def update_relationship(
    request: HttpRequest, customer_id: PathId, relationship_id: PathId, payload: RelationshipPatch
) -> dict[str, Any]:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    link = _visible_link(request, customer, relationship_id)
    # The service checks the end the link is stored on; changing it changes this file too.
    ensure_can_write(actor, customer)
    relationship_update(actor=actor, link=link, values=payload.model_dump(exclude_unset=True))
    view = next(v for v in relationships_of(viewer=actor, customer=customer) if v.link.pk == link.pk)
    return present.relationship_out(view)


@router.delete("/customers/{customer_id}/relationships/{relationship_id}", response={204: None, **WRITE_ERRORS})
def delete_relationship(request: HttpRequest, customer_id: PathId, relationship_id: PathId) -> Status:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    link = _visible_link(request, customer, relationship_id)
    ensure_can_write(actor, customer)
    relationship_delete(actor=actor, link=link)
    return Status(204, None)
