"""After-sales service records: list, create, update."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.accounts.permissions import may_write_customers
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get
from kehu.sales.selectors import orders_of
from kehu.service.models import ServiceRecord
from kehu.service.services import service_record_create, service_record_update
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.service import FIELDS, RECENT_ORDERS, ServiceRecordForm
from kehu.web.pagination import paginate
from kehu.web.views.common import ensure_writer


def _records(customer: Customer):
    return (ServiceRecord.objects.filter(customer=customer).select_related("technician", "order")
            .order_by("-reported_at", "-id"))


def _form(customer: Customer, *args, **kwargs) -> ServiceRecordForm:
    orders = list(orders_of(customer).prefetch_related(None)[:RECENT_ORDERS])
    return ServiceRecordForm(*args, orders=orders, **kwargs)


@login_required
@require_GET
def service_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    context = {"customer": customer, "page": paginate(_records(customer), request.GET.get("page")),
               "can_write": may_write_customers(request.user)}
    return render(request, "web/service/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    if request.method == "POST":
        form = _form(customer, request.POST)
        if form.is_valid():
            try:
                service_record_create(actor=request.user, customer=customer, values=form.values())
            except ValidationError as error:
                attach_errors(error, fallback=form)
            else:
                messages.success(request, _("Service record saved."))
                return redirect("web:service-list", pk=pk)
    else:
        form = _form(customer, initial={"reported_at": timezone.localtime().replace(second=0, microsecond=0),
                                        "technician": request.user.pk})
    return render(request, "web/service/form.html", {"customer": customer, "form": form, "record": None})


@login_required
@require_http_methods(["GET", "POST"])
def service_edit_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    # Through the visible customer: another customer's record id is a 404.
    record = get_object_or_404(ServiceRecord, pk=item, customer=customer)
    record.customer = customer
    if request.method == "POST":
        form = _form(customer, request.POST)
        if form.is_valid():
            try:
                service_record_update(actor=request.user, record=record, values=form.values())
            except ValidationError as error:
                attach_errors(error, fallback=form)
            else:
                messages.success(request, _("Service record saved."))
                return redirect("web:service-list", pk=pk)
    else:
        initial = {name: getattr(record, name) for name in FIELDS}
        initial.update(reported_at=timezone.localtime(record.reported_at), order=record.order_id,
                       technician=record.technician_id)
        form = _form(customer, initial=initial)
    return render(request, "web/service/form.html", {"customer": customer, "form": form, "record": record})
