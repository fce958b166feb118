"""Payments (automatic or chosen allocation), receivables, and credit incidents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.permissions import may_write_customers
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.sales.selectors import open_receivables_of
from kehu.sales.services import credit_incident_record, payment_record, receivable_create
from kehu.web.forms.activity import now_local
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.sales import CreditIncidentForm, PaymentForm, ReceivableForm
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.customer360 import key_figures, money_context
from kehu.web.views.detail import detail_context

# Allocation by hand lists every open invoice; more than this and the oldest-first rule is the sane choice.
MAX_ALLOCATION_ROWS = 100


def _money_page(request: HttpRequest, customer: Customer, template: str, **context: Any) -> HttpResponse:
    context.update({"customer": customer, "figures": key_figures(customer, today=timezone.localdate())})
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def payment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    receivables = list(open_receivables_of(customer)[:MAX_ALLOCATION_ROWS])
    if request.method == "POST":
        form = PaymentForm(request.POST, receivables=receivables)
        if form.is_valid():
            data = form.cleaned_data
            allocations = form.allocations()
            aliases: dict[str, Any] = {"allocations": (form, None)}
            for index, (receivable, _amount) in enumerate(allocations or []):
                field = form.allocation_field(receivable)
                aliases[f"allocations.{index}.amount"] = (form, field)
                aliases[f"allocations.{index}.receivable"] = (form, field)
            try:
                payment_record(
                    actor=request.user, customer=customer, amount=data["amount"], received_at=data["received_at"],
                    method=data["method"], reference=data["reference"], allocations=allocations,
                )
            except ValidationError as error:
                attach_errors(error, fallback=form, aliases=aliases)
            except IntegrityError:  # the same reference recorded concurrently
                form.add_error("reference", _("A payment with this reference is already recorded."))
            else:
                messages.success(request, _("Payment recorded."))
                return redirect(f"{reverse('web:customer-detail', args=[pk])}#money")
    else:
        form = PaymentForm(receivables=receivables, initial={"received_at": now_local()})
    return _money_page(request, customer, "web/money/payment_form.html", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def receivable_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    if request.method == "POST":
        form = ReceivableForm(request.POST)
        if form.is_valid():
            try:
                receivable_create(actor=request.user, customer=customer, **form.cleaned_data)
            except ValidationError as error:
                attach_errors(error, fallback=form)
            except IntegrityError:
                form.add_error("number", _("An invoice with this number already exists."))
            else:
                messages.success(request, _("Invoice recorded."))
                return redirect(f"{reverse('web:customer-detail', args=[pk])}#money")
    else:
        form = ReceivableForm(initial={"issued_on": timezone.localdate()})
    return _money_page(request, customer, "web/money/receivable_form.html", form=form)


def _money_response(request: HttpRequest, customer_pk: int, *, form: CreditIncidentForm | None = None,
                    done: bool = False) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=customer_pk)
    if wants_fragment(request):
        context: dict[str, Any] = {"customer": customer, "can_write": may_write_customers(request.user)}
        context["today"] = timezone.localdate()
        context["figures"] = key_figures(customer, today=context["today"])
        context.update(money_context(customer))
        if form is not None:
            context.update(incident_form=form, incident_open=True)
        return vary_on_htmx(render(request, "web/money/_card.html", context))
    if done:
        return redirect(f"{reverse('web:customer-detail', args=[customer.pk])}#money")
    state = {"incident_form": form, "incident_open": True} if form is not None else {}
    return render(request, "web/customers/detail.html", detail_context(request, customer, {"activity": state}))


@login_required
@require_POST
def credit_incident_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    form = CreditIncidentForm(request.POST, prefix="incident")
    if form.is_valid():
        try:
            credit_incident_record(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            return _money_response(request, pk, done=True)
    return _money_response(request, pk, form=form)
