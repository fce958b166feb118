"""Reads about money, always scoped through the customer the viewer can see."""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet

from kehu.customers.models import Customer
from kehu.sales.choices import AGEING_BUCKETS
from kehu.sales.models import ZERO, Order, Receivable


def orders_of(customer: Customer) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).prefetch_related("lines").order_by("-ordered_at", "-id")


def open_receivables_of(customer: Customer) -> QuerySet[Receivable]:
    return Receivable.objects.filter(
        customer=customer, cancelled=False, paid_amount__lt=F("amount") - F("credited_amount")
    ).order_by("due_on", "id")


def ageing_of(customer: Customer, *, today: datetime.date) -> dict[str, object]:
    """Outstanding balance split by days past due: current, 1–30, 31–60, 61–90, 90+."""
    buckets = {key: ZERO for key, *_rest in AGEING_BUCKETS}
    for receivable in open_receivables_of(customer):
        days = (today - receivable.due_on).days
        for key, _label, low, high in AGEING_BUCKETS:
            if (low is None or days >= low) and (high is None or days <= high):
                buckets[key] += receivable.outstanding
                break
    return buckets
