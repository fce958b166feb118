"""Builders for the activity tests: orders, communications, receivables."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kehu.interactions.services import interaction_log
from kehu.sales.services import OrderLineData, order_create


def ago(days: int = 0, hours: int = 0) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days, hours=hours, minutes=1)


def make_order(actor, customer, number: str = "SO-1", *, days: int = 3, **kwargs):
    kwargs.setdefault("lines", [OrderLineData("茶叶", quantity=2, unit_price="150.00", category="茶")])
    return order_create(actor=actor, customer=customer, number=number, ordered_at=ago(days), channel="store", **kwargs)


def make_call(actor, customer, content: str = "问候", *, days: int = 1, **values):
    values.setdefault("channel", "phone")
    return interaction_log(actor=actor, customer=customer, values={"content": content, "occurred_at": ago(days), **values})
