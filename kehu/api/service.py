"""/api/customers/{id}/service-records: after-sales service and repairs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.api import present
from kehu.api.errors import ApiValidationError
from kehu.api.lookups import actor_of, user_or_none, visible_customer
from kehu.api.paging import page_of
from kehu.api.schemas.common import OBJECT_ERRORS, WRITE_ERRORS, PageQuery, PathId
from kehu.api.schemas.service import ServiceRecordIn, ServiceRecordOut, ServiceRecordPage, ServiceRecordPatch
from kehu.customers.models import Customer
from kehu.customers.services.common import ensure_can_write
from kehu.sales.models import Order
from kehu.service.models import ServiceRecord
from kehu.service.services import service_record_create, service_record_update

router = Router(tags=["after-sales service"])

_TEXTS = ("product", "diagnosis", "parts", "result")


def service_record_out(record: ServiceRecord) -> dict[str, Any]:
    order = record.order
    return {
        "id": record.pk, "kind": record.kind, "status": record.status,
        "order": {"id": order.pk, "number": order.number} if order is not None else None,
        "product": record.product, "problem": record.problem, "diagnosis": record.diagnosis, "parts": record.parts,
        "technician": present.user_ref(record.technician), "reported_at": record.reported_at,
        "completed_on": record.completed_on, "cost": record.cost, "result": record.result,
        "created_at": record.created_at,
    }


def _records(customer: Customer) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(customer=customer)
        .select_related("order", "technician")
        .order_by("-reported_at", "-id")
    )


def _record_of(customer: Customer, record_id: int) -> ServiceRecord:
    record = _records(customer).filter(pk=record_id).first()
    if record is None:
        raise Http404
    record.customer = customer
    return record


def _values(customer: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """`order_id` / `technician_id` → the rows the service takes; unknown ones are 422."""
    errors: list[tuple[str | None, str]] = []
    if "order_id" in data:
        order_id = data.pop("order_id")
        # Orders of this customer only: another customer's order reads like a missing one.
        order = Order.objects.filter(customer=customer, pk=order_id).first() if order_id is not None else None
        if order_id is not None and order is None:
            errors.append(("order_id", _("No such order for this customer.")))
        data["order"] = order
    if "technician_id" in data:
        technician_id = data.pop("technician_id")
        technician = user_or_none(technician_id) if technician_id is not None else None
        if technician_id is not None and (technician is None or not technician.is_active):
            errors.append(("technician_id", _("No such user.")))
        data["technician"] = technician
    if errors:
        raise ApiValidationError(errors)
    data.update({key: "" for key in _TEXTS if key in data and data[key] is None})
    return data


@router.get("/customers/{customer_id}/service-records", response={200: ServiceRecordPage, **OBJECT_ERRORS})
def list_service_records(request: HttpRequest, customer_id: PathId, query: Query[PageQuery]) -> dict[str, Any]:
    return page_of(_records(visible_customer(request, customer_id)), query, service_record_out)


@router.post("/customers/{customer_id}/service-records", response={201: ServiceRecordOut, **WRITE_ERRORS})
def create_service_record(request: HttpRequest, customer_id: PathId, payload: ServiceRecordIn) -> Status:
    customer = visible_customer(request, customer_id)
    actor = actor_of(request)
    ensure_can_write(actor, customer)  # a read-only role hears 403 before any detail of its input
    values = _values(customer, payload.model_dump())
    if values["reported_at"] is None:
        values["reported_at"] = timezone.now()
    record = service_record_create(actor=actor, customer=customer, values=values)
    return Status(201, service_record_out(_record_of(customer, record.pk)))


@router.patch(
    "/customers/{customer_id}/service-records/{record_id}", response={200: ServiceRecordOut, **WRITE_ERRORS}
)
def update_service_record(
    request: HttpRequest, customer_id: PathId, record_id: PathId, payload: ServiceRecordPatch
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    actor = actor_of(request)
    record = _record_of(customer, record_id)
    ensure_can_write(actor, customer)
    values = _values(customer, payload.model_dump(exclude_unset=True))
    service_record_update(actor=actor, record=record, values=values)
    return service_record_out(_record_of(customer, record_id))
