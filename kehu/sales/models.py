"""Products, orders, receivables, payments, credit incidents and the derived consumption profile.

Every activity table carries `customer_id` so it can be sharded with the customer.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Customer
from kehu.sales.choices import OrderChannel, OrderStatus, PaymentMethod

ZERO = Decimal("0.00")


def money(label: str, **extra) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **extra)


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    price = money(_("price"), validators=[MinValueValidator(0)])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    # No index of its own: (customer, -ordered_at) below serves every lookup by customer,
    # and an index fewer to keep up on every insert.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders", db_index=False)
    number = models.CharField(_("order number"), max_length=64, unique=True)
    ordered_at = models.DateTimeField(_("ordered at"))
    channel = models.CharField(_("channel"), max_length=12, choices=OrderChannel.choices)
    payment_method = models.CharField(_("payment method"), max_length=12, choices=PaymentMethod.choices, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.UNPAID)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    total = money(_("total"), default=ZERO)
    refunded_amount = money(_("refunded"), default=ZERO)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    # The order time's local weekday (ISO, 1 = Monday), hour and month, kept when the order is
    # written: habit figures group on them without a per-row time-zone conversion in SQL.
    local_weekday = models.PositiveSmallIntegerField(default=0, editable=False)
    local_hour = models.PositiveSmallIntegerField(default=0, editable=False)
    local_month = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["customer", "-ordered_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="order_refund_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    def set_local_parts(self) -> None:
        local = timezone.localtime(self.ordered_at)
        self.local_weekday, self.local_hour, self.local_month = local.isoweekday(), local.hour, local.month

    @property
    def net_amount(self) -> Decimal:
        return self.total - self.refunded_amount


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # The order's customer, copied onto its lines so the co-purchase pass groups them without
    # a join. No index and no constraint of its own: lookups go through the order (its
    # (customer, -ordered_at) index), the lines go when their order goes, and an index
    # fewer is one random write fewer for every line an import adds to a 10M-line table.
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                 db_constraint=False)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = money(_("unit price"))
    discount = money(_("discount"), default=ZERO, help_text=_("Amount taken off this line."))
    line_total = money(_("line total"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(condition=Q(line_total__gte=0), name="order_line_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} × {self.quantity}"


class Receivable(models.Model):
    """Money a customer owes, due on a date (an invoice, or the unpaid part of an order)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="receivables")
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="receivable")
    number = models.CharField(_("invoice number"), max_length=64, unique=True)
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    credited_amount = money(_("credited"), default=ZERO, help_text=_("Taken off by refunds of the order."))
    paid_amount = money(_("paid"), default=ZERO)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [models.Index(fields=["customer", "due_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="receivable_paid_not_negative"),
            models.CheckConstraint(
                condition=Q(credited_amount__gte=0, credited_amount__lte=models.F("amount")),
                name="receivable_credit_within_amount",
            ),
            models.CheckConstraint(condition=Q(paid_amount__lte=models.F("amount")), name="receivable_not_overpaid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        if self.cancelled:
            return ZERO
        return max(self.amount - self.credited_amount - self.paid_amount, ZERO)


class Payment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="payments")
    received_at = models.DateTimeField(_("received at"))
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    method = models.CharField(_("method"), max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["customer", "-received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reference"], condition=~Q(reference=""), name="payment_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    receivable = models.ForeignKey(Receivable, on_delete=models.CASCADE, related_name="allocations")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    amount = money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])


class CreditIncident(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="credit_incidents")
    occurred_on = models.DateField(_("occurred on"))
    description = models.CharField(_("description"), max_length=1000)
    amount = money(_("amount involved"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("credit incident")
        verbose_name_plural = _("credit incidents")


class ConsumptionProfile(models.Model):
    """Derived purchase figures of one customer, updated with every order or payment."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="consumption")
    first_order_at = models.DateTimeField(null=True)
    # No index: segments filter recency together with spend and order counts, which scan
    # the profiles anyway, and SQLite chose the index for "no order since …" and took 12×
    # longer than its scan (0.6M of 1M customers). Keeping it up cost an imported order
    # one more page written in three (benchmarks/import_orders.py).
    last_order_at = models.DateTimeField(null=True)
    order_count = models.PositiveIntegerField(default=0)
    total_spend = money("total spend", default=ZERO)
    average_order_value = money("average order value", default=ZERO)
    spend_last_12_months = money("spend in the last 12 months", default=ZERO)
    favourite_categories = models.JSONField(default=list)
    favourite_channels = models.JSONField(default=list)
    usual_weekday = models.PositiveSmallIntegerField(null=True, help_text="1 = Monday … 7 = Sunday")
    usual_hour = models.PositiveSmallIntegerField(null=True)
    usual_season = models.CharField(max_length=6, blank=True)
    average_days_between_orders = models.FloatField(null=True)
    outstanding_balance = money("outstanding balance", default=ZERO)
    overdue_balance = money("overdue balance", default=ZERO)
    # Running tallies the favourites and habits above are read from, so a new order is
    # added in O(1) instead of re-reading the customer's history:
    # {"categories": {name: spend}, "channels": {code: n}, "weekday"/"hour"/"month": {value: n}}
    counters = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
