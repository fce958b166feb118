"""The editable blocks of a customer page (contacts, family, dates, relationships).

Each block is rendered whole: inside the full page, as an htmx fragment after an
add/edit/delete, and with a bound form showing errors. `state` carries the forms to
show instead of fresh ones (after an error, or when a row is being edited).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehu.accounts.permissions import may_write_customers
from kehu.customers.choices import RelationshipType
from kehu.customers.models import Customer
from kehu.customers.selectors import relationships_of, visible_to
from kehu.web.forms.links import (
    ContactPointForm,
    FamilyLinkForm,
    FamilyMemberForm,
    FamilyNewPersonForm,
    ImportantDateForm,
    KeyPersonForm,
    KeyPersonNewForm,
    RelationshipForm,
)

BLOCK_TEMPLATES = {
    "contacts": "web/customers/blocks/contacts.html",
    "family": "web/customers/blocks/family.html",
    "dates": "web/customers/blocks/dates.html",
    "relationships": "web/customers/blocks/relationships.html",
}


def blocks_for(customer: Customer) -> list[str]:
    names = ["contacts", "relationships", "dates"]
    if customer.is_person:
        names.insert(1, "family")
    return names


def block_context(request: HttpRequest, customer: Customer, block: str, state: dict[str, Any] | None = None):
    state = dict(state or {})
    builder = _BUILDERS[block]
    context = {"name": block, "template": BLOCK_TEMPLATES[block], "editing": None, "open": ""}
    context.update(builder(request, customer))
    context.update(state)
    return context


def _contacts(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {
        "items": list(customer.contact_points.all()),
        "add_form": ContactPointForm(prefix="contacts-add"),
    }


def _family(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    members = list(customer.family_members.select_related("linked_customer"))
    linked_ids = [m.linked_customer_id for m in members if m.linked_customer_id]
    # A linked relative's file is only a link if the viewer may open it.
    visible = set(visible_to(request.user).filter(pk__in=linked_ids).values_list("pk", flat=True)) if linked_ids else set()
    for member in members:
        member.linked_visible = member.linked_customer_id in visible
    return {
        "items": members,
        "add_form": FamilyMemberForm(prefix="family-add"),
        "link_form": FamilyLinkForm(prefix="family-link"),
        "new_person_form": FamilyNewPersonForm(prefix="family-new"),
    }


def _dates(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"items": list(customer.important_dates.all()), "add_form": ImportantDateForm(prefix="dates-add")}


def _relationships(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    views = relationships_of(viewer=request.user, customer=customer)
    key_people = [v for v in views if v.link.type == RelationshipType.KEY_PERSON_OF and not v.outgoing]
    others = [v for v in views if v not in key_people]
    return {
        "items": others,
        "key_people": key_people,
        "add_form": RelationshipForm(prefix="rel"),
        "key_form": KeyPersonForm(prefix="key") if not customer.is_person else None,
        "key_new_form": KeyPersonNewForm(prefix="keynew") if not customer.is_person else None,
    }


_BUILDERS = {"contacts": _contacts, "family": _family, "dates": _dates, "relationships": _relationships}


def base_block_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"customer": customer, "can_write": may_write_customers(request.user)}
