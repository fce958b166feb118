"""Imports that go on after the request: a large upload gets a progress bar instead of a
page that loads for a minute and times out.

`kehu serve` is one process with many threads, so the import runs in a thread of that
process and its progress lives in this process's memory (`progress_of`). It has to: an
all-or-nothing import holds one transaction to its end, so nothing it writes — a progress
figure included — is visible to another connection before it commits. The run's record
exists from the start (RUNNING) and the engine completes it; a run still RUNNING when the
server starts again was cut off, which `mark_interrupted` records.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.quality.importing.engine import ImportOptions, run_import
from kehu.quality.importing.reader import estimate_rows
from kehu.quality.models import ImportRun, ImportStatus

log = logging.getLogger(__name__)


@dataclass
class Progress:
    rows: int = 0
    total: int | None = None


_lock = threading.Lock()
_progress: dict[int, Progress] = {}
_threads: dict[int, threading.Thread] = {}


def in_background(size: int | None) -> bool:
    """Whether an upload of `size` bytes is imported after the request rather than in it."""
    return size is not None and size > settings.KEHU_IMPORT_BACKGROUND_BYTES


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def start(*, actor: User, kind: str, handle: IO[bytes], file_name: str, options: ImportOptions) -> ImportRun:
    """Copy the upload aside (the request's temporary file goes with the request), record a
    RUNNING run and import it in a thread; returns the run at once."""
    descriptor, name = tempfile.mkstemp(dir=_folder(), suffix=Path(file_name).suffix.lower())
    with os.fdopen(descriptor, "wb") as copy:
        shutil.copyfileobj(handle, copy)
    path = Path(name)
    total = estimate_rows(path, file_name=file_name)
    run = ImportRun.objects.create(
        kind=kind, file_name=file_name[:255], actor=actor, dry_run=options.dry_run,
        skip_bad_rows=options.skip_bad_rows, status=ImportStatus.RUNNING, total_rows=total,
    )
    with _lock:
        _progress[run.pk] = Progress(total=total)
    # Errors in the file are reported in the language and time zone of whoever uploaded it.
    context = {"language": translation.get_language(), "zone": timezone.get_current_timezone_name()}
    launch(_work, run.pk, actor.pk, kind, path, file_name, options, context)
    return run


def launch(target: Callable[..., None], run_id: int, *args: Any) -> None:
    """Run `target` in a daemon thread (the test suite swaps in a direct call)."""

    def in_thread() -> None:
        try:
            target(run_id, *args)
        finally:
            connections.close_all()  # the thread's own connections, opened by Django on first use

    thread = threading.Thread(target=in_thread, name=f"kehu-import-{run_id}", daemon=True)
    with _lock:
        _threads[run_id] = thread
    thread.start()


def _work(run_id: int, actor_id: int, kind: str, path: Path, file_name: str, options: ImportOptions,
          context: dict[str, str]) -> None:
    def progress(rows: int) -> None:
        with _lock:
            if run_id in _progress:
                _progress[run_id].rows = rows

    try:
        with translation.override(context["language"]), timezone.override(context["zone"]):
            run = ImportRun.objects.get(pk=run_id)
            actor = User.objects.get(pk=actor_id)
            with path.open("rb") as handle:
                run_import(actor=actor, kind=kind, handle=handle, file_name=file_name, options=options,
                           progress=progress, run=run)
    except Exception:  # a thread has nobody to raise to: record the failure on the run
        log.exception("background import %s failed", run_id)
        with translation.override(context["language"]):
            reason = _("The import stopped with an internal error; what it had committed stays. See the server log.")
        ImportRun.objects.filter(pk=run_id, status=ImportStatus.RUNNING).update(
            status=ImportStatus.INTERRUPTED, finished_at=timezone.now(), errors=[[0, "", "", reason]])
    finally:
        path.unlink(missing_ok=True)
        with _lock:
            _progress.pop(run_id, None)
            _threads.pop(run_id, None)


def wait(run_id: int, timeout: float | None = None) -> None:
    """Block until the run's thread has finished (for the command line and tests)."""
    with _lock:
        thread = _threads.get(run_id)
    if thread is not None:
        thread.join(timeout)


def progress_of(run: ImportRun) -> dict[str, Any]:
    """Status, rows read, rows in the file and percent done, live while the run goes on."""
    with _lock:
        live = _progress.get(run.pk)
        rows, total = (live.rows, live.total) if live else (run.rows, run.total_rows)
    if live is None and run.status == ImportStatus.RUNNING:
        run.refresh_from_db(fields=["status", "rows", "total_rows"])  # it may have just finished
        rows, total = run.rows, run.total_rows
    if run.status == ImportStatus.FINISHED:
        percent = 100
    else:  # running, or stopped part way
        percent = min(99, round(100 * rows / total)) if total else None
    return {"status": run.status, "rows": rows, "total_rows": total, "percent": percent}


def mark_interrupted() -> int:
    """At server start: runs still RUNNING belonged to a process that is gone."""
    for leftover in _folder().iterdir():
        leftover.unlink(missing_ok=True)
    return ImportRun.objects.filter(status=ImportStatus.RUNNING).update(
        status=ImportStatus.INTERRUPTED, finished_at=timezone.now())
