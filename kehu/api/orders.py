"""/api/customers/{id}/orders: list, detail with lines, create with lines, refund, cancel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.api import present
from kehu.api.errors import ApiValidationError
from kehu.api.lookups import actor_of, user_or_none, visible_customer
from kehu.api.paging import page_of
from kehu.api.schemas.common import OBJECT_ERRORS, WRITE_ERRORS, PathId
from kehu.api.schemas.sales import CancelIn, OrderIn, OrderOut, OrderPage, OrderQuery, RefundIn
from kehu.customers.models import Customer
from kehu.customers.services.common import ensure_can_write
from kehu.sales.models import ZERO, Order, OrderLine, Product
from kehu.sales.services import OrderLineData, order_cancel, order_create, order_refund

router = Router(tags=["orders"])


def order_out(order: Order) -> dict[str, Any]:
    """Expects lines prefetched and receivable and salesperson joined (see `_orders`)."""
    receivable = getattr(order, "receivable", None)
    return {
        "id": order.pk, "number": order.number, "ordered_at": order.ordered_at, "channel": order.channel,
        "payment_method": order.payment_method, "status": order.status, "currency": order.currency,
        "total": order.total, "refunded_amount": order.refunded_amount, "net_amount": order.net_amount,
        "outstanding": receivable.outstanding if receivable is not None else ZERO,
        "due_on": receivable.due_on if receivable is not None else None,
        "salesperson": present.user_ref(order.salesperson), "notes": order.notes, "created_at": order.created_at,
        "lines": [
            {"id": line.pk, "product_id": line.product_id, "product_name": line.product_name,
             "category": line.category, "quantity": line.quantity, "unit_price": line.unit_price,
             "discount": line.discount, "line_total": line.line_total}
            for line in order.lines.all()
        ],
    }


def _orders(customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer=customer)
        .select_related("receivable", "salesperson")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-ordered_at", "-id")
    )


def _order_of(customer: Customer, order_id: int) -> Order:
    order = _orders(customer).filter(pk=order_id).first()
    if order is None:
        raise Http404
    order.customer = customer
    return order


def _lines(payload: OrderIn) -> list[OrderLineData]:
    wanted = {line.product_id for line in payload.lines if line.product_id is not None}
    products = Product.objects.in_bulk(wanted)
    errors: list[tuple[str | None, str]] = []
    lines = []
    for index, line in enumerate(payload.lines):
        product = products.get(line.product_id) if line.product_id is not None else None
        if line.product_id is not None and product is None:
            errors.append((f"lines.{index}.product_id", _("No such product.")))
        if product is None and not line.product_name.strip():
            errors.append((f"lines.{index}.product_name", _("Name the product or choose one from the catalogue.")))
        lines.append(OrderLineData(
            product_name=line.product_name.strip(), quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount, category=line.category, product=product,
        ))
    if errors:
        raise ApiValidationError(errors)
    return lines


@router.get("/customers/{customer_id}/orders", response={200: OrderPage, **OBJECT_ERRORS})
def list_orders(request: HttpRequest, customer_id: PathId, query: Query[OrderQuery]) -> dict[str, Any]:
    orders = _orders(visible_customer(request, customer_id))
    if query.status:
        orders = orders.filter(status=query.status)
    return page_of(orders, query, order_out)


@router.get("/customers/{customer_id}/orders/{order_id}", response={200: OrderOut, **OBJECT_ERRORS})
def get_order(request: HttpRequest, customer_id: PathId, order_id: PathId) -> dict[str, Any]:
    return order_out(_order_of(visible_customer(request, customer_id), order_id))


@router.post("/customers/{customer_id}/orders", response={201: OrderOut, **WRITE_ERRORS})
def create_order(request: HttpRequest, customer_id: PathId, payload: OrderIn) -> Status:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    ensure_can_write(actor, customer)  # a read-only role hears 403 before any detail of its input
    salesperson = None
    if payload.salesperson_id is not None:
        salesperson = user_or_none(payload.salesperson_id)
        if salesperson is None or not salesperson.is_active:
            raise ApiValidationError([("salesperson_id", _("No such user."))])
    order = order_create(
        actor=actor, customer=customer, number=payload.number, ordered_at=payload.ordered_at or timezone.now(),
        channel=payload.channel, lines=_lines(payload), payment_method=payload.payment_method,
        currency=payload.currency, salesperson=salesperson, notes=payload.notes, paid_in_full=payload.paid_in_full,
        due_on=payload.due_on,
    )
    return Status(201, order_out(_order_of(customer, order.pk)))


@router.post("/customers/{customer_id}/orders/{order_id}/refund", response={200: OrderOut, **WRITE_ERRORS})
def refund_order(request: HttpRequest, customer_id: PathId, order_id: PathId, payload: RefundIn) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    order = _order_of(customer, order_id)
    amount: Decimal | None = payload.amount
    order_refund(actor=actor_of(request), order=order, amount=amount, reason=payload.reason)
    return order_out(_order_of(customer, order_id))


@router.post("/customers/{customer_id}/orders/{order_id}/cancel", response={200: OrderOut, **WRITE_ERRORS})
def cancel_order(request: HttpRequest, customer_id: PathId, order_id: PathId, payload: CancelIn) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    order_cancel(actor=actor_of(request), order=_order_of(customer, order_id), reason=payload.reason)
    return order_out(_order_of(customer, order_id))
