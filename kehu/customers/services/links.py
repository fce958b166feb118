"""Contact points, family members, relationships and important dates of a file.

Each `<noun>_add` / `_update` / `_delete` validates with the model's own rules, writes
in one transaction with its audit row, and refreshes the customer's derived data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit, diff
from kehu.customers.models import ContactPoint, Customer, FamilyMember, ImportantDate, Relationship
from kehu.customers.services.common import (
    blank_if_none,
    clean_or_collect,
    ensure_can_write,
    refresh_derived,
    snapshot,
)

_FIELDS = {
    ContactPoint: ("type", "value", "label", "preferred", "best_time", "do_not_contact"),
    FamilyMember: ("relation", "name", "birthday", "education", "school_or_employer", "notes", "linked_customer"),
    ImportantDate: ("kind", "label", "calendar", "year", "month", "day", "leap_month", "notes"),
}


def _assign(instance: models.Model, values: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    allowed = _FIELDS[type(instance)]
    for key, value in values.items():
        if key not in allowed:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
            continue
        if value is None and isinstance(instance._meta.get_field(key), models.BooleanField):
            value = False
        setattr(instance, key, blank_if_none(type(instance), key, value))


def _check_linked(actor: User, instance: models.Model, errors: dict[str, list[str]]) -> None:
    """A file may only point at customers the actor can see."""
    from kehu.customers.selectors import visible_to

    linked_id = getattr(instance, "linked_customer_id", None)
    if linked_id is not None and not visible_to(actor).filter(pk=linked_id).exists():
        errors.setdefault("linked_customer", []).append(_("No such customer."))


def _save_child(*, actor: User, customer: Customer, instance: models.Model, values: Mapping[str, Any], action: str):
    ensure_can_write(actor, customer)
    creating = instance.pk is None
    before = {} if creating else snapshot(instance)
    errors: dict[str, list[str]] = {}
    _assign(instance, values, errors)
    _check_linked(actor, instance, errors)
    # The customer is saved and set, so full validation includes the (customer, type, value)
    # uniqueness of contact points: a duplicate is a field error, not an IntegrityError.
    clean_or_collect(instance, errors)
    if "__all__" in errors and isinstance(instance, ContactPoint):
        errors.setdefault("value", []).extend(errors.pop("__all__"))  # the one table-wide rule is about the value
    if errors:
        if not creating:
            instance.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        instance.save()
        refresh_derived(customer)
        audit(actor=actor, action=action, target=instance, customer_id=customer.pk, changes=diff(before, snapshot(instance)))
    return instance


def _delete_child(*, actor: User, customer: Customer, instance: models.Model, action: str) -> None:
    ensure_can_write(actor, customer)
    with transaction.atomic():
        audit(actor=actor, action=action, target=instance, customer_id=customer.pk, changes=snapshot(instance))
        instance.delete()
        refresh_derived(customer)


def contact_point_add(*, actor: User, customer: Customer, values: Mapping[str, Any]) -> ContactPoint:
    point = _save_child(
        actor=actor, customer=customer, instance=ContactPoint(customer=customer), values=values,
        action="contact_point.create",
    )
    return point


def contact_point_update(*, actor: User, point: ContactPoint, values: Mapping[str, Any]) -> ContactPoint:
    return _save_child(actor=actor, customer=point.customer, instance=point, values=values, action="contact_point.update")


def contact_point_delete(*, actor: User, point: ContactPoint) -> None:
    _delete_child(actor=actor, customer=point.customer, instance=point, action="contact_point.delete")


def family_member_add(*, actor: User, customer: Customer, values: Mapping[str, Any]) -> FamilyMember:
    if not customer.is_person:
        raise ValidationError({"relation": [_("Only people have family members.")]})
    return _save_child(
        actor=actor, customer=customer, instance=FamilyMember(customer=customer), values=values,
        action="family_member.create",
    )


def family_member_update(*, actor: User, member: FamilyMember, values: Mapping[str, Any]) -> FamilyMember:
    return _save_child(actor=actor, customer=member.customer, instance=member, values=values, action="family_member.update")


def family_member_delete(*, actor: User, member: FamilyMember) -> None:
    _delete_child(actor=actor, customer=member.customer, instance=member, action="family_member.delete")


def important_date_add(*, actor: User, customer: Customer, values: Mapping[str, Any]) -> ImportantDate:
    return _save_child(
        actor=actor, customer=customer, instance=ImportantDate(customer=customer), values=values,
        action="important_date.create",
    )


def important_date_update(*, actor: User, date: ImportantDate, values: Mapping[str, Any]) -> ImportantDate:
    return _save_child(actor=actor, customer=date.customer, instance=date, values=values, action="important_date.update")


def important_date_delete(*, actor: User, date: ImportantDate) -> None:
    _delete_child(actor=actor, customer=date.customer, instance=date, action="important_date.delete")


def relationship_add(
    *, actor: User, from_customer: Customer, to_customer: Customer | None, type: str, role: str = "",
    title: str = "", notes: str = "",
) -> Relationship:
    """Link two customers; both must be visible to the actor and the first writable."""
    from kehu.customers.selectors import visible_to

    ensure_can_write(actor, from_customer)
    if to_customer is None or not visible_to(actor).filter(pk=to_customer.pk).exists():
        raise ValidationError({"to_customer": [_("No such customer.")]})
    link = Relationship(
        from_customer=from_customer, to_customer=to_customer, type=type, role=role or "", title=title or "",
        notes=notes or "",
    )
    errors: dict[str, list[str]] = {}
    _validate_link(link, errors)
    with transaction.atomic():
        link.save()
        audit(actor=actor, action="relationship.create", target=link, customer_id=from_customer.pk, changes=snapshot(link))
    return link


def _validate_link(link: Relationship, errors: dict[str, list[str]]) -> None:
    clean_or_collect(link, errors)
    if "__all__" in errors:
        errors.setdefault("type", []).extend(errors.pop("__all__"))  # the uniqueness rule is about the type of link
    if errors:
        raise ValidationError(errors)


def relationship_update(*, actor: User, link: Relationship, values: Mapping[str, Any]) -> Relationship:
    """Change a link's type, role, title or notes (the two ends stay)."""
    ensure_can_write(actor, link.from_customer)
    before = snapshot(link)
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key in ("type", "role", "title", "notes"):
            setattr(link, key, value if value is not None else "")
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    try:
        if errors:
            raise ValidationError(errors)
        _validate_link(link, errors)
    except ValidationError:
        link.refresh_from_db()
        raise
    with transaction.atomic():
        link.save()
        audit(actor=actor, action="relationship.update", target=link, customer_id=link.from_customer_id,
              changes=diff(before, snapshot(link)))
    return link


def relationship_delete(*, actor: User, link: Relationship) -> None:
    ensure_can_write(actor, link.from_customer)
    with transaction.atomic():
        audit(actor=actor, action="relationship.delete", target=link, customer_id=link.from_customer_id, changes=snapshot(link))
        link.delete()
