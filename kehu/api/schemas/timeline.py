"""The customer timeline: one newest-first stream of communications, orders, payments, service."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field

from kehu.api.schemas.common import JsonDateTime, text
from kehu.timeline.selectors import MAX_PAGE
from kehu.timeline.sources import SOURCES

TimelineKind = Literal[tuple(source.kind for source in SOURCES)]


def _split_commas(value: Any) -> Any:
    # `?kinds=order&kinds=payment` and `?kinds=order,payment` mean the same.
    if isinstance(value, list):
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]
    return value


class TimelineQuery(Schema):
    kinds: Annotated[list[TimelineKind], BeforeValidator(_split_commas)] = Field(
        [], description="Only these kinds (repeat the parameter, or separate with commas); leave out for all."
    )
    since: JsonDateTime | None = Field(None, description="From this time on (inclusive).")
    until: JsonDateTime | None = Field(None, description="Before this time (exclusive).")
    cursor: text(500) | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(30, ge=1, le=MAX_PAGE)


class TimelineEntryOut(Schema):
    kind: TimelineKind
    label: str = Field(description="The kind, in the reader's language.")
    at: datetime.datetime
    id: int = Field(description="The id of the communication, order, payment or service record.")
    title: str
    summary: str


class TimelinePageOut(Schema):
    entries: list[TimelineEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
