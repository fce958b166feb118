"""Logging and editing communications. Edits keep their history in the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit, diff
from kehu.customers.models import Customer
from kehu.customers.services.common import blank_if_none as _blank_if_none
from kehu.customers.services.common import clean_or_collect, ensure_can_write, raise_if_errors, snapshot
from kehu.interactions.models import Interaction

EDITABLE = ("channel", "direction", "occurred_at", "duration_minutes", "subject", "content", "outcome",
            "customer_needs", "next_step", "next_contact_on")
_FUTURE_TOLERANCE_SECONDS = 600


def _check(interaction: Interaction, errors: dict[str, list[str]]) -> None:
    clean_or_collect(interaction, errors, exclude=["customer", "created_by"])
    occurred = interaction.occurred_at
    if hasattr(occurred, "tzinfo") and (occurred - timezone.now()).total_seconds() > _FUTURE_TOLERANCE_SECONDS:
        errors.setdefault("occurred_at", []).append(_("A communication cannot have happened in the future."))


def _people_of(customer: Customer, people: Iterable[Customer], errors: dict[str, list[str]]) -> list[Customer]:
    """The customer's people involved must be linked to it (key people, family) or be it."""
    from kehu.customers.models import Relationship

    chosen = list(people)
    linked = set(
        Relationship.objects.filter(to_customer=customer).values_list("from_customer_id", flat=True)
    ) | set(Relationship.objects.filter(from_customer=customer).values_list("to_customer_id", flat=True))
    for person in chosen:
        if person.pk not in linked:
            errors.setdefault("people", []).append(_("%(name)s is not linked to this customer.") % {"name": person.name})
    return chosen


def interaction_log(
    *, actor: User, customer: Customer, values: Mapping[str, Any], staff: Iterable[User] = (),
    people: Iterable[Customer] = (),
) -> Interaction:
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    unknown = set(values) - set(EDITABLE)
    for key in unknown:
        errors[key] = [_("Unknown field “%(field)s”.") % {"field": key}]
    interaction = Interaction(
        customer=customer, created_by=actor,
        **{k: _blank_if_none(Interaction, k, v) for k, v in values.items() if k in EDITABLE},
    )
    _check(interaction, errors)
    chosen_people = _people_of(customer, people, errors)
    raise_if_errors(errors)
    with transaction.atomic():
        interaction.save()
        interaction.staff.set(list(staff) or [actor])
        interaction.people.set(chosen_people)
        audit(actor=actor, action="interaction.create", target=interaction, customer_id=customer.pk,
              changes=snapshot(interaction, exclude=("staff", "people")))
    return interaction


def interaction_update(
    *, actor: User, interaction: Interaction, values: Mapping[str, Any],
    staff: Iterable[User] | None = None, people: Iterable[Customer] | None = None,
) -> Interaction:
    """Change a communication; `staff` / `people`, when given, replace who took part."""
    ensure_can_write(actor, interaction.customer)
    errors: dict[str, list[str]] = {}
    before = snapshot(interaction, exclude=("staff", "people"))
    before["staff"] = sorted(interaction.staff.values_list("pk", flat=True))
    before["people"] = sorted(interaction.people.values_list("pk", flat=True))
    for key, value in values.items():
        if key in EDITABLE:
            setattr(interaction, key, _blank_if_none(Interaction, key, value))
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    _check(interaction, errors)
    chosen_people = _people_of(interaction.customer, people, errors) if people is not None else None
    chosen_staff = list(staff) if staff is not None else None
    if chosen_staff is not None and not chosen_staff:
        errors.setdefault("staff", []).append(_("At least one member of staff took part."))
    if errors:
        interaction.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        interaction.updated_at = timezone.now()
        interaction.save()
        if chosen_staff is not None:
            interaction.staff.set(chosen_staff)
        if chosen_people is not None:
            interaction.people.set(chosen_people)
        after = snapshot(interaction, exclude=("staff", "people"))
        after["staff"] = sorted(interaction.staff.values_list("pk", flat=True))
        after["people"] = sorted(interaction.people.values_list("pk", flat=True))
        audit(actor=actor, action="interaction.update", target=interaction, customer_id=interaction.customer_id,
              changes={k: v for k, v in diff(before, after).items() if k != "updated_at"})
    return interaction


def interaction_history(interaction: Interaction):
    """Every edit of a communication, oldest first, from the audit log."""
    from kehu.audit.models import AuditEvent

    return AuditEvent.objects.filter(
        object_type="interactions.interaction", object_id=str(interaction.pk)
    ).select_related("actor").order_by("at", "id")
