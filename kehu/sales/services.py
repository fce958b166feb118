"""Every write about money: orders, refunds, cancellations, receivables, payments, credit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit
from kehu.customers.models import Customer
from kehu.customers.services.common import clean_or_collect, ensure_can_write, raise_if_errors, snapshot
from kehu.sales.choices import OrderStatus
from kehu.sales.models import (
    ZERO,
    CreditIncident,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
    Receivable,
)
from kehu.sales.stats import NewOrder, add_orders, refresh_balances, refresh_profile

CENT = Decimal("0.01")
# An order time a little ahead of the server clock is a clock skew, not a future order.
CLOCK_TOLERANCE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class OrderLineData:
    product_name: str = ""
    quantity: Any = 1
    unit_price: Any = None
    discount: Any = 0
    category: str = ""
    product: Product | None = None


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    return number


def _check_currency(currency: str, errors: dict[str, list[str]]) -> None:
    if (currency or "").upper() != settings.KEHU_CURRENCY:
        errors.setdefault("currency", []).append(
            _("This archive keeps amounts in %(currency)s; “%(value)s” cannot be recorded.")
            % {"currency": settings.KEHU_CURRENCY, "value": currency}
        )


def _not_future(moment: Any, field: str, errors: dict[str, list[str]]) -> None:
    if isinstance(moment, datetime.datetime) and moment > timezone.now() + CLOCK_TOLERANCE:
        errors.setdefault(field, []).append(_("This time is in the future."))


def _build_lines(order: Order, items: Sequence[OrderLineData], errors: dict[str, list[str]]) -> list[OrderLine]:
    if not items:
        errors.setdefault("lines", []).append(_("An order needs at least one line."))
    lines = []
    for index, item in enumerate(items):
        prefix = f"lines.{index}."
        quantity = _decimal(item.quantity, prefix + "quantity", errors)
        price_raw = item.unit_price if item.unit_price not in (None, "") else (item.product.price if item.product else None)
        price = _decimal(price_raw, prefix + "unit_price", errors) if price_raw is not None else None
        if price_raw is None:
            errors.setdefault(prefix + "unit_price", []).append(_("Give a unit price or choose a product."))
        discount = _decimal(item.discount or 0, prefix + "discount", errors)
        if quantity is not None and quantity <= 0:
            errors.setdefault(prefix + "quantity", []).append(_("The quantity must be greater than zero."))
        if price is not None and price < 0:
            errors.setdefault(prefix + "unit_price", []).append(_("A price cannot be negative."))
        if discount is not None and discount < 0:
            errors.setdefault(prefix + "discount", []).append(_("A discount cannot be negative."))
        if None in (quantity, price, discount) or any(prefix in key for key in errors):
            continue
        gross = (quantity * price).quantize(CENT)
        if discount > gross:
            errors.setdefault(prefix + "discount", []).append(_("The discount is larger than the line amount."))
            continue
        name = item.product_name or (item.product.name if item.product else "")
        line = OrderLine(
            order=order, customer=order.customer, product=item.product, product_name=name,
            category=item.category or (item.product.category if item.product else ""),
            quantity=quantity, unit_price=price, discount=discount.quantize(CENT), line_total=gross - discount.quantize(CENT),
        )
        clean_or_collect(line, errors, prefix=prefix, exclude=["order", "customer", "product"])
        lines.append(line)
    return lines


def _payment_terms_days(customer: Customer) -> int:
    organization = getattr(customer, "organization", None) if not customer.is_person else None
    return (organization.payment_terms_days or 0) if organization is not None else 0


def order_create(
    *,
    actor: User,
    customer: Customer,
    number: str,
    ordered_at: Any,
    channel: str,
    lines: Sequence[OrderLineData],
    payment_method: str = "",
    currency: str = "CNY",
    salesperson: User | None = None,
    notes: str = "",
    paid_in_full: bool = False,
    due_on: datetime.date | None = None,
) -> Order:
    """Record an order with its lines and the receivable for its total; optionally paid at once."""
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    _check_currency(currency, errors)
    order = Order(
        customer=customer, number=(number or "").strip(), ordered_at=ordered_at, channel=channel,
        payment_method=payment_method or "", currency=(currency or "").upper(), salesperson=salesperson or actor,
        notes=notes or "",
    )
    clean_or_collect(order, errors, exclude=["customer", "salesperson", "total", "status"])
    _not_future(order.ordered_at, "ordered_at", errors)
    built = _build_lines(order, lines, errors)
    dated = isinstance(due_on, datetime.date) and isinstance(order.ordered_at, datetime.datetime)
    if dated and due_on < timezone.localdate(order.ordered_at):
        errors.setdefault("due_on", []).append(_("The due date is before the order date."))
    if Receivable.objects.filter(number=order.number).exists():
        errors.setdefault("number", []).append(_("An invoice with this number already exists."))
    raise_if_errors(errors)

    with transaction.atomic():
        order.total = sum((line.line_total for line in built), ZERO)
        order.set_local_parts()
        order.save()
        for line in built:
            line.order = order
        OrderLine.objects.bulk_create(built)
        if order.total > 0:
            issued = timezone.localdate(order.ordered_at)
            receivable = Receivable.objects.create(
                customer=customer, order=order, number=order.number, amount=order.total, issued_on=issued,
                due_on=due_on or issued + datetime.timedelta(days=_payment_terms_days(customer)),
            )
            if paid_in_full:
                payment = Payment.objects.create(
                    customer=customer, received_at=order.ordered_at, amount=order.total, currency=order.currency,
                    method=order.payment_method or "other", recorded_by=actor,
                )
                _allocate(payment, [(receivable, order.total)])
        _sync_order_status(order)
        add_orders([new_order_of(order, built)])
        audit(actor=actor, action="order.create", target=order, customer_id=customer.pk,
              changes={"order": snapshot(order), "lines": [snapshot(line, exclude=("order", "customer")) for line in built]})
    return order


def new_order_of(order: Order, lines: Sequence[OrderLine]) -> NewOrder:
    spend: dict[str, Decimal] = {}
    for line in lines:
        if line.category:
            spend[line.category] = spend.get(line.category, ZERO) + line.line_total
    return NewOrder(
        customer_id=order.customer_id, ordered_at=order.ordered_at, channel=order.channel, total=order.total,
        local_weekday=order.local_weekday, local_hour=order.local_hour, local_month=order.local_month,
        category_spend=spend,
    )


def _allocate(payment: Payment, allocations: Sequence[tuple[Receivable, Decimal]]) -> None:
    for receivable, amount in allocations:
        PaymentAllocation.objects.create(payment=payment, receivable=receivable, customer_id=payment.customer_id, amount=amount)
        receivable.paid_amount += amount
        receivable.save(update_fields=["paid_amount"])
        if receivable.order_id is not None:
            _sync_order_status(receivable.order)


def _sync_order_status(order: Order) -> None:
    """Derive paid / partially paid / unpaid from the receivable; refunded and cancelled stay."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return
    receivable = Receivable.objects.filter(order=order).first()
    if receivable is None or receivable.outstanding == 0:
        status = OrderStatus.PAID
    elif receivable.paid_amount > 0:
        status = OrderStatus.PARTIALLY_PAID
    else:
        status = OrderStatus.UNPAID
    if status != order.status:
        order.status = status
        order.save(update_fields=["status"])


def order_refund(*, actor: User, order: Order, amount: Any = None, reason: str = "") -> Order:
    """Take goods back: the order's net value falls by `amount` (all of it if not given)."""
    ensure_can_write(actor, order.customer)
    errors: dict[str, list[str]] = {}
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise ValidationError({"amount": [_("This order is already cancelled or refunded.")]})
    value = order.net_amount if amount in (None, "") else _decimal(amount, "amount", errors)
    raise_if_errors(errors)
    if value <= 0 or value > order.net_amount:
        raise ValidationError({"amount": [_("A refund must be more than zero and at most %(max)s.") % {"max": order.net_amount}]})
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        order.refunded_amount += value.quantize(CENT)
        if order.refunded_amount == order.total:
            order.status = OrderStatus.REFUNDED
        order.save(update_fields=["refunded_amount", "status"])
        receivable = Receivable.objects.select_for_update().filter(order=order).first()
        if receivable is not None:
            receivable.credited_amount = min(receivable.credited_amount + value, receivable.amount)
            receivable.cancelled = receivable.credited_amount == receivable.amount
            receivable.save(update_fields=["credited_amount", "cancelled"])
        _sync_order_status(order)
        refresh_profile(order.customer_id)
        audit(actor=actor, action="order.refund", target=order, customer_id=order.customer_id,
              changes={"amount": str(value), "reason": reason[:500]})
    return order


def order_cancel(*, actor: User, order: Order, reason: str = "") -> Order:
    """Cancel an order nothing has been paid on (paid orders are refunded instead)."""
    ensure_can_write(actor, order.customer)
    receivable = Receivable.objects.filter(order=order).first()
    if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        raise ValidationError({"status": [_("This order is already cancelled or refunded.")]})
    if receivable is not None and receivable.paid_amount > 0:
        raise ValidationError({"status": [_("Money has been paid on this order: refund it instead.")]})
    with transaction.atomic():
        order.status = OrderStatus.CANCELLED
        order.save(update_fields=["status"])
        if receivable is not None:
            receivable.cancelled = True
            receivable.save(update_fields=["cancelled"])
        refresh_profile(order.customer_id)
        audit(actor=actor, action="order.cancel", target=order, customer_id=order.customer_id, changes={"reason": reason[:500]})
    return order


def receivable_create(
    *, actor: User, customer: Customer, number: str, amount: Any, issued_on: Any, due_on: Any, description: str = ""
) -> Receivable:
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    receivable = Receivable(
        customer=customer, number=(number or "").strip(), amount=amount, issued_on=issued_on, due_on=due_on,
        description=description or "",
    )
    clean_or_collect(receivable, errors, exclude=["customer", "order"])
    if not errors and receivable.due_on < receivable.issued_on:
        errors.setdefault("due_on", []).append(_("The due date is before the issue date."))
    raise_if_errors(errors)
    with transaction.atomic():
        receivable.save()
        refresh_balances([customer.pk])
        audit(actor=actor, action="receivable.create", target=receivable, customer_id=customer.pk, changes=snapshot(receivable))
    return receivable


def payment_record(
    *,
    actor: User,
    customer: Customer,
    amount: Any,
    received_at: Any,
    method: str,
    currency: str = "CNY",
    reference: str = "",
    allocations: Sequence[tuple[Receivable, Any]] | None = None,
) -> Payment:
    """Record money received and allocate it: to the given receivables, or oldest due first.

    A payment larger than what the customer owes is refused: unapplied money would
    hide in no receivable and distort every balance.
    """
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    _check_currency(currency, errors)
    payment = Payment(
        customer=customer, amount=amount, received_at=received_at, method=method, currency=(currency or "").upper(),
        reference=(reference or "").strip(), recorded_by=actor,
    )
    clean_or_collect(payment, errors, exclude=["customer", "recorded_by"])
    _not_future(payment.received_at, "received_at", errors)
    if payment.reference and Payment.objects.filter(customer=customer, reference=payment.reference).exists():
        errors.setdefault("reference", []).append(_("A payment with this reference is already recorded."))
    raise_if_errors(errors)

    with transaction.atomic():
        open_items = list(
            Receivable.objects.select_for_update().filter(customer=customer, cancelled=False).order_by("due_on", "id")
        )
        plan = _allocation_plan(payment.amount, open_items, allocations, errors)
        raise_if_errors(errors)
        payment.save()
        _allocate(payment, plan)
        refresh_balances([customer.pk])
        audit(actor=actor, action="payment.create", target=payment, customer_id=customer.pk,
              changes={"payment": snapshot(payment), "allocations": [[r.number, str(a)] for r, a in plan]})
    return payment


def _allocation_plan(amount, open_items, requested, errors) -> list[tuple[Receivable, Decimal]]:
    owed = sum((r.outstanding for r in open_items), ZERO)
    if requested is None:
        if amount > owed:
            errors.setdefault("amount", []).append(
                _("The payment (%(amount)s) is larger than what the customer owes (%(owed)s).") % {"amount": amount, "owed": owed}
            )
            return []
        plan, left = [], amount
        for receivable in open_items:
            take = min(left, receivable.outstanding)
            if take > 0:
                plan.append((receivable, take))
                left -= take
        return plan
    by_id = {r.pk: r for r in open_items}
    plan, total = [], ZERO
    for index, (receivable, raw) in enumerate(requested):
        share = _decimal(raw, f"allocations.{index}.amount", errors)
        current = by_id.get(getattr(receivable, "pk", None))
        if current is None:
            errors.setdefault(f"allocations.{index}.receivable", []).append(_("This receivable is not open for this customer."))
        elif share is not None and (share <= 0 or share > current.outstanding):
            errors.setdefault(f"allocations.{index}.amount", []).append(
                _("Allocate more than zero and at most the outstanding %(owed)s.") % {"owed": current.outstanding}
            )
        else:
            plan.append((current, share))
            total += share or ZERO
    if not errors and total != amount:
        errors.setdefault("allocations", []).append(_("The allocations add up to %(sum)s, not %(amount)s.") % {"sum": total, "amount": amount})
    return plan


def credit_incident_record(*, actor: User, customer: Customer, occurred_on: Any, description: str, amount: Any = None) -> CreditIncident:
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    incident = CreditIncident(customer=customer, occurred_on=occurred_on, description=description or "", amount=amount, recorded_by=actor)
    clean_or_collect(incident, errors, exclude=["customer", "recorded_by"])
    raise_if_errors(errors)
    with transaction.atomic():
        incident.save()
        audit(actor=actor, action="credit_incident.create", target=incident, customer_id=customer.pk, changes=snapshot(incident))
    return incident


PRODUCT_FIELDS = ("sku", "name", "category", "price", "active")


def product_save(*, actor: User, values: dict[str, Any], product: Product | None = None) -> Product:
    """Create a catalogue product, or change one; managers and administrators only."""
    from django.core.exceptions import PermissionDenied

    from kehu.accounts.permissions import may_configure

    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers edit the catalogue."))
    creating = product is None
    product = product or Product()
    before = {} if creating else snapshot(product)
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key in PRODUCT_FIELDS:
            setattr(product, key, value)
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    clean_or_collect(product, errors)
    if errors:
        if not creating:
            product.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        product.save()
        audit(actor=actor, action="product.create" if creating else "product.update", target=product,
              changes=snapshot(product) if creating else {k: v for k, v in snapshot(product).items() if before.get(k) != v})
    return product
