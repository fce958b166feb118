"""The consumption profile, computed set-wise in SQL for any number of customers.

`refresh_profiles` runs inside the transaction of every order, refund or payment (for
one customer) and after bulk imports (for thousands at once): one code path, a fixed
number of grouped queries per batch, never a Python loop over orders.
`kehu recompute-profiles` rebuilds them all and reports drift.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from kehu.sales.choices import VOID_ORDER_STATUSES
from kehu.sales.models import ZERO, ConsumptionProfile, Order, OrderLine, Receivable

SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
TOP_N = 3
BATCH = 500

PROFILE_FIELDS = [
    "first_order_at", "last_order_at", "order_count", "total_spend", "average_order_value", "spend_last_12_months",
    "favourite_categories", "favourite_channels", "usual_weekday", "usual_hour", "usual_season",
    "average_days_between_orders", "outstanding_balance", "overdue_balance", "updated_at",
]


def _top(counts: dict[int, dict], n: int) -> dict[int, list]:
    """Per customer, the n keys with the largest value (ties broken by key, so results are stable)."""
    return {cid: [k for k, _v in sorted(values.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]] for cid, values in counts.items()}


def _grouped(rows: Iterable[dict], key: str, value: str) -> dict[int, dict]:
    out: dict[int, dict] = defaultdict(dict)
    for row in rows:
        out[row["customer_id"]][row[key]] = row[value]
    return out


def compute_profiles(customer_ids: Sequence[int], *, now: datetime.datetime | None = None) -> dict[int, ConsumptionProfile]:
    """Fresh profiles (not saved) for `customer_ids`, one per id."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year_ago = now - datetime.timedelta(days=365)
    orders = Order.objects.filter(customer_id__in=customer_ids).exclude(status__in=VOID_ORDER_STATUSES)
    totals = {
        row["customer_id"]: row
        for row in orders.values("customer_id").annotate(
            first=Min("ordered_at"), last=Max("ordered_at"), count=Count("id"), spend=Sum("total"),
            refunded=Sum("refunded_amount"),
            spend_12m=Sum("total", filter=Q(ordered_at__gte=year_ago)),
            refunded_12m=Sum("refunded_amount", filter=Q(ordered_at__gte=year_ago)),
        )
    }
    lines = OrderLine.objects.filter(customer_id__in=customer_ids).exclude(order__status__in=VOID_ORDER_STATUSES)
    categories = _top(_grouped(
        lines.exclude(category="").values("customer_id", "category").annotate(spend=Sum("line_total")), "category", "spend"
    ), TOP_N)
    channels = _top(_grouped(orders.values("customer_id", "channel").annotate(n=Count("id")), "channel", "n"), TOP_N)
    weekday = _top(_grouped(orders.values("customer_id", "local_weekday").annotate(n=Count("id")), "local_weekday", "n"), 1)
    hour = _top(_grouped(orders.values("customer_id", "local_hour").annotate(n=Count("id")), "local_hour", "n"), 1)
    months = _grouped(orders.values("customer_id", "local_month").annotate(n=Count("id")), "local_month", "n")
    seasons: dict[int, dict[str, int]] = {}
    for cid, by_month in months.items():
        seasons[cid] = defaultdict(int)
        for month, n in by_month.items():
            seasons[cid][SEASONS[month]] += n
    season = _top(seasons, 1)
    owed = F("amount") - F("credited_amount") - F("paid_amount")
    balances = {
        row["customer_id"]: row
        for row in Receivable.objects.filter(
            customer_id__in=customer_ids, cancelled=False, paid_amount__lt=F("amount") - F("credited_amount")
        ).values("customer_id").annotate(outstanding=Sum(owed), overdue=Sum(owed, filter=Q(due_on__lt=today)))
    }

    profiles = {}
    for cid in customer_ids:
        row = totals.get(cid, {})
        count = row.get("count", 0)
        spend = (row.get("spend") or ZERO) - (row.get("refunded") or ZERO)
        profile = ConsumptionProfile(
            customer_id=cid, first_order_at=row.get("first"), last_order_at=row.get("last"), order_count=count,
            total_spend=spend,
            average_order_value=(spend / count).quantize(Decimal("0.01")) if count else ZERO,
            spend_last_12_months=(row.get("spend_12m") or ZERO) - (row.get("refunded_12m") or ZERO),
            favourite_categories=categories.get(cid, []), favourite_channels=channels.get(cid, []),
            usual_weekday=(weekday.get(cid) or [None])[0], usual_hour=(hour.get(cid) or [None])[0],
            usual_season=(season.get(cid) or [""])[0],
            outstanding_balance=(balances.get(cid) or {}).get("outstanding") or ZERO,
            overdue_balance=(balances.get(cid) or {}).get("overdue") or ZERO,
            updated_at=now,
        )
        if count > 1:
            span = (row["last"] - row["first"]).total_seconds() / 86400
            profile.average_days_between_orders = round(span / (count - 1), 2)
        profiles[cid] = profile
    return profiles


def refresh_profiles(customer_ids: Iterable[int]) -> int:
    """Recompute and store the profiles of `customer_ids`; returns how many were written."""
    ids = sorted(set(customer_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        fresh = list(compute_profiles(batch).values())
        ConsumptionProfile.objects.bulk_create(
            fresh, update_conflicts=True, unique_fields=["customer"], update_fields=PROFILE_FIELDS
        )
        written += len(fresh)
    return written


def refresh_profile(customer_id: int) -> ConsumptionProfile:
    refresh_profiles([customer_id])
    return ConsumptionProfile.objects.get(pk=customer_id)


def compute_profile(customer_id: int) -> ConsumptionProfile:
    return compute_profiles([customer_id])[customer_id]


def drift(stored: ConsumptionProfile, fresh: ConsumptionProfile) -> dict[str, tuple[object, object]]:
    """Fields whose stored value differs from a fresh computation (time-dependent ones aside)."""
    skip = {"updated_at", "spend_last_12_months", "overdue_balance"}
    return {
        name: (getattr(stored, name), getattr(fresh, name))
        for name in PROFILE_FIELDS
        if name not in skip and getattr(stored, name) != getattr(fresh, name)
    }
