"""Pagination that never counts more rows than it needs to.

An exact COUNT over a million-row archive (or a broad search) costs more than the page
itself; showing "1000+" is as useful to a person, so counting stops at COUNT_CAP.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kehu.customers.search import count_after_page

PER_PAGE = 25
COUNT_CAP = 1000
MAX_PAGE = 10_000


@dataclass(frozen=True)
class CappedPage:
    items: list[Any]
    number: int
    has_next: bool
    counted: int
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def total_label(self) -> str:
        return f"{COUNT_CAP}+" if self.capped else str(self.counted)

    @property
    def num_pages(self) -> int | None:
        """Known only when the count was not capped."""
        return None if self.capped else max(1, math.ceil(self.counted / PER_PAGE))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PER_PAGE + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PER_PAGE + len(self.items)


def page_number(raw: str | None) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(
    queryset: QuerySet, raw_page: str | None, *, read_counted: Callable[[QuerySet, int, int, int], tuple[list[Any], int]] | None = None
) -> CappedPage:
    """One page of `queryset`. `read_counted(queryset, start, stop, cap)`, when given, returns
    rows start..stop and the count up to cap + 1, its own way (customer lists read ids first
    and count only when the page does not end the list: `kehu.customers.selectors.read_counted_page`)."""
    number = page_number(raw_page)
    offset = (number - 1) * PER_PAGE
    if read_counted is not None:
        rows, counted = read_counted(queryset, offset, offset + PER_PAGE + 1, COUNT_CAP)
    else:
        stop = offset + PER_PAGE + 1
        rows = list(queryset[offset:stop])
        # A page that ends the list says the count; otherwise counting stops after
        # COUNT_CAP + 1 rows (and samples a broad search word's keys first).
        counted = count_after_page(queryset, len(rows), offset, stop, COUNT_CAP)
    return CappedPage(
        items=rows[:PER_PAGE],
        number=number,
        has_next=len(rows) > PER_PAGE,
        counted=min(counted, COUNT_CAP),
        capped=counted > COUNT_CAP,
    )
