"""The consumption profile (first/last purchase, spend, favourites, habits, balances).

Two ways to the same figures:
- `add_orders` folds new orders into the stored profile: O(new orders), whatever the
  customer's history. Orders and imports use it, inside their own transaction.
- `refresh_profiles` recomputes from the rows with grouped SQL, for any batch of
  customers: refunds and cancellations (which take figures away) use it, and
  `kehu recompute-profiles` uses it to rebuild everything and report drift.
Balances (outstanding, overdue) always come from the open receivables.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import orjson
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from kehu.core.bulk import TableWriter
from kehu.core.sql import one_of
from kehu.sales.choices import VOID_ORDER_STATUSES
from kehu.sales.models import ZERO, ConsumptionProfile, Order, OrderLine, Receivable

SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
TOP_N = 3
CENT = Decimal("0.01")
BATCH = 500
COUNTER_KINDS = ("categories", "channels", "weekday", "hour", "month")

PROFILE_FIELDS = [
    "first_order_at", "last_order_at", "order_count", "total_spend", "average_order_value", "spend_last_12_months",
    "favourite_categories", "favourite_channels", "usual_weekday", "usual_hour", "usual_season",
    "average_days_between_orders", "outstanding_balance", "overdue_balance", "counters", "updated_at",
]


@dataclass
class NewOrder:
    """What `add_orders` needs to know of an order just written (not void, nothing refunded)."""

    customer_id: int
    ordered_at: datetime.datetime
    channel: str
    total: Decimal
    local_weekday: int
    local_hour: int
    local_month: int
    category_spend: dict[str, Decimal] = field(default_factory=dict)


def _by_count(item: tuple) -> tuple:
    """Sort key of a tally entry: largest count first, ties broken by key so results are stable."""
    return (-item[1], item[0])


def _by_spend(item: tuple) -> tuple:
    """The same for spends (decimal text in the counters, Decimal when freshly summed)."""
    return (-Decimal(item[1]), item[0])


def _top(values: dict, n: int, rank=_by_count) -> list:
    """The n keys with the largest values (keys are text, as JSON keeps them)."""
    if not values:
        return []
    if n == 1 and rank is _by_count:  # the largest count, the smallest key among equals: no key function
        largest = max(values.values())
        return [min(k for k, v in values.items() if v == largest)]
    return [k for k, _v in sorted(values.items(), key=rank)[:n]]


@dataclass(slots=True)
class _ProfileRow:
    """A consumption profile as `add_orders` folds orders into it: the table's columns
    without a model instance (building one per customer, JSON decoding included, was a
    third of an order import's time). `save_profiles` writes it like a model."""

    customer_id: int
    first_order_at: datetime.datetime | None = None
    last_order_at: datetime.datetime | None = None
    order_count: int = 0
    total_spend: Decimal = ZERO
    spend_last_12_months: Decimal = ZERO
    outstanding_balance: Decimal = ZERO
    overdue_balance: Decimal = ZERO
    counters: dict = field(default_factory=dict)
    # derived by `_derive`
    average_order_value: Decimal = ZERO
    favourite_categories: list = field(default_factory=list)
    favourite_channels: list = field(default_factory=list)
    usual_weekday: int | None = None
    usual_hour: int | None = None
    usual_season: str = ""
    average_days_between_orders: float | None = None
    updated_at: datetime.datetime | None = None


# What `add_orders` reads of a stored profile: the sums and tallies it adds to.
_STORED_SUMS = ("customer_id", "first_order_at", "last_order_at", "order_count", "total_spend", "spend_last_12_months",
                "outstanding_balance", "overdue_balance", "counters")


def _derive(profile: ConsumptionProfile | _ProfileRow, now: datetime.datetime) -> None:
    """Fill the read-only figures of `profile` from its sums and counters."""
    counters = profile.counters
    count = profile.order_count
    profile.average_order_value = (profile.total_spend / count).quantize(CENT) if count else ZERO
    profile.average_days_between_orders = (
        round((profile.last_order_at - profile.first_order_at).total_seconds() / 86400 / (count - 1), 2)
        if count > 1 else None
    )
    profile.favourite_categories = _top(counters.get("categories", {}), TOP_N, _by_spend)
    profile.favourite_channels = _top(counters.get("channels", {}), TOP_N)
    weekday = _top(counters.get("weekday", {}), 1)
    hour = _top(counters.get("hour", {}), 1)
    profile.usual_weekday = int(weekday[0]) if weekday else None
    profile.usual_hour = int(hour[0]) if hour else None
    seasons: dict[str, int] = defaultdict(int)
    for month, n in counters.get("month", {}).items():
        seasons[SEASONS[int(month)]] += n
    profile.usual_season = (_top(seasons, 1) or [""])[0]
    profile.updated_at = now


def _balances(customer_ids: Sequence[int], today: datetime.date) -> dict[int, dict]:
    owed = F("amount") - F("credited_amount") - F("paid_amount")
    return {
        row["customer_id"]: row
        for row in Receivable.objects.filter(
            customer_id__in=one_of(customer_ids), cancelled=False, paid_amount__lt=F("amount") - F("credited_amount")
        ).values("customer_id").annotate(outstanding=Sum(owed), overdue=Sum(owed, filter=Q(due_on__lt=today)))
    }


def _set_balances(profile: ConsumptionProfile | _ProfileRow, balances: dict[int, dict]) -> None:
    row = balances.get(profile.customer_id) or {}
    # Whole cents: SQLite sums money as floating point (0.00999999999999998 for 0.01), and
    # a fresh figure must equal the stored one, which its column rounds to cents.
    profile.outstanding_balance = (row.get("outstanding") or ZERO).quantize(CENT)
    profile.overdue_balance = (row.get("overdue") or ZERO).quantize(CENT)


_writer: TableWriter | None = None


def save_profiles(profiles: Iterable[ConsumptionProfile | _ProfileRow]) -> None:
    global _writer
    if _writer is None:
        _writer = TableWriter(ConsumptionProfile, with_id=True)
    _writer.upsert(_writer.encode_objects(list(profiles)), conflict=["customer_id"])


def _stored_sums(customer_ids: Sequence[int], *, lock: bool) -> dict[int, tuple]:
    """The stored sums of these customers' profiles as the driver returns them (raw rows,
    which compare for equality), locked to the end of the transaction when `lock`.

    The ORM writes the query; its rows are read from the cursor and converted by
    `_profile_row`: the ORM's per-value converters (JSON decoding above all) took 25 µs a
    row, this 3. On SQLite the moments are cast to text, which is how they are stored:
    read as datetimes, the driver would run Django's converter, written in Python, on each."""
    query = ConsumptionProfile.objects.filter(customer_id__in=one_of(customer_ids))
    if lock:
        query = query.select_for_update()
    if connection.vendor == "sqlite":
        query = query.annotate(**{f"raw_{name}": Cast(name, TextField()) for name in _MOMENTS})
        columns = [f"raw_{name}" if name in _MOMENTS else name for name in _STORED_SUMS]
    else:
        columns = list(_STORED_SUMS)
    sql, params = query.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own (compiled) reader of aware datetimes: Django's, written in Python
            # to set the time zone, was 4% of an import. Both give the same moments.
            from psycopg.types.datetime import TimestamptzLoader

            cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return {row[0]: row for row in cursor.fetchall()}


_MOMENTS = ("first_order_at", "last_order_at")


def _profile_row(row: tuple) -> _ProfileRow:
    if connection.vendor == "postgresql":  # psycopg gives aware datetimes and Decimals already
        return _ProfileRow(*row[:8], counters=orjson.loads(row[8]))
    # SQLite: naive UTC text and REAL money, read as Django's own converters would
    cid, first, last, count, spend, spend_12m, outstanding, overdue, counters = row
    return _ProfileRow(
        cid, _utc(first), _utc(last), count,
        _money(spend), _money(spend_12m), _money(outstanding), _money(overdue), orjson.loads(counters),
    )


def _utc(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _money(value: float | int | str | None) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(CENT)


@dataclass
class FoldedOrders:
    """New orders folded into their customers' profiles ahead of the write.

    `fold_orders` reads the stored profiles without locking them, so it may run outside
    the transaction that writes (an import prepares its next batch while another worker
    writes); `save_folded`, inside that transaction, locks the profiles, folds again any
    that changed meanwhile, and stores them."""

    orders: dict[int, list[NewOrder]]  # by customer
    stored: dict[int, tuple]  # the raw rows the fold started from
    profiles: dict[int, _ProfileRow]
    recount: set[int]  # customers whose balances are read at the write
    now: datetime.datetime
    locked: bool  # `stored` was read under the write's own lock: nothing can have changed


def fold_orders(orders: Sequence[NewOrder], *, now: datetime.datetime | None = None,
                balances_moved: Collection[int] | None = None, lock: bool = False) -> FoldedOrders:
    """Fold newly written (or about to be written) orders into their customers' profiles.

    `lock`: read the profiles locked, inside the transaction that will save them, so
    `save_folded` need not read them again. `balances_moved`: the customers whose
    receivables these orders changed (None: any of them may have). Paid orders leave
    balances alone, so an import of paid history skips the receivable query for everyone else.
    """
    now = now or timezone.now()
    by_customer: dict[int, list[NewOrder]] = defaultdict(list)
    for order in orders:
        by_customer[order.customer_id].append(order)
    ids = sorted(by_customer)
    stored: dict[int, tuple] = {}
    for start in range(0, len(ids), BATCH):
        stored.update(_stored_sums(ids[start : start + BATCH], lock=lock))
    recount = set(ids) if balances_moved is None else {cid for cid in ids if cid in balances_moved or cid not in stored}
    folded = FoldedOrders(by_customer, stored, {}, recount, now, locked=lock)
    _fold(folded, ids)
    return folded


def _fold(folded: FoldedOrders, customer_ids: Iterable[int]) -> None:
    """Add each customer's new orders to the profile of `folded.stored`; derive its
    figures now unless its balances are still to be read."""
    year_ago = folded.now - datetime.timedelta(days=365)
    for cid in customer_ids:
        raw = folded.stored.get(cid)
        profile = _profile_row(raw) if raw is not None else _ProfileRow(customer_id=cid)
        counters = profile.counters  # decoded just now: ours to change
        categories, channels, weekdays, hours, months = (counters.setdefault(kind, {}) for kind in COUNTER_KINDS)
        for order in folded.orders[cid]:
            profile.order_count += 1
            profile.total_spend += order.total
            if order.ordered_at >= year_ago:
                profile.spend_last_12_months += order.total
            if profile.first_order_at is None or order.ordered_at < profile.first_order_at:
                profile.first_order_at = order.ordered_at
            if profile.last_order_at is None or order.ordered_at > profile.last_order_at:
                profile.last_order_at = order.ordered_at
            for category, spend in order.category_spend.items():
                categories[category] = str(Decimal(categories.get(category, "0")) + spend)
            for tally, value in ((channels, order.channel), (weekdays, str(order.local_weekday)),
                                 (hours, str(order.local_hour)), (months, str(order.local_month))):
                tally[value] = tally.get(value, 0) + 1
        if cid not in folded.recount:
            _derive(profile, folded.now)
        folded.profiles[cid] = profile


def save_folded(folded: FoldedOrders) -> None:
    """Store the folded profiles, in the transaction that writes their orders."""
    ids = sorted(folded.orders)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        changed = []
        if not folded.locked:
            current = _stored_sums(batch, lock=True)
            changed = [cid for cid in batch if current.get(cid) != folded.stored.get(cid)]
        for cid in changed:  # written by someone else since the fold: fold again from what is there now
            if cid in current:
                folded.stored[cid] = current[cid]
            else:  # removed meanwhile: start afresh, balances included
                del folded.stored[cid]
                folded.recount.add(cid)
        _fold(folded, changed)
        recount = [cid for cid in batch if cid in folded.recount]
        if recount:
            balances = _balances(recount, timezone.localdate(folded.now))
            for cid in recount:
                _set_balances(folded.profiles[cid], balances)
                _derive(folded.profiles[cid], folded.now)
        save_profiles(folded.profiles[cid] for cid in batch)


def add_orders(orders: Sequence[NewOrder], *, now: datetime.datetime | None = None,
               balances_moved: Collection[int] | None = None) -> None:
    """Fold newly written orders into their customers' stored profiles (in the caller's transaction)."""
    save_folded(fold_orders(orders, now=now, balances_moved=balances_moved, lock=True))


def refresh_balances(customer_ids: Iterable[int]) -> None:
    """After a payment or a new receivable: only the balances move."""
    ids = sorted(set(customer_ids))
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        balances = _balances(batch, timezone.localdate(now))
        stored = {p.customer_id: p for p in ConsumptionProfile.objects.select_for_update().filter(customer_id__in=batch)}
        profiles = []
        for cid in batch:
            profile = stored.get(cid) or ConsumptionProfile(customer_id=cid, counters={})
            _set_balances(profile, balances)
            _derive(profile, now)
            profiles.append(profile)
        save_profiles(profiles)


def refresh_all_balances() -> int:
    """Overdue balances change as days pass, without any write: the daily job refreshes them
    for every customer with an open receivable (or a stale non-zero balance)."""
    open_ids = set(
        Receivable.objects.filter(cancelled=False, paid_amount__lt=F("amount") - F("credited_amount"))
        .values_list("customer_id", flat=True).distinct()
    )
    stale_ids = set(ConsumptionProfile.objects.exclude(outstanding_balance=0).values_list("customer_id", flat=True))
    ids = open_ids | stale_ids
    refresh_balances(ids)
    return len(ids)


def _grouped(rows: Iterable[dict], key: str, value: str) -> dict[int, dict]:
    out: dict[int, dict] = defaultdict(dict)
    for row in rows:
        out[row["customer_id"]][str(row[key])] = row[value]
    return out


def compute_profiles(customer_ids: Sequence[int], *, now: datetime.datetime | None = None) -> dict[int, ConsumptionProfile]:
    """Profiles recomputed from the rows (not saved), one per id, with a fixed number of queries."""
    now = now or timezone.now()
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
    # Through the order: the lines' own customer column has no index.
    lines = OrderLine.objects.filter(order__customer_id__in=customer_ids).exclude(order__status__in=VOID_ORDER_STATUSES)
    tallies = {
        "categories": _grouped(lines.exclude(category="").values("customer_id", "category").annotate(v=Sum("line_total")), "category", "v"),
        "channels": _grouped(orders.values("customer_id", "channel").annotate(v=Count("id")), "channel", "v"),
        "weekday": _grouped(orders.values("customer_id", "local_weekday").annotate(v=Count("id")), "local_weekday", "v"),
        "hour": _grouped(orders.values("customer_id", "local_hour").annotate(v=Count("id")), "local_hour", "v"),
        "month": _grouped(orders.values("customer_id", "local_month").annotate(v=Count("id")), "local_month", "v"),
    }
    balances = _balances(customer_ids, timezone.localdate(now))
    profiles = {}
    for cid in customer_ids:
        row = totals.get(cid, {})
        counters = {kind: dict(tallies[kind].get(cid, {})) for kind in COUNTER_KINDS}
        counters["categories"] = {k: str(v) for k, v in counters["categories"].items()}
        profile = ConsumptionProfile(
            customer_id=cid, first_order_at=row.get("first"), last_order_at=row.get("last"),
            order_count=row.get("count", 0),
            total_spend=(row.get("spend") or ZERO) - (row.get("refunded") or ZERO),
            spend_last_12_months=(row.get("spend_12m") or ZERO) - (row.get("refunded_12m") or ZERO),
            counters=counters,
        )
        _set_balances(profile, balances)
        _derive(profile, now)
        profiles[cid] = profile
    return profiles


def refresh_profiles(customer_ids: Iterable[int]) -> int:
    """Recompute and store the profiles of `customer_ids` from their rows; returns how many."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), BATCH):
        save_profiles(compute_profiles(ids[start : start + BATCH]).values())
    return len(ids)


def refresh_profile(customer_id: int) -> ConsumptionProfile:
    refresh_profiles([customer_id])
    return ConsumptionProfile.objects.get(pk=customer_id)


def compute_profile(customer_id: int) -> ConsumptionProfile:
    return compute_profiles([customer_id])[customer_id]


def drift(stored: ConsumptionProfile, fresh: ConsumptionProfile) -> dict[str, tuple[object, object]]:
    """Fields whose stored value differs from a fresh computation (time-dependent ones aside)."""
    skip = {"updated_at", "spend_last_12_months", "overdue_balance"}
    differs = {}
    for name in PROFILE_FIELDS:
        if name in skip:
            continue
        old, new = getattr(stored, name), getattr(fresh, name)
        if name == "counters":
            old, new = _normal_counters(old), _normal_counters(new)
        if old != new:
            differs[name] = (getattr(stored, name), getattr(fresh, name))
    return differs


def _normal_counters(counters: dict) -> dict:
    return {
        kind: {str(k): (Decimal(str(v)) if kind == "categories" else int(v)) for k, v in counters.get(kind, {}).items()}
        for kind in COUNTER_KINDS
    }
