from __future__ import annotations

from dataclasses import dataclass, field

MAX_KEPT_ERRORS = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_list(self) -> list:
        return [self.row, self.column, self.value, self.reason]


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    skipped_existing: int = 0
    failed_rows: set[int] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)
    fatal: str = ""
    committed: bool = False
    dry_run: bool = False

    def error(self, row: int, column: str, value: object, reason: str) -> None:
        self.failed_rows.add(row)
        if len(self.errors) < MAX_KEPT_ERRORS:
            shown = "" if value is None else str(value)
            self.errors.append(RowError(row, column, shown[:200], str(reason)))

    @property
    def failed(self) -> int:
        return len(self.failed_rows)

    @property
    def ok(self) -> bool:
        return not self.fatal and not self.failed_rows
