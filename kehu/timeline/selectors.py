from __future__ import annotations

import base64
import datetime
import heapq
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.utils.dateparse import parse_datetime

from kehu.customers.models import Customer
from kehu.sales.models import Order, OrderLine
from kehu.timeline.sources import SOURCES, SOURCES_BY_KIND, Source

MAX_PAGE = 100


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    label: str
    at: datetime.datetime
    id: int
    title: str
    summary: str
    item: Any

    @property
    def sort_key(self) -> tuple:
        return (self.at, self.kind, self.id)


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str | None
    # The rows each source returned, newest first (up to limit + 1): a page that also shows
    # the latest orders or service records reuses them instead of asking again.
    fetched: dict[str, list[Any]] = field(default_factory=dict)


class BadCursor(ValueError):
    pass


def encode_cursor(entry: TimelineEntry) -> str:
    raw = json.dumps([entry.at.isoformat(), entry.kind, entry.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, kind, pk = json.loads(raw)
        at = parse_datetime(at_text)
        # Only what encode_cursor makes: an aware time, a known kind, a 64-bit id.
        if at is None or at.tzinfo is None or kind not in SOURCES_BY_KIND:
            raise ValueError
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
            raise ValueError
        if not 1900 <= at.year <= 9999:
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadCursor("Invalid cursor.") from error
    return at, kind, pk


def _after_cursor(source: Source, cursor: tuple[datetime.datetime, str, int]) -> Q:
    """Rows of `source` that sort after the cursor in (time desc, kind desc, id desc) order."""
    at, kind, pk = cursor
    field = source.time_field
    if source.kind < kind:
        return Q(**{f"{field}__lte": at})
    if source.kind > kind:
        return Q(**{f"{field}__lt": at})
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk})


def _rows(source: Source, customer: Customer, *, limit: int, cursor, since, until) -> Iterable[TimelineEntry]:
    rows = source.model.objects.filter(customer=customer).select_related(*source.related)
    if source.model is Order:
        rows = rows.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    if cursor is not None:
        rows = rows.filter(_after_cursor(source, cursor))
    if since is not None:
        rows = rows.filter(**{f"{source.time_field}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{source.time_field}__lt": until})
    for item in rows.order_by(f"-{source.time_field}", "-pk")[:limit]:
        yield TimelineEntry(
            source.kind, str(source.label), getattr(item, source.time_field), item.pk,
            str(source.title(item)), str(source.summary(item)), item,
        )


def timeline_page(
    *,
    customer: Customer,
    kinds: Iterable[str] = (),
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    cursor: str | None = None,
    limit: int = 30,
) -> TimelinePage:
    """One page of `customer`'s timeline, newest first. The customer must already be visible."""
    limit = max(1, min(limit, MAX_PAGE))
    position = decode_cursor(cursor) if cursor else None
    wanted = [s for s in SOURCES if not kinds or s.kind in set(kinds)]
    streams = [list(_rows(s, customer, limit=limit + 1, cursor=position, since=since, until=until)) for s in wanted]
    merged = heapq.merge(*streams, key=lambda e: e.sort_key, reverse=True)
    entries = [entry for _index, entry in zip(range(limit + 1), merged, strict=False)]
    more = len(entries) > limit
    entries = entries[:limit]
    fetched = {source.kind: [entry.item for entry in stream] for source, stream in zip(wanted, streams, strict=True)}
    return TimelinePage(entries, encode_cursor(entries[-1]) if more else None, fetched)
