"""Feeding an importer its rows batch by batch: the loop one process and each worker run."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db import transaction

from kehu.quality.importing.base import Importer, Row


def batches(rows: Iterator[Row], size: int, group_by: str | None) -> Iterator[list[Row]]:
    """Batches of about `size` rows that never split a group (the lines of one order)."""
    batch: list[Row] = []
    for row in rows:
        if len(batch) >= size and (group_by is None or row[1].get(group_by) != batch[-1][1].get(group_by)):
            yield batch
            batch = []
        batch.append(row)
    if batch:
        yield batch


def run_batches(importer: Importer, rows: Iterator[Row], *, batch_size: int, per_batch: bool,
                progress: Callable[[int], None] | None, prepare_apart: bool = False) -> None:
    """Process every batch; `per_batch`: each in its own transaction (skip-bad-rows mode),
    else in the caller's. `prepare_apart` (with `per_batch`): prepare each batch before its
    transaction, which then only writes (see `Importer.prepares_apart`). One process gains
    nothing from it and pays for the write's second look (a sixth more CPU per order row), so
    only SQLite's workers, which wait for each other's write lock, ask for it.
    `progress` gets the rows done so far."""
    report = importer.report
    for batch in batches(rows, batch_size, importer.group_by):
        report.rows += len(batch)
        if per_batch and prepare_apart:
            prepared = importer.prepare(batch)  # reading only: before the write lock is taken
            with transaction.atomic():
                importer.write(prepared)
        elif per_batch:
            with transaction.atomic():
                importer.process(batch)
        else:
            importer.process(batch)
        if progress is not None:
            progress(report.rows)
