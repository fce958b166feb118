"""A long write that commits batch by batch (an import in skip-bad-rows mode), made cheap
to commit on either database.

SQLite in WAL mode appends every committed page to the log; once the log passes 1,000
pages, the commit that did it also copies the log into the database file and syncs it
(a checkpoint). An import into a large archive touches pages all over its indexes, so
nearly every batch's commit checkpointed: a quarter of a 50,000-row order import into 1M
customers was spent in commits. While a `BatchCommits` is open, the writer's automatic
checkpoints are off and a thread with its own connection checkpoints after each commit;
SQLite does that work without the GIL, on the other core, while the import parses its
next batch. A PASSIVE checkpoint neither blocks the writer nor waits for readers; what it
leaves is copied by the next one, or by the first commit after automatic checkpoints are
back on.

PostgreSQL: each batch commits without waiting for its log to reach the disk
(`synchronous_commit = off` for that transaction only). The server stays consistent; a
server crash can forget the last fraction of a second of batches, which is what a killed
import leaves too, and re-running the file brings them in (natural keys). Any later
ordinary commit, such as the import's own record, waits for the log up to itself, so a
finished import is as durable as any other write.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from django.db import connection, transaction


class WalCheckpointer:
    """A thread with its own connection to the SQLite file at `path` that checkpoints the
    log each time it is told that a commit happened."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.error: BaseException | None = None  # what stopped the thread, if anything did
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="kehu-wal-checkpoints", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def committed(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Checkpoint what has been committed, then stop."""
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            database = sqlite3.connect(self.path, timeout=20, check_same_thread=False)
        except sqlite3.Error as error:
            self.error = error
            return
        try:
            database.execute("PRAGMA synchronous = NORMAL")  # the writer's own setting (kehu.settings)
            while True:
                self._wake.wait()
                self._wake.clear()
                stopping = self._stopping  # read first: a stop that comes later wakes us again
                # On stopping too: the last batch's commit is copied before the import ends.
                database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                if stopping:
                    return
        except sqlite3.Error as error:  # a checkpoint that fails loses nothing: the log keeps the pages
            self.error = error
        finally:
            database.close()


class BatchCommits:
    """`with BatchCommits() as commits: for …: with commits.batch(): write one batch`.

    `enabled=False`: the batches run inside the caller's own transaction (all-or-nothing)
    and `batch()` does nothing."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._commits = False
        self.checkpointer: WalCheckpointer | None = None
        self._restore_autocheckpoint = 1000

    def __enter__(self) -> BatchCommits:
        # Inside a caller's transaction the batches are savepoints: nothing commits till
        # the caller does, and how the caller's commit waits is the caller's business.
        self._commits = self.enabled and not connection.in_atomic_block
        if self._commits and connection.vendor == "sqlite" and not connection.is_in_memory_db():
            self._start_checkpoints()
        return self

    @contextmanager
    def batch(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        with transaction.atomic():
            if self._commits and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        if self.checkpointer is not None:
            self.checkpointer.committed()

    def _start_checkpoints(self) -> None:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0].lower() != "wal":
                return
            cursor.execute("PRAGMA wal_autocheckpoint")
            self._restore_autocheckpoint = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        self.checkpointer = WalCheckpointer(str(connection.settings_dict["NAME"])).start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        if self.checkpointer is None:
            return
        self.checkpointer.stop()
        self.checkpointer = None
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {self._restore_autocheckpoint}")
