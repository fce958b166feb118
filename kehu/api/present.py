"""Model rows → response dicts. Reads only what the callers prefetched (no lazy queries)."""

from __future__ import annotations

from typing import Any

from kehu.accounts.models import User
from kehu.core.phone import format_phone
from kehu.customers.choices import PHONE_CONTACT_TYPES
from kehu.customers.models import (
    ContactPoint,
    Customer,
    FamilyMember,
    ImportantDate,
    OrganizationProfile,
    PersonProfile,
)
from kehu.customers.sections import DataClass, sections_for
from kehu.customers.selectors import RelationshipView, relationships_of
from kehu.privacy.masking import mask


def user_ref(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": str(user)}


def customer_ref(customer: Customer) -> dict[str, Any]:
    return {"id": customer.pk, "number": customer.number, "name": customer.name, "kind": customer.kind}


def customer_row(customer: Customer) -> dict[str, Any]:
    """A list row; expects `tags` and `contact_points` prefetched, owner and team joined."""
    points = list(customer.contact_points.all())
    phone = next((p.value for p in points if p.type in PHONE_CONTACT_TYPES), None)
    email = next((p.value for p in points if p.type == "email"), None)
    team = customer.team
    return {
        "id": customer.pk,
        "number": customer.number,
        "kind": customer.kind,
        "name": customer.name,
        "status": customer.status,
        "owner": user_ref(customer.owner),
        "team": {"id": team.pk, "name": team.name} if team is not None else None,
        "tags": [tag.name for tag in customer.tags.all()],
        "phone": phone,
        "email": email,
        "completeness": customer.completeness,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def contact_point_out(point: ContactPoint) -> dict[str, Any]:
    display = format_phone(point.value) if point.type in PHONE_CONTACT_TYPES else point.value
    return {
        "id": point.pk, "type": point.type, "value": point.value, "display": display, "label": point.label,
        "preferred": point.preferred, "best_time": point.best_time, "do_not_contact": point.do_not_contact,
    }


def family_member_out(member: FamilyMember) -> dict[str, Any]:
    return {
        "id": member.pk, "relation": member.relation, "name": member.name, "birthday": member.birthday,
        "education": member.education, "school_or_employer": member.school_or_employer, "notes": member.notes,
        "linked_customer_id": member.linked_customer_id,
    }


def important_date_out(date: ImportantDate) -> dict[str, Any]:
    return {
        "id": date.pk, "kind": date.kind, "label": date.label, "calendar": date.calendar, "year": date.year,
        "month": date.month, "day": date.day, "leap_month": date.leap_month, "notes": date.notes,
    }


def relationship_out(view: RelationshipView) -> dict[str, Any]:
    link = view.link
    return {
        "id": link.pk, "type": link.type, "label": view.label, "direction": "outgoing" if view.outgoing else "incoming",
        "role": link.role, "title": link.title, "notes": link.notes, "other": customer_ref(view.other),
    }


def _sections(customer: Customer) -> list[dict[str, Any]]:
    model = PersonProfile if customer.is_person else OrganizationProfile
    scores = customer.completeness_by_section or {}
    sections = []
    for section in sections_for(customer.kind):
        fields = [
            {
                "name": field.name,
                "label": str(model._meta.get_field(field.name).verbose_name),
                "data_class": str(field.data_class),
            }
            for field in section.fields
        ]
        sections.append(
            {"key": section.key, "label": str(section.label), "completeness": scores.get(section.key, 0), "fields": fields}
        )
    return sections


def _profile(customer: Customer, attribute: str) -> dict[str, Any] | None:
    """The profile's section fields, sensitive ones masked: their plaintext leaves the API
    only through POST /customers/{id}/reveal, which records who asked and why."""
    # The reverse one-to-one raises DoesNotExist when the row is missing; getattr's
    # default covers that (a file imported without a profile).
    profile = getattr(customer, attribute, None)
    if profile is None:
        return None
    values: dict[str, Any] = {}
    for section in sections_for(customer.kind):
        for field in section.fields:
            value = getattr(profile, field.name)
            values[field.name] = mask(field.name, value) if field.data_class == DataClass.SENSITIVE else value
    return values


def customer_detail(customer: Customer, *, viewer: User) -> dict[str, Any]:
    """The whole file as `viewer` may see it (relationships only to visible customers)."""
    data = customer_row(customer)
    data.update(
        source_channel=customer.source_channel,
        source_detail=customer.source_detail,
        notes=customer.notes,
        last_verified_on=customer.last_verified_on,
        custom_fields=customer.custom_fields or {},
        completeness_by_section=customer.completeness_by_section or {},
        sections=_sections(customer),
        person=_profile(customer, "person") if customer.is_person else None,
        organization=None if customer.is_person else _profile(customer, "organization"),
        contact_points=[contact_point_out(p) for p in customer.contact_points.all()],
        family_members=[family_member_out(m) for m in customer.family_members.all()],
        relationships=[relationship_out(v) for v in relationships_of(viewer=viewer, customer=customer)],
        important_dates=[important_date_out(d) for d in customer.important_dates.all()],
    )
    return data
