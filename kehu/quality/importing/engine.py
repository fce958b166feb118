"""Running an import: batches, the all-or-nothing / skip-bad-rows choice, dry runs, progress.

All-or-nothing (the default) and dry runs do everything inside one transaction and roll
it back if any row failed (or always, for a dry run): a killed import leaves nothing.
Skip-bad-rows commits batch by batch; a killed import keeps the finished batches, and
re-running the file skips what already exists (natural keys), so nothing is lost or doubled.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_write_customers
from kehu.audit.services import audit
from kehu.quality.importing.base import Importer
from kehu.quality.importing.batching import run_batches
from kehu.quality.importing.customers import CustomerImporter
from kehu.quality.importing.interactions import InteractionImporter
from kehu.quality.importing.orders import OrderImporter
from kehu.quality.importing.parallel import run_in_workers, why_not_parallel
from kehu.quality.importing.payments import PaymentImporter
from kehu.quality.importing.reader import FileError, read_rows
from kehu.quality.importing.report import ImportReport
from kehu.quality.models import ImportRun, ImportStatus

IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer for importer in (CustomerImporter, OrderImporter, PaymentImporter, InteractionImporter)
}


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool = False
    skip_bad_rows: bool = False
    batch_size: int = 2000
    # Worker processes (PostgreSQL, skip-bad-rows mode; orders, payments, communications): see `parallel`.
    workers: int = 1
    mapping: Mapping[str, str] = field(default_factory=dict)


class _Rollback(Exception):
    pass


def run_import(
    *,
    actor: User,
    kind: str,
    handle: IO[bytes],
    file_name: str,
    options: ImportOptions = ImportOptions(),  # noqa: B008 - frozen dataclass, safe as a default
    progress: Callable[[int], None] | None = None,
    run: ImportRun | None = None,
) -> ImportReport:
    """Import one file. `run`: the RUNNING record a background import made up front, which
    is completed here; otherwise a new record is written when the import ends."""
    report = ImportReport(kind=kind, dry_run=options.dry_run)
    try:
        _execute(actor, kind, handle, file_name, options, progress, report)
    except FileError as error:
        report.fatal = str(error)
    _record(actor, file_name, options, report, run)
    return report


def _execute(actor, kind, handle, file_name, options: ImportOptions, progress, report: ImportReport) -> None:
    importer_class = IMPORTERS.get(kind)
    if importer_class is None:
        report.fatal = _("Unknown import kind “%(kind)s”; use one of: %(kinds)s.") % {"kind": kind, "kinds": ", ".join(IMPORTERS)}
        return
    if not may_write_customers(actor):
        report.fatal = _("Your role cannot import.")
        return
    if options.workers > 1:  # the workers each read the file again, from these bytes
        handle = io.BytesIO(handle.read())
    fields, rows = read_rows(handle, file_name=file_name, mapping=options.mapping)
    missing = [c for c in importer_class.required if c not in fields]
    if missing:
        report.fatal = _("Missing column(s): %(missing)s. Found: %(found)s. Rename with --map FILE_COLUMN=FIELD.") % {
            "missing": ", ".join(missing), "found": ", ".join(f for f in fields if f) or "—"}
        return
    reason = why_not_parallel(importer_class, workers=options.workers, skip_bad_rows=options.skip_bad_rows,
                              dry_run=options.dry_run)
    if reason:
        report.fatal = reason
        return
    if options.workers > 1:
        run_in_workers(importer_class=importer_class, actor=actor, data=handle.getvalue(), file_name=file_name,
                       options=options, report=report, progress=progress)
        report.committed = True
        return
    importer = importer_class(actor=actor, report=report)
    if options.skip_bad_rows and not options.dry_run:
        run_batches(importer, rows, batch_size=options.batch_size, per_batch=True, progress=progress)
        report.committed = True
        return
    try:
        with transaction.atomic():
            run_batches(importer, rows, batch_size=options.batch_size, per_batch=False, progress=progress)
            if options.dry_run or not report.ok:
                raise _Rollback
        report.committed = True
    except _Rollback:
        report.committed = False


def _record(actor: User, file_name: str, options: ImportOptions, report: ImportReport, run: ImportRun | None) -> None:
    outcome = {
        "finished_at": timezone.now(), "rows": report.rows, "created": report.created if report.committed else 0,
        "skipped_existing": report.skipped_existing, "failed": report.failed, "committed": report.committed,
        "errors": [e.as_list() for e in report.errors[:1000]] + ([[0, "", "", report.fatal]] if report.fatal else []),
        "status": ImportStatus.FINISHED,
    }
    with transaction.atomic():
        if run is None:
            run = ImportRun.objects.create(
                kind=report.kind, file_name=file_name[:255], actor=actor, dry_run=options.dry_run,
                skip_bad_rows=options.skip_bad_rows, **outcome,
            )
        else:
            for name, value in outcome.items():
                setattr(run, name, value)
            run.save(update_fields=list(outcome))
        audit(actor=actor, action=f"import.{report.kind}", target=run, changes={
            "file": file_name, "rows": report.rows, "created": run.created, "skipped": report.skipped_existing,
            "failed": report.failed, "dry_run": options.dry_run, "committed": report.committed,
        })
