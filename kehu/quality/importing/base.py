"""What every importer shares: column checks, customer lookup, row-error bookkeeping."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.sql import one_of
from kehu.customers.selectors import visible_to
from kehu.quality.importing.cells import CellError
from kehu.quality.importing.report import ImportReport

Row = tuple[int, dict[str, Any]]
# Distinct (column, cell) outcomes remembered by `parse_repeated` before starting afresh.
MEMO_LIMIT = 50_000


class Importer:
    kind: str = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    # Rows sharing this column's value belong together (the lines of one order) and are
    # never split across batches.
    group_by: str | None = None
    # Rows whose cells in this column are equal touch the same derived figures; an importer
    # that names one may run in several workers, split by it (see `parallel`).
    partition_by: str | None = None
    # An importer that sets this defines `prepare(batch)`, all of a batch's reading and
    # building, and `write(prepared)`, only writes, so a batch may be prepared outside its
    # transaction: SQLite takes one writer at a time, and its workers then overlap one's
    # preparing with another's writing (see `run_batches`).
    prepares_apart: bool = False

    def __init__(self, *, actor: User, report: ImportReport) -> None:
        self.actor = actor
        self.report = report
        self._outcomes: dict[tuple, tuple[bool, Any]] = {}

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return cls.required + cls.optional

    def process(self, batch: list[Row]) -> None:
        """Validate and write one batch, derived figures included, in the caller's transaction."""
        raise NotImplementedError

    def note_elsewhere(self, rows: list[Row]) -> None:
        """A parallel import hands these rows to another worker; remember what a later
        row's checks need to know of them (for orders: their number was used)."""

    # helpers ---------------------------------------------------------------
    def parse(self, number: int, row: dict[str, Any], column: str, parser, *args, **kwargs) -> Any:
        """Run a cell parser, turning its CellError into a row error (returns None then)."""
        try:
            return parser(row.get(column), *args, **kwargs)
        except CellError as error:
            self.report.error(number, column, row.get(column), str(error))
            return None

    def parse_repeated(self, number: int, row: dict[str, Any], column: str, parser, *args, **kwargs) -> Any:
        """`parse` for columns whose few distinct values repeat on every row (channel, currency,
        category, quantity): each distinct cell is parsed once per import, which is most of
        the per-row cost of a long file. The parsers are pure, so the outcome, error
        included, is the same every time."""
        raw = row.get(column)
        key = (column, type(raw), raw)  # the type too: 1, 1.0 and True are equal keys
        outcome = self._outcomes.get(key)
        if outcome is None:
            try:
                outcome = (True, parser(raw, *args, **kwargs))
            except CellError as error:
                outcome = (False, str(error))
            if len(self._outcomes) >= MEMO_LIMIT:
                self._outcomes.clear()
            self._outcomes[key] = outcome
        parsed_ok, value = outcome
        if parsed_ok:
            return value
        self.report.error(number, column, raw, value)
        return None

    def customers_by_code(self, codes: Iterable[str]) -> dict[str, int]:
        """Customer numbers → ids, for customers the importing user can see (others look missing)."""
        wanted = {c for c in codes if c}
        found: dict[str, int] = {}
        if wanted:
            found.update(visible_to(self.actor).filter(number__in=one_of(wanted)).values_list("number", "id"))
        return found

    def unknown_customer(self, number: int, code: str) -> None:
        self.report.error(number, "customer_code", code, _("No customer with this code."))
