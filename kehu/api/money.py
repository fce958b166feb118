"""Money of one customer: receivables and their ageing, payments, credit incidents, and the
consumption profile derived from orders and payments."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from kehu.api import present
from kehu.api.lookups import actor_of, visible_customer
from kehu.api.paging import page_of
from kehu.api.schemas.common import OBJECT_ERRORS, WRITE_ERRORS, PageQuery, PathId
from kehu.api.schemas.money import (
    AgeingOut,
    ConsumptionOut,
    CreditIncidentIn,
    CreditIncidentOut,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    ReceivableIn,
    ReceivableOut,
    ReceivablePage,
    ReceivableQuery,
)
from kehu.customers.models import Customer
from kehu.customers.services.common import ensure_can_write
from kehu.sales.choices import AGEING_BUCKETS
from kehu.sales.models import ZERO, ConsumptionProfile, CreditIncident, Payment, PaymentAllocation, Receivable
from kehu.sales.selectors import ageing_of, open_receivables_of
from kehu.sales.services import credit_incident_record, payment_record, receivable_create

router = Router(tags=["money"])


# --- receivables --------------------------------------------------------------------


def receivable_out(receivable: Receivable) -> dict[str, Any]:
    outstanding = receivable.outstanding
    overdue = (timezone.localdate() - receivable.due_on).days if outstanding > 0 else 0
    return {
        "id": receivable.pk, "number": receivable.number, "order_id": receivable.order_id, "amount": receivable.amount,
        "credited_amount": receivable.credited_amount, "paid_amount": receivable.paid_amount,
        "outstanding": outstanding, "issued_on": receivable.issued_on, "due_on": receivable.due_on,
        "days_overdue": max(overdue, 0), "description": receivable.description, "cancelled": receivable.cancelled,
    }


@router.get("/customers/{customer_id}/receivables", response={200: ReceivablePage, **OBJECT_ERRORS})
def list_receivables(request: HttpRequest, customer_id: PathId, query: Query[ReceivableQuery]) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    if query.state == "open":
        rows = open_receivables_of(customer)
    else:
        rows = Receivable.objects.filter(customer=customer).order_by("-issued_on", "-id")
    return page_of(rows, query, receivable_out)


@router.post("/customers/{customer_id}/receivables", response={201: ReceivableOut, **WRITE_ERRORS})
def create_receivable(request: HttpRequest, customer_id: PathId, payload: ReceivableIn) -> Status:
    customer = visible_customer(request, customer_id)
    receivable = receivable_create(actor=actor_of(request), customer=customer, **payload.model_dump())
    return Status(201, receivable_out(Receivable.objects.get(pk=receivable.pk)))  # as stored: 30 → "30.00"


@router.get("/customers/{customer_id}/ageing", response={200: AgeingOut, **OBJECT_ERRORS})
def ageing(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    today = timezone.localdate()
    amounts = ageing_of(customer, today=today)
    buckets = [{"key": key, "label": str(label), "amount": amounts[key]} for key, label, *_rest in AGEING_BUCKETS]
    return {"as_of": today, "total": sum((b["amount"] for b in buckets), ZERO), "buckets": buckets}


# --- payments -----------------------------------------------------------------------


def payment_out(payment: Payment) -> dict[str, Any]:
    """Expects allocations (with their receivables) prefetched and recorded_by joined."""
    return {
        "id": payment.pk, "received_at": payment.received_at, "amount": payment.amount, "currency": payment.currency,
        "method": payment.method, "reference": payment.reference, "recorded_by": present.user_ref(payment.recorded_by),
        "allocations": [
            {"receivable_id": a.receivable_id, "receivable_number": a.receivable.number, "amount": a.amount}
            for a in payment.allocations.all()
        ],
    }


def _payments(customer: Customer) -> QuerySet[Payment]:
    allocations = PaymentAllocation.objects.select_related("receivable").order_by("id")
    return (
        Payment.objects.filter(customer=customer)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("allocations", queryset=allocations))
        .order_by("-received_at", "-id")
    )


@router.get("/customers/{customer_id}/payments", response={200: PaymentPage, **OBJECT_ERRORS})
def list_payments(request: HttpRequest, customer_id: PathId, query: Query[PageQuery]) -> dict[str, Any]:
    return page_of(_payments(visible_customer(request, customer_id)), query, payment_out)


@router.post("/customers/{customer_id}/payments", response={201: PaymentOut, **WRITE_ERRORS})
def record_payment(request: HttpRequest, customer_id: PathId, payload: PaymentIn) -> Status:
    customer = visible_customer(request, customer_id)
    actor = actor_of(request)
    allocations = None
    if payload.allocations is not None:
        ensure_can_write(actor, customer)
        # Receivables of this customer only; any other id reaches the service as None,
        # which reports it as not open for this customer (an id elsewhere looks missing).
        wanted = Receivable.objects.filter(customer=customer).in_bulk([a.receivable_id for a in payload.allocations])
        allocations = [(wanted.get(a.receivable_id), a.amount) for a in payload.allocations]
    payment = payment_record(
        actor=actor, customer=customer, amount=payload.amount, received_at=payload.received_at or timezone.now(),
        method=payload.method, currency=payload.currency, reference=payload.reference, allocations=allocations,
    )
    return Status(201, payment_out(_payments(customer).get(pk=payment.pk)))


# --- credit incidents ---------------------------------------------------------------


def credit_incident_out(incident: CreditIncident) -> dict[str, Any]:
    return {"id": incident.pk, "occurred_on": incident.occurred_on, "description": incident.description,
            "amount": incident.amount, "recorded_by": present.user_ref(incident.recorded_by)}


@router.get("/customers/{customer_id}/credit-incidents", response={200: list[CreditIncidentOut], **OBJECT_ERRORS})
def list_credit_incidents(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    incidents = CreditIncident.objects.filter(customer=customer).select_related("recorded_by")
    return [credit_incident_out(i) for i in incidents.order_by("-occurred_on", "-id")]


@router.post("/customers/{customer_id}/credit-incidents", response={201: CreditIncidentOut, **WRITE_ERRORS})
def record_credit_incident(request: HttpRequest, customer_id: PathId, payload: CreditIncidentIn) -> Status:
    customer = visible_customer(request, customer_id)
    incident = credit_incident_record(actor=actor_of(request), customer=customer, **payload.model_dump())
    incident = CreditIncident.objects.select_related("recorded_by").get(pk=incident.pk)
    return Status(201, credit_incident_out(incident))


# --- consumption profile ------------------------------------------------------------


@router.get("/customers/{customer_id}/consumption", response={200: ConsumptionOut, **OBJECT_ERRORS})
def consumption(request: HttpRequest, customer_id: PathId) -> Any:
    customer = visible_customer(request, customer_id)
    profile = ConsumptionProfile.objects.filter(customer=customer).first()
    # No order yet: the figures of a customer who has bought nothing.
    return profile or ConsumptionProfile(customer=customer, updated_at=None)

