"""An import of orders, payments or communications run by several worker processes, each
with its own database connection.

One process alternates between its own Python and waiting for the database's writes, so on
a two-core machine each side idles half the time. Workers overlap them: an order import
of 50,000 rows at 1M customers ran at 3.8–7.0k rows/s with two against 2.3–4.6k with one,
in alternating runs on PostgreSQL (benchmarks/import_orders.py --workers 2).

- SQLite takes one writer at a time, so there only importers that prepare a batch apart
  from writing it (`Importer.prepares_apart`: orders) take workers. A worker reads, checks
  and builds its next batch, profiles folded, while another holds the write lock; the
  write checks again what may have changed since (see `OrderImporter.write`).
- Each worker reads the whole file and keeps the rows whose customer code falls in its
  share (crc32 of the code, modulo the number of workers), so one customer's profile is
  folded by one worker: the share is taken of the code as the importers read it, and a
  code names one customer.
- Payments and communications have natural keys of one customer (the payment reference,
  the communication's external id or digest), so a share needs nothing of the others.
- Order numbers of the other shares are noted as seen, so a number repeated further
  down the file is reported whichever worker holds it, as in one process.
- Skip-bad-rows mode only: every worker commits batch by batch, as one process does, so
  a killed import keeps its finished batches and a re-run completes it. All-or-nothing
  needs one transaction, hence one connection.
"""

from __future__ import annotations

import io
import multiprocessing
import queue as queues
import sys
import zlib
from collections.abc import Callable, Iterator
from itertools import groupby

from django.db import connection, connections
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.quality.importing import cells
from kehu.quality.importing.base import Importer, Row
from kehu.quality.importing.batching import run_batches
from kehu.quality.importing.reader import read_rows
from kehu.quality.importing.report import MAX_KEPT_ERRORS, ImportReport

MAX_WORKERS = 16


def why_not_parallel(importer_class: type[Importer], *, workers: int, skip_bad_rows: bool, dry_run: bool) -> str:
    """Why this import cannot use `workers` processes ("" when it can)."""
    if workers <= 1:
        return ""
    if importer_class.partition_by is None:
        return _("Several workers import orders, payments and communications; customers are imported by one process.")
    if not skip_bad_rows or dry_run:
        return _("Several workers need skip-bad-rows mode (each commits its own batches), not a dry run.")
    if connection.vendor == "sqlite":
        if not importer_class.prepares_apart:
            return _("On SQLite several workers import orders only: it takes one writer at a time, and only an "
                     "order import prepares its batches apart from writing them.")
        if connection.is_in_memory_db():
            return _("Several workers need a database file: a database in memory is one process's own.")
    if connection.in_atomic_block:
        return _("Several workers cannot run inside a transaction.")
    return ""


def share_of(cell: object, workers: int) -> int:
    # The code as the importers read it (`cells.text`), so one customer is in one share.
    return zlib.crc32(cells.text(cell, max_length=sys.maxsize).encode()) % workers


def own_rows(rows: Iterator[Row], importer: Importer, share: int, workers: int) -> Iterator[Row]:
    """The rows of this worker's share; the other shares' groups are noted, not processed."""
    group_by, partition_by = importer.group_by, importer.partition_by
    groups = ([row] for row in rows) if group_by is None else (
        list(group) for _key, group in groupby(rows, key=lambda row: row[1].get(group_by)))
    for group_rows in groups:
        if share_of(group_rows[0][1].get(partition_by), workers) == share:
            yield from group_rows
        else:
            importer.note_elsewhere(group_rows)


def run_in_workers(*, importer_class: type[Importer], actor: User, data: bytes, file_name: str, options,
                   report: ImportReport, progress: Callable[[int], None] | None) -> None:
    """Run the import in `options.workers` processes and merge their reports into `report`."""
    workers = min(options.workers, MAX_WORKERS)
    context = multiprocessing.get_context("fork")  # the children inherit Django, set up
    messages = context.Queue()
    connections.close_all()  # each child opens its own connection; none is shared
    processes = [
        context.Process(target=_work, daemon=True, args=(
            importer_class, actor.pk, data, file_name, options, share, workers, messages))
        for share in range(workers)
    ]
    for process in processes:
        process.start()
    finished: dict[int, ImportReport | str] = {}
    rows_done = [0] * workers  # per worker, as each reports its running total
    while len(finished) < workers:
        try:
            kind, share, payload = messages.get(timeout=1)
        except queues.Empty:
            for index, process in enumerate(processes):
                # A worker that exits 0 has sent its report already (a queue flushes before
                # its process ends), which may still be on its way: only a failure ends it.
                if index not in finished and process.exitcode not in (None, 0):
                    finished[index] = _("exit code %(code)s") % {"code": process.exitcode}
            continue
        if kind == "progress":
            rows_done[share] = payload
            if progress is not None:
                progress(sum(rows_done))
        else:
            finished[share] = payload
    for process in processes:
        process.join()
    _merge(report, finished)


def _merge(report: ImportReport, finished: dict[int, ImportReport | str]) -> None:
    failures = [outcome for outcome in finished.values() if isinstance(outcome, str)]
    errors = []
    for outcome in finished.values():
        if isinstance(outcome, ImportReport):
            report.rows += outcome.rows
            report.created += outcome.created
            report.skipped_existing += outcome.skipped_existing
            report.failed_rows |= outcome.failed_rows
            errors.extend(outcome.errors)
    report.errors = sorted(errors, key=lambda error: error.row)[:MAX_KEPT_ERRORS]
    if failures:
        report.fatal = _("An import worker stopped (%(why)s). The batches it finished are kept; import the file "
                         "again to add the rest.") % {"why": "; ".join(failures)}


def _work(importer_class, actor_id, data, file_name, options, share, workers, messages) -> None:
    try:
        report = ImportReport(kind=importer_class.kind)
        importer = importer_class(actor=User.objects.get(pk=actor_id), report=report)
        _fields, rows = read_rows(io.BytesIO(data), file_name=file_name, mapping=options.mapping)
        run_batches(importer, own_rows(rows, importer, share, workers), batch_size=options.batch_size, per_batch=True,
                    progress=lambda done: messages.put(("progress", share, done)),
                    prepare_apart=connection.vendor == "sqlite")
        messages.put(("done", share, report))
    except Exception as error:  # reported by the parent, which merges the other shares  # noqa: BLE001
        messages.put(("failed", share, f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()
