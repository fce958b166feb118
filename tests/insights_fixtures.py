"""A small scored archive for the insights pages and API: tiers, orders, one scoring run."""

from __future__ import annotations

import datetime

from django.utils import timezone

from kehu.insights.models import ScoringRun, Tier
from kehu.insights.services import scoring_run, tiers_define
from kehu.sales.services import OrderLineData, order_create

GOLD = {"name": "金牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 1000}], "color": "#d4a017"}
SILVER = {"name": "银牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 300}]}
ORDINARY = {"name": "普通", "conditions": []}


def buy(actor, customer, number: str, *, days: int, amount: str) -> None:
    when = timezone.now() - datetime.timedelta(days=days)
    order_create(actor=actor, customer=customer, number=number, ordered_at=when, channel="store",
                 lines=[OrderLineData("茶叶", quantity=1, unit_price=amount)])


def scored(manager, sales, customer) -> tuple[ScoringRun, list[Tier]]:
    """`customer` buys four times (silver), then the whole base is scored as of today."""
    tiers = tiers_define(actor=manager, tiers=[GOLD, SILVER, ORDINARY])
    for n, days in enumerate((300, 200, 100, 20)):
        buy(sales, customer, f"SO-INS-{customer.pk}-{n}", days=days, amount="150.00")
    return scoring_run(actor=manager), tiers
