"""Orders: the order form with dynamic lines, the order page with refund and cancel, lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.permissions import may_write_customers
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.sales.choices import OrderStatus
from kehu.sales.models import Order, Receivable
from kehu.sales.selectors import orders_of
from kehu.sales.services import OrderLineData, order_cancel, order_create, order_refund
from kehu.web.forms.activity import now_local
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.sales import (
    CancelForm,
    OrderForm,
    OrderLineFormSet,
    RefundForm,
    catalogue_products,
    line_values,
)
from kehu.web.pagination import paginate
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.customer360 import orders_context


def _order(customer: Customer, item: int) -> Order:
    # Through the visible customer: another customer's order id is a 404.
    order = get_object_or_404(Order.objects.prefetch_related("lines"), pk=item, customer=customer)
    order.customer = customer
    return order


@login_required
@require_GET
def order_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    context: dict[str, Any] = {"customer": customer, "can_write": may_write_customers(request.user)}
    if wants_fragment(request) and request.htmx.target == "orders":
        context.update(orders_context(request, customer))
        return vary_on_htmx(render(request, "web/orders/_card.html", context))
    context["page"] = paginate(orders_of(customer), request.GET.get("page"))
    return vary_on_htmx(render(request, "web/orders/list.html", context))


def _bind_lines(formset, errors_to: OrderForm) -> tuple[list[OrderLineData], dict[str, Any]]:
    """The filled-in line forms as service data, and the aliases routing `lines.N.field` back to them."""
    lines: list[OrderLineData] = []
    aliases: dict[str, Any] = {"lines": (errors_to, None)}
    for form in formset.forms:
        if not form.cleaned_data or not form.has_content():
            continue
        index = len(lines)
        lines.append(OrderLineData(**line_values(form)))
        aliases[f"lines.{index}"] = (form, None)
        for name in form.fields:
            aliases[f"lines.{index}.{name}"] = (form, name)
    return lines, aliases


@login_required
@require_http_methods(["GET", "POST"])
def order_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    products = catalogue_products()
    if request.method == "POST":
        form = OrderForm(request.POST)
        formset = OrderLineFormSet(request.POST, prefix="lines", products=products)
        if all([form.is_valid(), formset.is_valid()]):
            data = form.cleaned_data
            lines, aliases = _bind_lines(formset, form)
            try:
                order = order_create(
                    actor=request.user, customer=customer, number=data["number"], ordered_at=data["ordered_at"],
                    channel=data["channel"], payment_method=data["payment_method"], notes=data["notes"],
                    paid_in_full=data["paid_in_full"], due_on=data["due_on"], lines=lines,
                )
            except ValidationError as error:
                attach_errors(error, fallback=form, aliases=aliases)
            except IntegrityError:  # a concurrent order took the number between the check and the insert
                form.add_error("number", _("An order with this number already exists."))
            else:
                messages.success(request, _("Order %(number)s recorded.") % {"number": order.number})
                return redirect("web:order-detail", pk=pk, item=order.pk)
    else:
        form = OrderForm(initial={"ordered_at": now_local()})
        formset = OrderLineFormSet(prefix="lines", products=products)
    has_errors = bool(form.errors or any(f.errors for f in formset.forms) or formset.non_form_errors())
    catalogue = {str(p.pk): {"name": p.name, "category": p.category, "price": str(p.price)} for p in products}
    context = {"customer": customer, "form": form, "formset": formset, "catalogue": catalogue, "has_errors": has_errors}
    return render(request, "web/orders/form.html", context)


def _detail(request: HttpRequest, customer: Customer, order: Order, **forms: Any) -> HttpResponse:
    receivable = Receivable.objects.filter(order=order).first()
    allocations = list(receivable.allocations.select_related("payment").order_by("id")) if receivable else []
    open_order = order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    context = {
        "customer": customer, "order": order, "lines": list(order.lines.all()), "receivable": receivable,
        "allocations": allocations, "can_write": may_write_customers(request.user),
        "can_refund": open_order and order.net_amount > 0,
        "can_cancel": open_order and not (receivable and receivable.paid_amount > 0),
        "refund_form": forms.get("refund_form") or RefundForm(prefix="refund"),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
    }
    return render(request, "web/orders/detail.html", context)


@login_required
@require_GET
def order_detail_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    return _detail(request, customer, _order(customer, item))


@login_required
@require_POST
def order_refund_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    order = _order(customer, item)
    ensure_writer(request.user)
    form = RefundForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            order_refund(actor=request.user, order=order, amount=form.cleaned_data["amount"],
                         reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("web:order-detail", pk=pk, item=item)
    return _detail(request, customer, _order(customer, item), refund_form=form)


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    order = _order(customer, item)
    ensure_writer(request.user)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Order cancelled."))
            return redirect("web:order-detail", pk=pk, item=item)
    return _detail(request, customer, _order(customer, item), cancel_form=form)
