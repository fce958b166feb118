"""Add, edit and delete what hangs off a file, in place (htmx) or by plain POST."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.models import User
from kehu.core import ratelimit
from kehu.customers.choices import CustomerKind, RelationshipType
from kehu.customers.models import ContactPoint, Customer, FamilyMember, ImportantDate, Relationship
from kehu.customers.selectors import CustomerFilters, customer_get, customer_list, visible_to
from kehu.customers.services import (
    ContactPointData,
    contact_point_add,
    contact_point_delete,
    contact_point_update,
    customer_create,
    family_member_add,
    family_member_delete,
    family_member_update,
    important_date_add,
    important_date_delete,
    important_date_update,
    relationship_add,
    relationship_delete,
)
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.links import (
    ContactPointForm,
    CustomerPickField,
    FamilyMemberForm,
    ImportantDateForm,
    NewPersonForm,
)
from kehu.web.ratelimits import rate_limited
from kehu.web.views.blocks import base_block_context, block_context, opened_form, posted_form, reopened_form
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.detail import completeness_rows, detail_context

PICK_LIMIT = 8
PICK_FIELD = re.compile(r"^[a-z-]{0,20}other_id$")


@dataclass(frozen=True)
class LinkSpec:
    """How one kind of child row is added, changed and removed."""

    model: type[models.Model]
    form_class: type[forms.Form]
    add: Callable[[User, Customer, dict[str, Any]], Any]
    update: Callable[[User, Any, dict[str, Any]], Any]
    delete: Callable[[User, Any], None]
    person_only: bool = False


BLOCKS: dict[str, LinkSpec] = {
    "contacts": LinkSpec(
        ContactPoint, ContactPointForm,
        lambda actor, customer, values: contact_point_add(actor=actor, customer=customer, values=values),
        lambda actor, point, values: contact_point_update(actor=actor, point=point, values=values),
        lambda actor, point: contact_point_delete(actor=actor, point=point),
    ),
    "family": LinkSpec(
        FamilyMember, FamilyMemberForm,
        lambda actor, customer, values: family_member_add(actor=actor, customer=customer, values=values),
        lambda actor, member, values: family_member_update(actor=actor, member=member, values=values),
        lambda actor, member: family_member_delete(actor=actor, member=member),
        person_only=True,
    ),
    "dates": LinkSpec(
        ImportantDate, ImportantDateForm,
        lambda actor, customer, values: important_date_add(actor=actor, customer=customer, values=values),
        lambda actor, date, values: important_date_update(actor=actor, date=date, values=values),
        lambda actor, date: important_date_delete(actor=actor, date=date),
    ),
}


def block_response(
    request: HttpRequest, customer_pk: int, block: str, *, state: dict[str, Any] | None = None, done: bool = False,
    unchanged: Customer | None = None,
) -> HttpResponse:
    """The block as a fragment (htmx), a redirect back (plain POST done) or the page with the form.

    `unchanged`: the customer as this request read it, when the request wrote nothing
    (a GET); otherwise it is read again, as completeness and the rows come from the writes."""
    customer = unchanged or customer_get(viewer=request.user, pk=customer_pk)
    if wants_fragment(request):
        context = base_block_context(request, customer)
        context["b"] = block_context(request, customer, block, state)
        context["completeness"] = completeness_rows(customer)
        return vary_on_htmx(render(request, "web/customers/blocks/fragment.html", context))
    if done:
        return redirect(f"{reverse('web:customer-detail', args=[customer.pk])}#{block}")
    return render(request, "web/customers/detail.html", detail_context(request, customer, {block: state or {}}))


def _spec(customer: Customer, block: str) -> LinkSpec:
    spec = BLOCKS[block]
    if spec.person_only and not customer.is_person:
        raise Http404(_("Organisations have no family members."))
    return spec


def _child(customer: Customer, spec: LinkSpec, item: int) -> models.Model:
    instance = get_object_or_404(spec.model, pk=item, customer=customer)
    instance.customer = customer  # the services read it; spare a query
    return instance


def _duplicate(form: forms.Form, block: str) -> None:
    # The contact-point services validate without the customer, so the database's
    # unique (customer, type, value) constraint is the one that notices a repeat.
    form.add_error("value" if block == "contacts" else None, _("This is already on the customer's file."))


@login_required
@require_GET
def block_form_view(request: HttpRequest, pk: int, block: str, which: str) -> HttpResponse:
    """A block with one of its blank forms open: the page leaves them folded and unbuilt."""
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    return block_response(request, pk, block, state=opened_form(customer, block, which), unchanged=customer)


@login_required
@require_POST
def link_add_view(request: HttpRequest, pk: int, block: str) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    spec = _spec(customer, block)
    ensure_writer(request.user)
    form = posted_form(block, "add", request.POST)
    if form.is_valid():
        try:
            spec.add(request.user, customer, form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        except IntegrityError:
            _duplicate(form, block)
        else:
            return block_response(request, pk, block, done=True)
    return block_response(request, pk, block, state=reopened_form(block, "add", form))


@login_required
@require_http_methods(["GET", "POST"])
def link_edit_view(request: HttpRequest, pk: int, block: str, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    spec = _spec(customer, block)
    ensure_writer(request.user)
    instance = _child(customer, spec, item)
    prefix = f"{block}-{item}"
    if request.method == "GET":
        form = spec.form_class(initial=model_to_dict(instance), prefix=prefix)
        return block_response(request, pk, block, state={"editing": item, "edit_form": form}, unchanged=customer)
    form = spec.form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            spec.update(request.user, instance, form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        except IntegrityError:
            _duplicate(form, block)
        else:
            return block_response(request, pk, block, done=True)
    return block_response(request, pk, block, state={"editing": item, "edit_form": form})


@login_required
@require_POST
def link_delete_view(request: HttpRequest, pk: int, block: str, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    spec = _spec(customer, block)
    ensure_writer(request.user)
    spec.delete(request.user, _child(customer, spec, item))
    return block_response(request, pk, block, done=True)


def resolve_pick(viewer: User, form: CustomerPickField, *, exclude: Customer) -> Customer | None:
    """The other customer chosen in a pick form, if the viewer can see it."""
    data = form.cleaned_data
    visible = visible_to(viewer).exclude(pk=exclude.pk)
    other = None
    if data.get("other_id"):
        other = visible.filter(pk=data["other_id"]).first()
    elif (data.get("other_number") or "").strip():
        other = visible.filter(number=data["other_number"].strip()).first()
    if other is None:
        form.add_error("other_number", _("No such customer."))
    return other


def _new_person(actor: User, form: NewPersonForm) -> Customer:
    mobile = (form.cleaned_data.get("mobile") or "").strip()
    return customer_create(
        actor=actor, kind=CustomerKind.PERSON, name=form.cleaned_data["name"],
        contact_points=[ContactPointData("mobile", mobile)] if mobile else [],
    )


NEW_PERSON_ALIASES = {"contact_points": "mobile", "name": "name"}


def _attach_new_person_errors(error: ValidationError, form: forms.Form) -> None:
    attach_errors(error, fallback=form, aliases={key: (form, field) for key, field in NEW_PERSON_ALIASES.items()})


@login_required
@require_POST
def family_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    _spec(customer, "family")
    ensure_writer(request.user)
    form = posted_form("family", "link", request.POST)
    if form.is_valid():
        other = resolve_pick(request.user, form, exclude=customer)
        if other is not None and not other.is_person:
            form.add_error("other_number", _("Choose a person."))
        elif other is not None:
            try:
                family_member_add(
                    actor=request.user, customer=customer,
                    values={"relation": form.cleaned_data["relation"], "name": other.name[:100],
                            "notes": form.cleaned_data["notes"], "linked_customer": other},
                )
            except ValidationError as error:
                attach_errors(error, fallback=form, aliases={"linked_customer": (form, "other_number")})
            else:
                return block_response(request, pk, "family", done=True)
    return block_response(request, pk, "family", state=reopened_form("family", "link", form))


@login_required
@require_POST
def family_new_person_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    _spec(customer, "family")
    ensure_writer(request.user)
    form = posted_form("family", "new", request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the new file and the link, or neither
                relative = _new_person(request.user, form)
                family_member_add(
                    actor=request.user, customer=customer,
                    values={"relation": form.cleaned_data["relation"], "name": relative.name[:100],
                            "linked_customer": relative},
                )
        except ValidationError as error:
            _attach_new_person_errors(error, form)
        else:
            return block_response(request, pk, "family", done=True)
    return block_response(request, pk, "family", state=reopened_form("family", "new", form))


@login_required
@require_POST
def relationship_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    form = posted_form("relationships", "add", request.POST)
    if form.is_valid():
        other = resolve_pick(request.user, form, exclude=customer)
        if other is not None:
            type_, outgoing = form.direction()
            ends = (customer, other) if outgoing else (other, customer)
            try:
                relationship_add(
                    actor=request.user, from_customer=ends[0], to_customer=ends[1], type=type_,
                    role=form.cleaned_data["role"], title=form.cleaned_data["title"], notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                attach_errors(error, fallback=form, aliases={"to_customer": (form, "other_number")})
            else:
                return block_response(request, pk, "relationships", done=True)
    return block_response(request, pk, "relationships", state=reopened_form("relationships", "add", form))


@login_required
@require_POST
def relationship_delete_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    link = get_object_or_404(
        Relationship.objects.select_related("from_customer", "to_customer"),
        Q(from_customer=customer) | Q(to_customer=customer), pk=item,
    )
    other_id = link.to_customer_id if link.from_customer_id == customer.pk else link.from_customer_id
    if not visible_to(request.user).filter(pk=other_id).exists():
        raise Http404(_("No such relationship."))
    relationship_delete(actor=request.user, link=link)
    return block_response(request, pk, "relationships", done=True)


def _organization(request: HttpRequest, pk: int) -> Customer:
    customer = customer_get(viewer=request.user, pk=pk)
    if customer.is_person:
        raise Http404(_("Only organisations have key people."))
    ensure_writer(request.user)
    return customer


@login_required
@require_POST
def key_person_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request, pk)
    form = posted_form("relationships", "key", request.POST)
    if form.is_valid():
        person = resolve_pick(request.user, form, exclude=organization)
        if person is not None:
            try:
                relationship_add(
                    actor=request.user, from_customer=person, to_customer=organization,
                    type=RelationshipType.KEY_PERSON_OF, role=form.cleaned_data["role"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as error:
                attach_errors(error, fallback=form, aliases={"to_customer": (form, "other_number"),
                                                             "type": (form, "other_number")})
            else:
                return block_response(request, pk, "relationships", done=True)
    return block_response(request, pk, "relationships", state=reopened_form("relationships", "key", form))


@login_required
@require_POST
def key_person_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request, pk)
    form = posted_form("relationships", "keynew", request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the new person and the key-person link, or neither
                person = _new_person(request.user, form)
                relationship_add(
                    actor=request.user, from_customer=person, to_customer=organization,
                    type=RelationshipType.KEY_PERSON_OF, role=form.cleaned_data["role"],
                    title=form.cleaned_data["title"],
                )
        except ValidationError as error:
            _attach_new_person_errors(error, form)
        else:
            return block_response(request, pk, "relationships", done=True)
    return block_response(request, pk, "relationships", state=reopened_form("relationships", "keynew", form))


@login_required
@require_GET
@rate_limited(ratelimit.SEARCH)
def customer_pick_view(request: HttpRequest) -> HttpResponse:
    """Up to PICK_LIMIT visible customers matching the query, as radio buttons for a form."""
    query = (request.GET.get("q") or request.GET.get("pick_q") or "").strip()[:100]
    field = request.GET.get("field", "other_id")
    if not PICK_FIELD.match(field):
        field = "other_id"
    kind = request.GET.get("kind", "")
    kind = kind if kind in CustomerKind.values else ""
    results: list[Customer] = []
    if query:
        found = customer_list(viewer=request.user, filters=CustomerFilters(query=query, kind=kind), sort="name")
        exclude = request.GET.get("exclude", "")
        if exclude.isdigit():
            found = found.exclude(pk=int(exclude))
        results = list(found[:PICK_LIMIT])
    return render(request, "web/customers/_pick_results.html", {"results": results, "field": field, "query": query})
