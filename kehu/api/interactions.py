"""/api/customers/{id}/interactions: communications — list, log, edit, edit history."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.accounts.models import User
from kehu.api import present
from kehu.api.errors import ApiValidationError
from kehu.api.lookups import actor_of, visible_customer
from kehu.api.paging import page_of
from kehu.api.schemas.common import OBJECT_ERRORS, WRITE_ERRORS, PageQuery, PathId
from kehu.api.schemas.interactions import (
    HistoryEntryOut,
    InteractionIn,
    InteractionOut,
    InteractionPage,
    InteractionPatch,
)
from kehu.customers.models import Customer
from kehu.customers.selectors import visible_to
from kehu.customers.services.common import ensure_can_write
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_history, interaction_log, interaction_update

router = Router(tags=["communications"])

# Text columns that are blank, never NULL: a PATCH null clears them.
_TEXTS = ("subject", "content", "outcome", "customer_needs", "next_step")


def interaction_out(item: Interaction) -> dict[str, Any]:
    """Expects staff, people and created_by loaded (see `_interactions`)."""
    return {
        "id": item.pk, "channel": item.channel, "direction": item.direction, "occurred_at": item.occurred_at,
        "duration_minutes": item.duration_minutes, "subject": item.subject, "content": item.content,
        "outcome": item.outcome, "customer_needs": item.customer_needs, "next_step": item.next_step,
        "next_contact_on": item.next_contact_on,
        "staff": [present.user_ref(user) for user in item.staff.all()],
        "people": [present.customer_ref(person) for person in item.people.all()],
        "created_by": present.user_ref(item.created_by), "created_at": item.created_at, "updated_at": item.updated_at,
    }


def _interactions(customer: Customer) -> QuerySet[Interaction]:
    return (
        Interaction.objects.filter(customer=customer)
        .select_related("created_by")
        .prefetch_related(Prefetch("staff", queryset=User.objects.order_by("id")), "people")
        .order_by("-occurred_at", "-id")
    )


def _interaction_of(customer: Customer, interaction_id: int) -> Interaction:
    item = _interactions(customer).filter(pk=interaction_id).first()
    if item is None:
        raise Http404
    item.customer = customer  # the visible instance: the services check it
    return item


def _people(request: HttpRequest, staff_ids: list[int], people_ids: list[int]) -> tuple[list[User], list[Customer]]:
    errors: list[tuple[str | None, str]] = []
    staff = list(User.objects.filter(pk__in=staff_ids, is_active=True))
    if len(staff) != len(set(staff_ids)):
        errors.append(("staff_ids", _("No such user.")))
    # People the caller cannot see read exactly like people who do not exist.
    people = list(visible_to(actor_of(request)).filter(pk__in=people_ids))
    if len(people) != len(set(people_ids)):
        errors.append(("people_ids", _("No such customer.")))
    if errors:
        raise ApiValidationError(errors)
    return staff, people


@router.get("/customers/{customer_id}/interactions", response={200: InteractionPage, **OBJECT_ERRORS})
def list_interactions(request: HttpRequest, customer_id: PathId, query: Query[PageQuery]) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    return page_of(_interactions(customer), query, interaction_out)


@router.post("/customers/{customer_id}/interactions", response={201: InteractionOut, **WRITE_ERRORS})
def log_interaction(request: HttpRequest, customer_id: PathId, payload: InteractionIn) -> Status:
    customer = visible_customer(request, customer_id)
    ensure_can_write(actor_of(request), customer)  # a read-only role hears 403 before any detail of its input
    values = payload.model_dump(exclude={"staff_ids", "people_ids"})
    if values["occurred_at"] is None:
        del values["occurred_at"]  # the model's default: now
    staff, people = _people(request, payload.staff_ids, payload.people_ids)
    item = interaction_log(actor=actor_of(request), customer=customer, values=values, staff=staff, people=people)
    return Status(201, interaction_out(_interaction_of(customer, item.pk)))


@router.patch(
    "/customers/{customer_id}/interactions/{interaction_id}", response={200: InteractionOut, **WRITE_ERRORS}
)
def update_interaction(
    request: HttpRequest, customer_id: PathId, interaction_id: PathId, payload: InteractionPatch
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    item = _interaction_of(customer, interaction_id)
    actor = actor_of(request)
    ensure_can_write(actor, customer)
    values = payload.model_dump(exclude_unset=True)
    staff_ids, people_ids = values.pop("staff_ids", None), values.pop("people_ids", None)
    staff, people = _people(request, staff_ids or [], people_ids or [])
    values.update({key: "" for key in _TEXTS if key in values and values[key] is None})
    interaction_update(
        actor=actor, interaction=item, values=values,
        staff=staff if staff_ids is not None else None, people=people if people_ids is not None else None,
    )
    return interaction_out(_interaction_of(customer, item.pk))


@router.get(
    "/customers/{customer_id}/interactions/{interaction_id}/history",
    response={200: list[HistoryEntryOut], **OBJECT_ERRORS},
)
def interaction_edit_history(request: HttpRequest, customer_id: PathId, interaction_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    item = _interaction_of(customer, interaction_id)
    return [
        {"at": event.at, "actor": present.user_ref(event.actor), "action": event.action, "changes": event.changes}
        for event in interaction_history(item)
    ]
