"""Offset pages over a queryset: one query for the count, one for the rows (plus the
caller's prefetches), whatever the page size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet

from kehu.api.schemas.common import PageQuery


def page_of(rows: QuerySet[Any], query: PageQuery, present: Callable[[Any], Any]) -> dict[str, Any]:
    count = rows.count()
    items: list[Model] = list(rows[query.offset : query.offset + query.limit]) if query.offset < count else []
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": [present(row) for row in items]}
