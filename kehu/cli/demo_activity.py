"""The demo's purchase history, so a new archive's insights have something to show.

Most demo customers get a few orders over the last two years, through the sales services
(so consumption profiles and timelines follow), then the base is scored once, with three
example tiers when none are defined: the dashboard, RFM grid, CLV and churn risk are filled
on first sign-in. Deterministic for the demo's seed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from kehu.insights.models import Tier
from kehu.insights.services import scoring_run, tiers_define
from kehu.sales.choices import OrderChannel
from kehu.sales.services import OrderLineData, order_create

if TYPE_CHECKING:
    from kehu.cli.demo import DemoContext

# (product, category, unit price in CNY): a tea shop's shelf
CATALOGUE = (("西湖龙井", "茶叶", "180.00"), ("普洱茶饼", "茶叶", "320.00"), ("安溪铁观音", "茶叶", "150.00"),
             ("紫砂壶", "茶具", "680.00"), ("白瓷盖碗", "茶具", "88.00"), ("桂花糕", "茶点", "38.00"),
             ("茶艺体验课", "服务", "480.00"))
ORDERS_PER_BUYER = (1, 1, 2, 2, 3, 4, 6, 9, 14)
EXAMPLE_TIERS = [
    {"name": "金牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 5000}], "color": "#d4a017"},
    {"name": "银牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 1500}], "color": "#9ca3af"},
    {"name": "普通", "conditions": []},
]


def add_demo_orders(context: DemoContext) -> None:
    rng, now, actor = context.rng, timezone.now(), context.staff.manager
    channels = [choice.value for choice in OrderChannel]
    for customer in context.customers:
        if rng.random() < 0.15:  # some never bought: the "no purchases yet" share
            continue
        for n in range(rng.choice(ORDERS_PER_BUYER)):
            shelf = rng.sample(CATALOGUE, rng.randint(1, 3))
            order_create(
                actor=actor, customer=customer, number=f"DEMO-{customer.number}-{n + 1}",
                ordered_at=now - datetime.timedelta(days=rng.randint(1, 720), hours=rng.randint(0, 9)),
                channel=rng.choice(channels), paid_in_full=True,
                lines=[OrderLineData(name, quantity=rng.randint(1, 3), unit_price=price, category=category)
                       for name, category, price in shelf])


def score_demo(context: DemoContext) -> None:
    if not Tier.objects.exists():
        tiers_define(actor=context.staff.manager, tiers=EXAMPLE_TIERS)
    scoring_run(actor=context.staff.manager)
