"""Fast loading of synthetic orders and communications for customers already in the archive.

The benchmarks need the reference data set of DESIGN.md §6 — 1M customers, 10M orders,
5M communications — and the services write one order per transaction with its audit row,
which at ten million is a day. Here each batch of customers gets its orders (with lines),
communications and consumption profiles written in one transaction: rows through
`TableWriter` (COPY on PostgreSQL), profiles through `stats.refresh_profiles`, the same
grouped-SQL path `kehu recompute-profiles` takes, so the stored figures are what kehu
itself computes.

Purchase histories follow the shape the CLV model expects: a first purchase somewhere in
the period, purchases at a customer-specific rate (gamma-distributed across customers),
and a customer-specific moment after which the customer has quietly stopped buying.
No audit events are written: nobody did anything, a generator did.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from kehu.core.bulk import TableWriter, datetime_texts
from kehu.customers.models import Customer
from kehu.interactions.models import Channel, Direction, Interaction, Outcome
from kehu.sales import stats
from kehu.sales.choices import OrderChannel, OrderStatus, PaymentMethod
from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Product

CATEGORIES = ("护肤", "彩妆", "香水", "个护", "保健品", "茶叶", "酒水", "家电", "数码", "服饰", "鞋包", "母婴")
PRODUCTS_PER_CATEGORY = 12
SUBJECTS = ("回访", "新品介绍", "售后跟进", "生日问候", "报价沟通", "投诉处理", "活动邀请", "续约洽谈")
CONTENTS = (
    "客户对上次购买的产品比较满意，询问近期是否有优惠活动。",
    "电话未接通，稍后再联系。",
    "客户反映包装破损，已登记并安排补发。",
    "介绍了新品系列，客户表示有兴趣，约定下周到店体验。",
    "客户提出价格偏高，需要申请折扣后再回复。",
)
# Share of orders by status; refunded and cancelled orders count for nothing in the profile.
STATUS_SHARES = {
    OrderStatus.PAID: 0.86, OrderStatus.UNPAID: 0.04, OrderStatus.PARTIALLY_PAID: 0.04,
    OrderStatus.REFUNDED: 0.03, OrderStatus.CANCELLED: 0.03,
}
YEARS = 3
ANALYZE_FIRST_AT = 50_000  # orders


@dataclass(frozen=True)
class ActivityResult:
    customers: int
    orders: int
    order_lines: int
    interactions: int
    seconds: float


def ensure_products() -> list[tuple[int, str, str, Decimal]]:
    """The benchmark catalogue: (id, name, category, price) for a dozen products per category."""
    for c_index, category in enumerate(CATEGORIES):
        for p_index in range(PRODUCTS_PER_CATEGORY):
            price = Decimal(39 + 37 * ((c_index * 7 + p_index * 13) % 40))
            Product.objects.get_or_create(
                sku=f"BENCH-{c_index:02d}-{p_index:02d}",
                defaults={"name": f"{category}{p_index + 1}号", "category": category, "price": price},
            )
    return [(p.pk, p.name, p.category, p.price) for p in Product.objects.filter(sku__startswith="BENCH-").order_by("sku")]


class _Writers:
    def __init__(self) -> None:
        self.order = TableWriter(Order, with_id=True)
        self.line = TableWriter(OrderLine)
        self.interaction = TableWriter(Interaction)


def _period(now: datetime.datetime) -> tuple[float, float]:
    end = now.timestamp() - 3600
    return end - YEARS * 365 * 86400, end


def _purchase_times(rng: np.random.Generator, count: int, mean_orders: float, start: float, end: float) -> list[np.ndarray]:
    """Per customer, the sorted epoch-seconds of their purchases (possibly none)."""
    span = end - start
    # Rate heterogeneity (gamma) and dropout (a customer stops at a uniform point of their
    # active life), tuned so the mean number of orders is about `mean_orders`.
    shape = 0.9
    rates = rng.gamma(shape, (mean_orders * 2.25) / shape, size=count)
    first = start + span * rng.random(count) ** 1.4
    alive_until = first + (end - first) * np.sqrt(rng.random(count))
    repeats = rng.poisson(rates * (alive_until - first) / span)
    times = []
    for index in range(count):
        later = first[index] + (alive_until[index] - first[index]) * rng.random(repeats[index])
        times.append(np.sort(np.concatenate(([first[index]], later))))
    return times


def _local_parts(moments: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ISO weekday, hour and month of each moment in kehu's time zone.

    The zone's offset is looked up once per distinct UTC hour (offsets change on hour
    boundaries), so ten million orders cost a few thousand zone conversions.
    """
    zone = timezone.get_current_timezone()
    hours = np.floor(moments / 3600).astype("int64")
    unique_hours, position = np.unique(hours, return_inverse=True)
    offsets = np.array([
        datetime.datetime.fromtimestamp(int(h) * 3600, tz=datetime.UTC).astimezone(zone).utcoffset().total_seconds()
        for h in unique_hours
    ])
    local = (moments + offsets[position]).astype("int64").astype("datetime64[s]")
    days = local.astype("datetime64[D]")
    weekday = (days.astype("int64") + 3) % 7 + 1  # 1970-01-01 was a Thursday (ISO 4)
    hour = (local - days).astype("int64") // 3600
    month = days.astype("datetime64[M]").astype("int64") % 12 + 1
    return weekday, hour, month


def build_and_write(
    *,
    customers: list[tuple[int, int | None]],
    histories: list[np.ndarray],
    interaction_counts: np.ndarray,
    rng: np.random.Generator,
    writers: _Writers,
    products: list[tuple[int, str, str, Decimal]],
    now: datetime.datetime,
    first_order_id: int,
    number_prefix: str = "B",
) -> tuple[int, int, int]:
    """Write one batch (one transaction): each customer's purchases at the given moments and
    that many communications, then their consumption profiles recomputed from those rows
    (`stats.refresh_profiles`, kehu's own grouped-SQL path). Returns (orders, lines, interactions).

    Built column by column with numpy: a Python loop per order would make ten million
    orders an hour's work.
    """
    start, end = _period(now)
    ids = np.array([c[0] for c in customers], dtype="int64")
    owners = np.array([c[1] if c[1] is not None else -1 for c in customers], dtype="int64")
    counts = np.array([len(h) for h in histories], dtype="int64")
    n = int(counts.sum())
    order_customer = np.repeat(np.arange(len(customers)), counts)
    moments = np.concatenate(histories) if n else np.zeros(0)
    sequence = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1  # 1.. within each customer
    statuses = np.array(list(STATUS_SHARES))
    status = statuses[rng.choice(len(statuses), size=n, p=np.array(list(STATUS_SHARES.values())))]

    # Lines: one or two per order, mostly from the customer's favourite category.
    favourite = rng.integers(len(CATEGORIES), size=len(customers))
    line_counts = 1 + (rng.random(n) < 0.3)
    line_order = np.repeat(np.arange(n), line_counts)
    lines = len(line_order)
    line_customer = order_customer[line_order]
    other = rng.integers(len(CATEGORIES), size=lines)
    category = np.where(rng.random(lines) < 0.6, favourite[line_customer], other)
    product_index = category * PRODUCTS_PER_CATEGORY + rng.integers(PRODUCTS_PER_CATEGORY, size=lines)
    product_ids = np.array([p[0] for p in products])
    names = np.array([p[1] for p in products], dtype=object)
    categories = np.array([p[2] for p in products], dtype=object)
    prices = np.array([int(p[3]) for p in products], dtype="int64")
    basket = rng.lognormal(0.0, 0.5, size=len(customers))
    quantity = 1 + rng.poisson(basket[line_customer])
    line_total = prices[product_index] * quantity
    total = np.bincount(line_order, weights=line_total, minlength=n).astype("int64")
    refunded = np.where(status == OrderStatus.REFUNDED, total, 0)
    order_ids = np.arange(first_order_id, first_order_id + n)
    weekday, hour, month = _local_parts(moments)
    times = datetime_texts(moments)
    order_owner = owners[order_customer]
    channels = np.array(OrderChannel.values)
    methods = np.array([m for m in PaymentMethod.values if m != PaymentMethod.CREDIT])
    order_rows = writers.order.rows_from_columns({
        "id": order_ids, "customer_id": ids[order_customer],
        "number": [f"{number_prefix}{c}-{k}" for c, k in zip(ids[order_customer].tolist(), sequence.tolist(), strict=True)],
        "ordered_at": times, "channel": channels[rng.integers(len(channels), size=n)],
        "payment_method": methods[rng.integers(len(methods), size=n)], "status": status, "total": total,
        "refunded_amount": refunded, "salesperson_id": [o if o >= 0 else None for o in order_owner.tolist()],
        "local_weekday": weekday, "local_hour": hour, "local_month": month, "created_at": times,
    }, n)
    line_rows = writers.line.rows_from_columns({
        "order_id": order_ids[line_order], "customer_id": ids[line_customer], "product_id": product_ids[product_index],
        "product_name": names[product_index], "category": categories[product_index], "quantity": quantity,
        "unit_price": prices[product_index], "line_total": line_total,
    }, lines)

    m = int(interaction_counts.sum())
    interaction_customer = np.repeat(np.arange(len(customers)), interaction_counts)
    interaction_sequence = np.arange(m) - np.repeat(np.cumsum(interaction_counts) - interaction_counts, interaction_counts)
    occurred = datetime_texts(start + (end - start) * rng.random(m))
    interaction_owner = owners[interaction_customer]
    interaction_rows = writers.interaction.rows_from_columns({
        "customer_id": ids[interaction_customer], "channel": np.array(Channel.values)[rng.integers(len(Channel.values), size=m)],
        "direction": np.where(rng.random(m) < 0.7, Direction.OUTBOUND.value, Direction.INBOUND.value),
        "occurred_at": occurred, "duration_minutes": rng.integers(1, 60, size=m),
        "subject": np.array(SUBJECTS)[rng.integers(len(SUBJECTS), size=m)],
        "content": np.array(CONTENTS)[rng.integers(len(CONTENTS), size=m)],
        "outcome": np.array(Outcome.values)[rng.integers(len(Outcome.values), size=m)],
        "import_key": [f"{number_prefix}{k}" for k in interaction_sequence.tolist()],
        "created_by_id": [o if o >= 0 else None for o in interaction_owner.tolist()],
        "created_at": occurred, "updated_at": occurred,
    }, m)
    with transaction.atomic():
        writers.order.insert(order_rows)
        writers.line.insert(line_rows)
        writers.interaction.insert(interaction_rows)
        stats.refresh_profiles(ids.tolist())
    return n, lines, m


def customers_without_activity(after_id: int, limit: int) -> list[tuple[int, int | None]]:
    """The next customers (id, owner) after `after_id` — the load resumes where it stopped,
    because a batch's orders and profiles are committed together."""
    return list(Customer.objects.filter(pk__gt=after_id).order_by("pk").values_list("pk", "owner_id")[:limit])


def resume_point() -> int:
    """The last customer that already has generated activity (0 if none)."""
    last = Order.objects.filter(number__startswith="B").order_by("-customer_id").values_list("customer_id", flat=True).first()
    return last or 0


def load(
    *,
    mean_orders: float,
    mean_interactions: float,
    seed: int,
    batch_customers: int = 2000,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ActivityResult:
    """Give every customer after the resume point orders and communications."""
    started = timezone.now()
    products = ensure_products()
    writers = _Writers()
    after = resume_point()
    total = Customer.objects.filter(pk__gt=after).count()
    if limit is not None:
        total = min(total, limit)
    rng = np.random.default_rng([seed, after])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    done = orders = lines = interactions = 0
    next_order_id = (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    # Each batch's profiles are recomputed with grouped queries over the orders. Planner
    # statistics taken when the tables were small make PostgreSQL scan them whole for every
    # batch (seen at 1.2M orders: 450 ms a query, the load slowing to a third) unless
    # autovacuum analyses them meanwhile — and it may be off. So analyse them each time the
    # orders have doubled: a handful of ANALYZEs in all.
    analyze_at = max(next_order_id, ANALYZE_FIRST_AT)
    while done < total:
        batch = customers_without_activity(after, min(batch_customers, total - done))
        if not batch:
            break
        start, end = _period(started)
        written = build_and_write(
            customers=batch, histories=_purchase_times(rng, len(batch), mean_orders, start, end),
            interaction_counts=rng.poisson(mean_interactions, size=len(batch)), rng=rng, writers=writers,
            products=products, now=started, first_order_id=next_order_id,
        )
        next_order_id += written[0]
        if next_order_id >= analyze_at:
            _analyze_activity()
            analyze_at = 2 * next_order_id
        orders, lines, interactions = orders + written[0], lines + written[1], interactions + written[2]
        done += len(batch)
        after = batch[-1][0]
        if progress:
            progress(done, total)
    _reset_sequences()
    return ActivityResult(done, orders, lines, interactions, (timezone.now() - started).total_seconds())


def load_heavy(*, customer_id: int, orders: int, interactions: int, seed: int) -> ActivityResult:
    """Give one customer a very long history (e.g. 25,000 orders and 25,000 communications):
    the 360 page must open as fast for them as for a customer with five events."""
    started = timezone.now()
    owner_id = Customer.objects.filter(pk=customer_id).values_list("owner_id", flat=True).get()
    rng = np.random.default_rng([seed, customer_id, orders])
    start, end = _period(started)
    first_order_id = (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    written = build_and_write(
        customers=[(customer_id, owner_id)], histories=[np.sort(start + (end - start) * rng.random(orders))],
        interaction_counts=np.array([interactions]), rng=rng, writers=_Writers(), products=ensure_products(),
        now=started, first_order_id=first_order_id, number_prefix="H",
    )
    _reset_sequences()
    return ActivityResult(1, *written, (timezone.now() - started).total_seconds())


def _analyze_activity() -> None:
    tables = [model._meta.db_table for model in (Order, OrderLine, Interaction, ConsumptionProfile)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Order, OrderLine, Interaction]):
            cursor.execute(statement)
