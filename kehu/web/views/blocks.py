"""The editable blocks of a customer page (contacts, family, dates, relationships).

Each block is rendered whole: inside the full page, as an htmx fragment after an
add/edit/delete, and with a bound form showing errors. `state` carries the forms to
show instead of fresh ones (after an error, or when a row is being edited).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, QueryDict
from django.utils.translation import gettext as _

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
    return {"items": list(customer.contact_points.all())}


def _family(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    members = list(customer.family_members.select_related("linked_customer"))
    linked_ids = [m.linked_customer_id for m in members if m.linked_customer_id]
    # A linked relative's file is only a link if the viewer may open it.
    visible = set(visible_to(request.user).filter(pk__in=linked_ids).values_list("pk", flat=True)) if linked_ids else set()
    for member in members:
        member.linked_visible = member.linked_customer_id in visible
    return {"items": members}


def _dates(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"items": list(customer.important_dates.all())}


def _relationships(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    views = relationships_of(viewer=request.user, customer=customer)
    key_people = [v for v in views if v.link.type == RelationshipType.KEY_PERSON_OF and not v.outgoing]
    others = [v for v in views if v not in key_people]
    return {"items": others, "key_people": key_people}


_BUILDERS = {"contacts": _contacts, "family": _family, "dates": _dates, "relationships": _relationships}


@dataclass(frozen=True)
class BlankForm:
    """A blank form a block can open: the context key its template reads, the form, the
    prefix its fields are rendered and posted under, and the customer kind that has it."""

    key: str
    form_class: type[forms.Form]
    prefix: str
    kind: str | None = None  # None: every customer


# A page shows them folded and builds none; opening one asks for it (`opened_form`).
BLOCK_FORMS = {
    ("contacts", "add"): BlankForm("add_form", ContactPointForm, "contacts-add"),
    ("family", "add"): BlankForm("add_form", FamilyMemberForm, "family-add", "person"),
    ("family", "link"): BlankForm("link_form", FamilyLinkForm, "family-link", "person"),
    ("family", "new"): BlankForm("new_person_form", FamilyNewPersonForm, "family-new", "person"),
    ("dates", "add"): BlankForm("add_form", ImportantDateForm, "dates-add"),
    ("relationships", "add"): BlankForm("add_form", RelationshipForm, "rel"),
    ("relationships", "key"): BlankForm("key_form", KeyPersonForm, "key", "organization"),
    ("relationships", "keynew"): BlankForm("key_new_form", KeyPersonNewForm, "keynew", "organization"),
}


def opened_form(customer: Customer, block: str, which: str) -> dict[str, Any]:
    """The block state with one blank form open; Http404 for a form this customer has not."""
    spec = BLOCK_FORMS.get((block, which))
    if spec is None or spec.kind not in (None, customer.kind):
        raise Http404(_("No such form."))
    return {spec.key: spec.form_class(prefix=spec.prefix), "open": which}


def posted_form(block: str, which: str, data: QueryDict) -> forms.Form:
    """The form (block, which) bound to what was posted, under the prefix the page used."""
    spec = BLOCK_FORMS[(block, which)]
    return spec.form_class(data, prefix=spec.prefix)


def reopened_form(block: str, which: str, form: forms.Form) -> dict[str, Any]:
    """The block state showing a posted form again, open, with its errors."""
    return {BLOCK_FORMS[(block, which)].key: form, "open": which}


def base_block_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    return {"customer": customer, "can_write": may_write_customers(request.user)}
