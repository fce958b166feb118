"""Per-customer purchase figures as of a date, from one grouped SQL query over orders.

One pass over `sales_order` with conditional aggregates (FILTER on PostgreSQL and SQLite)
gives every figure the scoring needs: all-history counts and dates (recency, BG/NBD), the
RFM window, two consecutive spend periods (falling-spend signal) and the calibration/holdout
split (fit diagnostics). Rows come back one per customer — never one per order — and are
read in chunks straight into numpy arrays, so memory stays at a few arrays of n floats.

Times are "epoch days" (days since 1970-01-01 UTC as a float), computed in SQL: both
backends agree on them, and day differences are plain subtraction in numpy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, F, FloatField, Func, Max, Min, Q, Sum
from django.db.models.functions import Cast

from kehu.customers.models import Customer
from kehu.sales.choices import VOID_ORDER_STATUSES
from kehu.sales.models import Order

FETCH_CHUNK = 50_000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class EpochDays(Func):
    """Days since the Unix epoch of a timestamp expression, as a float."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):  # noqa: ANN001 - Django's compiler API
        # Django stores SQLite datetimes as UTC text; julianday() parses it.
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra)

    def as_postgresql(self, compiler, connection, **extra):  # noqa: ANN001
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)", **extra)


def epoch_days(moment: datetime.datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400.0


@dataclass(frozen=True)
class Periods:
    """The moments the figures are cut at (all aware datetimes; `cutoff` excluded)."""

    cutoff: datetime.datetime  # end of the as-of day, local time
    window_start: datetime.datetime | None  # RFM frequency/monetary window; None = all history
    spend_period_start: datetime.datetime  # start of the "last period" for falling spend
    previous_period_start: datetime.datetime
    holdout_start: datetime.datetime  # calibration ends, holdout begins


@dataclass
class Figures:
    """One entry per customer in `customer_ids` (ascending); NaN where a customer has no such orders."""

    customer_ids: np.ndarray
    first: np.ndarray  # epoch days of the first non-void order before the cutoff
    last: np.ndarray
    orders: np.ndarray  # non-void orders before the cutoff
    spend: np.ndarray  # their net spend (total − refunded)
    window_orders: np.ndarray
    window_spend: np.ndarray
    spend_recent: np.ndarray
    spend_previous: np.ndarray
    calibration_first: np.ndarray
    calibration_last: np.ndarray
    calibration_orders: np.ndarray
    holdout_orders: np.ndarray

    @property
    def size(self) -> int:
        return int(self.customer_ids.size)


_COLUMNS = ("first", "last", "orders", "spend", "window_orders", "window_spend", "spend_recent", "spend_previous",
            "calibration_first", "calibration_last", "calibration_orders", "holdout_orders")


def customer_ids() -> np.ndarray:
    """Every customer's id, ascending (everyone gets a snapshot, buyers or not)."""
    with connection.cursor() as cursor:
        cursor.execute(*Customer.objects.order_by("pk").values_list("pk").query.sql_with_params())
        chunks = []
        while rows := cursor.fetchmany(FETCH_CHUNK * 4):
            chunks.append(np.array(rows, dtype=np.int64).reshape(-1))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


def _query(periods: Periods):  # noqa: ANN202 - a values_list queryset
    net = F("total") - F("refunded_amount")
    window = Q(ordered_at__gte=periods.window_start) if periods.window_start else Q()
    recent = Q(ordered_at__gte=periods.spend_period_start)
    previous = Q(ordered_at__gte=periods.previous_period_start, ordered_at__lt=periods.spend_period_start)
    calibration = Q(ordered_at__lt=periods.holdout_start)
    holdout = Q(ordered_at__gte=periods.holdout_start)

    def money(condition: Q | None = None) -> Cast:
        return Cast(Sum(net, filter=condition) if condition else Sum(net), FloatField())

    return (
        Order.objects.filter(ordered_at__lt=periods.cutoff).exclude(status__in=VOID_ORDER_STATUSES)
        .values("customer_id")
        .annotate(
            first=EpochDays(Min("ordered_at")),
            last=EpochDays(Max("ordered_at")),
            orders=Count("id"),
            spend=money(),
            window_orders=Count("id", filter=window) if periods.window_start else Count("id"),
            window_spend=money(window if periods.window_start else None),
            spend_recent=money(recent),
            spend_previous=money(previous),
            calibration_first=EpochDays(Min("ordered_at", filter=calibration)),
            calibration_last=EpochDays(Max("ordered_at", filter=calibration)),
            calibration_orders=Count("id", filter=calibration),
            holdout_orders=Count("id", filter=holdout),
        )
        .order_by("customer_id")
        .values_list("customer_id", *_COLUMNS)
    )


def load(periods: Periods, ids: np.ndarray | None = None) -> Figures:
    """The figures of every customer, aligned with `ids` (default: all customers)."""
    ids = customer_ids() if ids is None else ids
    table = np.full((ids.size, len(_COLUMNS)), np.nan)
    sql, params = _query(periods).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_CHUNK):
            chunk = np.array(rows, dtype=float)  # None → NaN
            position = np.searchsorted(ids, chunk[:, 0].astype(np.int64))
            inside = position < ids.size
            position, chunk = position[inside], chunk[inside]
            known = ids[position] == chunk[:, 0].astype(np.int64)  # a customer created mid-run is skipped
            table[position[known]] = chunk[known, 1:]
    figures = Figures(ids, *(table[:, i].copy() for i in range(len(_COLUMNS))))
    # Counts and sums are zero, not unknown, for customers without orders.
    for name in ("orders", "spend", "window_orders", "window_spend", "spend_recent", "spend_previous",
                 "calibration_orders", "holdout_orders"):
        np.nan_to_num(getattr(figures, name), copy=False, nan=0.0)
    return figures
