"""Customer list, create, edit and detail pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.accounts.permissions import may_write_customers, sees_customers
from kehu.audit.services import audit
from kehu.core import ratelimit
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get, customer_list, read_counted_page
from kehu.customers.services import ContactPointData, customer_create, customer_update, profile_update
from kehu.customers.services.custom_fields import definitions_for
from kehu.web.forms.customers import CustomerForm, CustomFieldsForm, InitialContactForm, ProfileForm
from kehu.web.forms.errors import Route, attach_errors
from kehu.web.forms.filters import CustomerFilterForm
from kehu.web.forms.privacy import NewFileConsentForm
from kehu.web.pagination import paginate
from kehu.web.ratelimits import rate_limited
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.detail import detail_context


@login_required
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: the customer list, or the audit log for an auditor."""
    target = "web:customer-list" if sees_customers(request.user) else "web:audit-log"
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse(target) + (f"?{query}" if query else ""))


@login_required
@require_GET
@rate_limited(ratelimit.SEARCH)
def customer_list_view(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET)
    filters, sort = form.filters()
    customers = customer_list(viewer=request.user, filters=filters, sort=sort).prefetch_related("tags")
    page = paginate(customers, request.GET.get("page"), read_counted=read_counted_page)
    context = {
        "form": form,
        "page": page,
        "searching": bool(filters.query.strip()),
        "can_write": may_write_customers(request.user),
    }
    fragment = wants_fragment(request) and request.htmx.target == "results"
    template = "web/customers/_results.html" if fragment else "web/customers/list.html"
    return vary_on_htmx(render(request, template, context))


class CustomerForms:
    """The four forms of the create/edit page, bound together."""

    def __init__(self, request: HttpRequest, *, kind: str, customer: Customer | None = None) -> None:
        data = request.POST if request.method == "POST" else None
        actor = request.user
        editing = customer is not None
        self.main = CustomerForm(
            data, actor=actor, customer=customer,
            initial=CustomerForm.initial_for(customer) if editing else {"owner": actor.pk, "status": "active"},
        )
        self.profile = ProfileForm(
            data, kind=kind, prefix="profile", initial=ProfileForm.initial_for(customer) if editing else None,
            current=ProfileForm.masked_for(customer) if editing else None,
        )
        self.custom = CustomFieldsForm(
            data, definitions=definitions_for(kind), prefix="cf",
            initial=dict(customer.custom_fields) if editing else None,
        )
        self.contact = None if editing else InitialContactForm(data, prefix="contact")
        # A new person's consents, so sensitive fields (or a child's file) save in one go.
        self.consent = NewFileConsentForm(data, prefix="consent") if not editing and kind == "person" else None

    @property
    def all(self) -> list[forms.Form]:
        return [f for f in (self.main, self.profile, self.custom, self.contact, self.consent) if f is not None]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all])  # validate every form, not just up to the first bad one

    def attach(self, error: ValidationError, aliases: dict[str, Route] | None = None) -> None:
        prefixes: dict[str, forms.Form] = {"profile": self.profile, "custom_fields": self.custom}
        aliases = dict(aliases or {})
        if self.consent is not None:
            # Every consent row shares the block's fields: consents.<i>.<field> → that field.
            for index in range(len(self.consent.consents()) if self.consent.is_valid() else 0):
                for name in ("notice_version", "channel", "evidence", "guardian_name"):
                    aliases[f"consents.{index}.{name}"] = (self.consent, name)
                aliases[f"consents.{index}.purpose"] = (self.consent, "purposes")
        attach_errors(error, fallback=self.main, prefixes=prefixes, aliases=aliases)


def _render_form(request: HttpRequest, bound: CustomerForms, *, kind: str, customer: Customer | None) -> HttpResponse:
    context: dict[str, Any] = {
        "forms": bound,
        "kind": kind,
        "kind_label": CustomerKind(kind).label,
        "customer": customer,
        "sections": bound.profile.sections(),
        "has_errors": any(form.errors for form in bound.all),
    }
    return render(request, "web/customers/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create_view(request: HttpRequest, kind: str) -> HttpResponse:
    ensure_writer(request.user)
    bound = CustomerForms(request, kind=kind)
    if request.method == "POST" and bound.is_valid():
        main = bound.main.cleaned_data
        assert bound.contact is not None
        items = bound.contact.contact_items()
        try:
            customer = customer_create(
                actor=request.user, kind=kind, name=main["name"], number=main["number"], status=main["status"],
                owner=main["owner"], source_channel=main["source_channel"], source_detail=main["source_detail"],
                notes=main["notes"], last_verified_on=main["last_verified_on"], tags=main["tags"],
                custom_fields=bound.custom.values(), profile=bound.profile.profile_values(),
                contact_points=[ContactPointData(type=type_, value=value) for _field, type_, value in items],
                consents=bound.consent.consents() if bound.consent is not None else [],
            )
        except ValidationError as error:
            bound.attach(
                error, aliases={f"contact_points.{i}": (bound.contact, field) for i, (field, _t, _v) in enumerate(items)}
            )
        else:
            messages.success(request, _("Customer file created."))
            return redirect("web:customer-detail", pk=customer.pk)
    return _render_form(request, bound, kind=kind, customer=None)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    bound = CustomerForms(request, kind=customer.kind, customer=customer)
    if request.method == "POST" and bound.is_valid() and _save_edits(request, customer, bound):
        messages.success(request, _("Changes saved."))
        return redirect("web:customer-detail", pk=customer.pk)
    return _render_form(request, bound, kind=customer.kind, customer=customer)


def _save_edits(request: HttpRequest, customer: Customer, bound: CustomerForms) -> bool:
    """Apply the changed fields through the services, all or nothing."""
    main = bound.main.cleaned_data
    changes = {name: main[name] for name in bound.main.changed_data}
    if bound.custom.changed_data:
        values = bound.custom.values()
        changes["custom_fields"] = {key: values[key] for key in bound.custom.changed_data}
    profile_values = bound.profile.changed_values()
    failed = False
    # Two services, one outcome: a profile error must also undo the top-field change.
    with transaction.atomic():
        if changes:
            try:
                customer_update(actor=request.user, customer=customer, changes=changes)
            except ValidationError as error:
                bound.attach(error)
                failed = True
        if profile_values:
            try:
                profile_update(actor=request.user, customer=customer, values=profile_values)
            except ValidationError as error:
                bound.attach(error)
                failed = True
        if failed:
            transaction.set_rollback(True)
    return not failed


@login_required
@require_GET
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    if not wants_fragment(request):  # a full page load is a look at the file; htmx refreshes are not
        audit(actor=request.user, action="customer.view", target=customer, customer_id=customer.pk)
    return render(request, "web/customers/detail.html", detail_context(request, customer))
