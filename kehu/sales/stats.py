"""The consumption profile: recomputed for one customer from its own rows, in SQL.

Called inside the transaction of every order, refund or payment, so the profile is
never stale; `kehu recompute-profiles` rebuilds all of them and reports drift.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from kehu.sales.choices import VOID_ORDER_STATUSES
from kehu.sales.models import ZERO, ConsumptionProfile, Order, OrderLine, Receivable

SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
TOP_N = 3


def compute_profile(customer_id: int, *, now: datetime.datetime | None = None) -> ConsumptionProfile:
    """The profile as it should be now; not saved."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    orders = Order.objects.filter(customer_id=customer_id).exclude(status__in=VOID_ORDER_STATUSES)
    totals = orders.aggregate(
        first=Min("ordered_at"), last=Max("ordered_at"), count=Count("id"),
        spend=Sum("total"), refunded=Sum("refunded_amount"),
        spend_12m=Sum("total", filter=Q(ordered_at__gte=now - datetime.timedelta(days=365))),
        refunded_12m=Sum("refunded_amount", filter=Q(ordered_at__gte=now - datetime.timedelta(days=365))),
    )
    count = totals["count"]
    spend = (totals["spend"] or ZERO) - (totals["refunded"] or ZERO)
    profile = ConsumptionProfile(
        customer_id=customer_id,
        first_order_at=totals["first"],
        last_order_at=totals["last"],
        order_count=count,
        total_spend=spend,
        average_order_value=(spend / count).quantize(Decimal("0.01")) if count else ZERO,
        spend_last_12_months=(totals["spend_12m"] or ZERO) - (totals["refunded_12m"] or ZERO),
        updated_at=now,
    )
    if count > 1:
        span = (totals["last"] - totals["first"]).total_seconds() / 86400
        profile.average_days_between_orders = round(span / (count - 1), 2)
    categories = (
        OrderLine.objects.filter(order__in=orders).exclude(category="")
        .values("category").annotate(spend=Sum("line_total")).order_by("-spend", "category")[:TOP_N]
    )
    profile.favourite_categories = [row["category"] for row in categories]
    channels = orders.values("channel").annotate(n=Count("id")).order_by("-n", "channel")[:TOP_N]
    profile.favourite_channels = [row["channel"] for row in channels]
    _usual_times(profile, orders)
    open_receivables = Receivable.objects.filter(
        customer_id=customer_id, cancelled=False, paid_amount__lt=F("amount") - F("credited_amount")
    )
    owed = F("amount") - F("credited_amount") - F("paid_amount")
    balances = open_receivables.aggregate(outstanding=Sum(owed), overdue=Sum(owed, filter=Q(due_on__lt=today)))
    profile.outstanding_balance = balances["outstanding"] or ZERO
    profile.overdue_balance = balances["overdue"] or ZERO
    return profile


def _usual_times(profile: ConsumptionProfile, orders) -> None:
    # Local time matters (a 23:00 order in Shanghai is not a 15:00 order), so convert here:
    # the most recent 500 orders are plenty to find a habit.
    stamps = [timezone.localtime(t) for t in orders.order_by("-ordered_at").values_list("ordered_at", flat=True)[:500]]
    if not stamps:
        profile.usual_weekday = profile.usual_hour = None
        profile.usual_season = ""
        return
    profile.usual_weekday = Counter(t.isoweekday() for t in stamps).most_common(1)[0][0]
    profile.usual_hour = Counter(t.hour for t in stamps).most_common(1)[0][0]
    profile.usual_season = Counter(SEASONS[t.month] for t in stamps).most_common(1)[0][0]


PROFILE_FIELDS = [
    "first_order_at", "last_order_at", "order_count", "total_spend", "average_order_value", "spend_last_12_months",
    "favourite_categories", "favourite_channels", "usual_weekday", "usual_hour", "usual_season",
    "average_days_between_orders", "outstanding_balance", "overdue_balance", "updated_at",
]


def refresh_profile(customer_id: int) -> ConsumptionProfile:
    profile = compute_profile(customer_id)
    profile.save()
    return profile


def drift(stored: ConsumptionProfile, fresh: ConsumptionProfile) -> dict[str, tuple[object, object]]:
    """Fields whose stored value differs from a fresh computation (time-dependent ones aside)."""
    skip = {"updated_at", "spend_last_12_months", "overdue_balance"}
    return {
        name: (getattr(stored, name), getattr(fresh, name))
        for name in PROFILE_FIELDS
        if name not in skip and getattr(stored, name) != getattr(fresh, name)
    }
