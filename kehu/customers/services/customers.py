"""Creating, changing and deleting customer files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kehu.accounts.models import Team, User
from kehu.accounts.permissions import may_assign_owner, may_delete_customers, may_write_customers
from kehu.audit.services import audit, diff
from kehu.customers.choices import CustomerKind
from kehu.customers.models import (
    Consent,
    ContactPoint,
    Customer,
    CustomerNumberSequence,
    OrganizationProfile,
    PersonProfile,
    Tag,
)
from kehu.customers.sections import sections_for
from kehu.customers.services.common import (
    blank_if_none,
    clean_or_collect,
    ensure_can_write,
    raise_if_errors,
    refresh_derived,
    snapshot,
)
from kehu.customers.services.consent import ConsentData, active_purposes, build_consents, check_consent_rules
from kehu.customers.services.custom_fields import validate_custom_values

_KEEP = object()  # "argument not given": leave as is / use the default
EDITABLE_FIELDS = ("name", "number", "status", "source_channel", "source_detail", "notes", "last_verified_on")


@dataclass(frozen=True)
class ContactPointData:
    type: str
    value: str
    label: str = ""
    preferred: bool = False
    best_time: str = ""
    do_not_contact: bool = False


def profile_field_names(kind: str) -> set[str]:
    return {name for section in sections_for(kind) for name in section.field_names}


def _new_profile(kind: str, customer: Customer) -> PersonProfile | OrganizationProfile:
    return PersonProfile(customer=customer) if kind == CustomerKind.PERSON else OrganizationProfile(customer=customer)


def _apply_profile_values(profile, kind: str, values: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    allowed = profile_field_names(kind)
    for key, value in values.items():
        if key not in allowed:
            errors.setdefault(f"profile.{key}", []).append(_("Unknown profile field “%(field)s”.") % {"field": key})
            continue
        setattr(profile, key, blank_if_none(type(profile), key, value))


def _check_owner(actor: User, owner: User | None, errors: dict[str, list[str]]) -> None:
    if owner is not None and owner != actor and not may_assign_owner(actor):
        errors.setdefault("owner", []).append(_("You can only take a customer yourself or leave it in the pool."))
    if owner is not None and not owner.is_active:
        errors.setdefault("owner", []).append(_("That user is deactivated."))


def _clean_tag_names(names: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    cleaned = []
    for name in names:
        name = " ".join(str(name).split())
        if len(name) > 50:
            errors.setdefault("tags", []).append(_("A tag has at most 50 characters."))
        elif name:
            cleaned.append(name)
    return list(dict.fromkeys(cleaned))


def _tag_rows(names: list[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in names]


def _contact_points(customer: Customer, items: Iterable[ContactPointData], errors: dict[str, list[str]]):
    points, seen = [], set()
    for index, item in enumerate(items):
        point = ContactPoint(
            customer=customer, type=item.type, value=item.value, label=item.label, preferred=item.preferred,
            best_time=item.best_time, do_not_contact=item.do_not_contact,
        )
        before = len(errors)
        clean_or_collect(point, errors, prefix=f"contact_points.{index}.", exclude=["customer"])
        if len(errors) == before:
            if (point.type, point.value) in seen:
                errors.setdefault(f"contact_points.{index}.value", []).append(_("This contact point is listed twice."))
            seen.add((point.type, point.value))
        points.append(point)
    return points


def next_customer_number() -> str:
    """KH + an 8-digit sequence, skipping numbers already taken by imports."""
    CustomerNumberSequence.objects.get_or_create(pk=1)
    while True:
        CustomerNumberSequence.objects.filter(pk=1).update(value=F("value") + 1)
        value = CustomerNumberSequence.objects.get(pk=1).value
        number = f"KH{value:08d}"
        if not Customer.objects.filter(number=number).exists():
            return number


def customer_create(
    *,
    actor: User,
    kind: str,
    name: str,
    number: str = "",
    status: str = "active",
    owner: Any = _KEEP,
    team: Any = _KEEP,
    source_channel: str = "",
    source_detail: str = "",
    notes: str = "",
    last_verified_on: Any = None,
    tags: Iterable[str] = (),
    custom_fields: Mapping[str, Any] | None = None,
    profile: Mapping[str, Any] | None = None,
    contact_points: Iterable[ContactPointData] = (),
    consents: Iterable[ConsentData] = (),
) -> Customer:
    """Create a customer file with its profile, contact points and consents, or raise ValidationError."""
    if not may_write_customers(actor):
        raise PermissionDenied(_("Your role cannot change customer files."))
    errors: dict[str, list[str]] = {}
    for label, value in (("profile", profile), ("custom_fields", custom_fields)):
        if value is not None and not isinstance(value, Mapping):
            errors[label] = [_("Expected an object of field names and values.")]
    raise_if_errors(errors)
    if kind not in CustomerKind.values:
        raise ValidationError({"kind": [_("Kind must be “person” or “organization”.")]})
    owner = actor if owner is _KEEP else owner
    _check_owner(actor, owner, errors)
    if team is _KEEP:
        team = owner.team if owner is not None else actor.team
    elif team is not None and not isinstance(team, Team):
        errors.setdefault("team", []).append(_("Unknown team."))
    elif not may_assign_owner(actor) and team != (owner.team if owner is not None else actor.team):
        errors.setdefault("team", []).append(_("Your role cannot move customers between teams."))
    customer = Customer(
        kind=kind, name=" ".join((name or "").split()), number=(number or "").strip(), status=status, owner=owner, team=team,
        source_channel=source_channel or "", source_detail=source_detail or "", notes=notes or "",
        last_verified_on=last_verified_on, created_by=actor,
    )
    clean_or_collect(customer, errors, exclude=None if customer.number else ["number"])
    try:
        customer.custom_fields = validate_custom_values(kind=kind, values=custom_fields or {}, partial=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(f"custom_fields.{key}", []).extend(messages)
    profile_row = _new_profile(kind, customer)
    _apply_profile_values(profile_row, kind, profile or {}, errors)
    clean_or_collect(profile_row, errors, prefix="profile.", exclude=["customer"])
    points = _contact_points(customer, contact_points, errors)
    tag_names = _clean_tag_names(tags, errors)
    consent_rows = build_consents(customer, consents, actor, errors)
    check_consent_rules(kind=kind, profile=profile_row, active={c.purpose: c for c in consent_rows}, errors=errors)
    raise_if_errors(errors)

    with transaction.atomic():
        tag_rows = _tag_rows(tag_names)
        if not customer.number:
            customer.number = next_customer_number()
        customer.save()
        profile_row.customer = customer
        profile_row.save()
        for point in points:
            point.customer = customer
        ContactPoint.objects.bulk_create(points)
        for consent in consent_rows:
            consent.customer = customer
        Consent.objects.bulk_create(consent_rows)
        customer.tags.set(tag_rows)
        refresh_derived(customer)
        audit(
            actor=actor, action="customer.create", target=customer, customer_id=customer.pk,
            changes={"customer": snapshot(customer, exclude=("completeness_by_section",)), "profile": snapshot(profile_row)},
        )
    return customer


def customer_update(*, actor: User, customer: Customer, changes: Mapping[str, Any]) -> Customer:
    """Change top-level fields (name, status, owner, tags, custom fields, …) of a file."""
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    before = snapshot(customer, exclude=("completeness_by_section", "completeness", "updated_at"))
    for key, value in changes.items():
        if key == "name":
            customer.name = " ".join(str(value or "").split())  # "   " is blank, not a name
        elif key in EDITABLE_FIELDS:
            setattr(customer, key, "" if value is None and key != "last_verified_on" else value)
        elif key == "owner":
            _check_owner(actor, value, errors)
            if value is not None and "team" not in changes and value != customer.owner:
                customer.team = value.team  # a claimed or reassigned customer follows its owner's team
            customer.owner = value
        elif key == "team":
            if value is not None and not isinstance(value, Team):
                errors.setdefault("team", []).append(_("Unknown team."))
            elif not may_assign_owner(actor) and value != customer.team:
                errors.setdefault("team", []).append(_("Your role cannot move customers between teams."))
            else:
                customer.team = value
        elif key in ("tags", "custom_fields"):
            continue
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    tag_names = _clean_tag_names(changes.get("tags") or [], errors)
    clean_or_collect(customer, errors)
    if "custom_fields" in changes and not isinstance(changes["custom_fields"] or {}, Mapping):
        errors.setdefault("custom_fields", []).append(_("Expected an object of field names and values."))
    elif "custom_fields" in changes:
        try:
            merged = {**customer.custom_fields, **(changes["custom_fields"] or {})}
            customer.custom_fields = validate_custom_values(kind=customer.kind, values=merged, partial=False)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(f"custom_fields.{key}", []).extend(messages)
    if errors:
        customer.refresh_from_db()
        raise ValidationError(errors)

    with transaction.atomic():
        if "tags" in changes:
            customer.tags.set(_tag_rows(tag_names))
        customer.save()
        refresh_derived(customer)
        after = snapshot(customer, exclude=("completeness_by_section", "completeness", "updated_at"))
        audit(actor=actor, action="customer.update", target=customer, customer_id=customer.pk, changes=diff(before, after))
    return customer


def profile_update(*, actor: User, customer: Customer, values: Mapping[str, Any]):
    """Change profile-section fields of a file; only the keys given are touched."""
    ensure_can_write(actor, customer)
    if not isinstance(values, Mapping):
        raise ValidationError({"profile": [_("Expected an object of field names and values.")]})
    errors: dict[str, list[str]] = {}
    profile = _profile_of(customer)
    before = snapshot(profile)
    _apply_profile_values(profile, customer.kind, values, errors)
    clean_or_collect(profile, errors, prefix="profile.", exclude=["customer"])
    check_consent_rules(kind=customer.kind, profile=profile, active=active_purposes(customer), errors=errors,
                        changed=set(values))
    if errors:
        profile.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        profile.save()
        refresh_derived(customer)
        audit(
            actor=actor, action="profile.update", target=profile, customer_id=customer.pk,
            changes=diff(before, snapshot(profile)),
        )
    return profile


def _profile_of(customer: Customer) -> PersonProfile | OrganizationProfile:
    model = PersonProfile if customer.is_person else OrganizationProfile
    profile, _created = model.objects.get_or_create(customer=customer)
    setattr(customer, "person" if customer.is_person else "organization", profile)
    return profile


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    ensure_can_write(actor, customer)
    if not may_delete_customers(actor):
        raise PermissionDenied(_("Only managers can delete customer files; archive it instead."))
    audit(
        actor=actor, action="customer.delete", target=customer, customer_id=customer.pk,
        changes={"customer": snapshot(customer, exclude=("completeness_by_section",))},
    )
    customer.delete()
