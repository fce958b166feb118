"""/api/customers/{id}/timeline: everything that happened with a customer, newest first."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from kehu.api.errors import ApiValidationError
from kehu.api.lookups import visible_customer
from kehu.api.schemas.common import MAX_ID, OBJECT_ERRORS, PathId
from kehu.api.schemas.timeline import TimelinePageOut, TimelineQuery
from kehu.timeline.selectors import BadCursor, decode_cursor, timeline_page

router = Router(tags=["timeline"])


def _check_cursor(cursor: str) -> None:
    """`decode_cursor` accepts any ISO time and any integer; a naive or out-of-range time or
    an id beyond 64 bits would then fail in the database. Such a cursor was never issued."""
    at, _kind, pk = decode_cursor(cursor)
    if timezone.is_naive(at) or not 0 < pk <= MAX_ID:
        raise BadCursor(cursor)
    try:
        at.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise BadCursor(cursor) from None


@router.get("/customers/{customer_id}/timeline", response={200: TimelinePageOut, **OBJECT_ERRORS})
def timeline(request: HttpRequest, customer_id: PathId, query: Query[TimelineQuery]) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    try:
        if query.cursor:
            _check_cursor(query.cursor)
        page = timeline_page(
            customer=customer, kinds=query.kinds, since=query.since, until=query.until,
            cursor=query.cursor or None, limit=query.limit,
        )
    except BadCursor:
        # A cursor is opaque: a tampered or truncated one is bad input, not a server fault.
        raise ApiValidationError([("cursor", _("This cursor is not valid: start again from the first page."))]) from None
    return {
        "entries": [
            {"kind": e.kind, "label": e.label, "at": e.at, "id": e.id, "title": e.title, "summary": e.summary}
            for e in page.entries
        ],
        "next_cursor": page.next_cursor,
    }
