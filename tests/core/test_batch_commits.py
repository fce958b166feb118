"""Committing a long write batch by batch: SQLite's log checkpointed beside it, PostgreSQL
not waiting for each flush, and neither when the batches run inside a caller's transaction."""

import shutil
import sqlite3

import pytest
from django.db import connection, transaction

from kehu.core.batch_commits import BatchCommits, WalCheckpointer


def _wal_database(path):
    """A writer as kehu's import leaves it: WAL, automatic checkpoints off."""
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)")
    writer.commit()
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the empty table is in the file itself
    return writer


def _rows_in_main_file(path, tmp_path) -> int:
    """The rows the database file itself holds, without its log: copy it alone and open that."""
    alone = tmp_path / "alone.sqlite3"
    shutil.copyfile(path, alone)
    reader = sqlite3.connect(alone)
    try:
        return reader.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        reader.close()


def _write_batches(writer, checkpointer=None, batches=3, rows=500):
    for batch in range(batches):
        writer.executemany("INSERT INTO t (n, pad) VALUES (?, ?)",
                           [(batch * rows + i, "x" * 200) for i in range(rows)])
        writer.commit()
        if checkpointer is not None:
            checkpointer.committed()


def test_the_checkpointer_copies_committed_batches_into_the_database_file(tmp_path):
    path = str(tmp_path / "archive.sqlite3")
    writer = _wal_database(path)
    checkpointer = WalCheckpointer(path).start()
    _write_batches(writer, checkpointer)
    checkpointer.stop()
    assert checkpointer.error is None
    assert _rows_in_main_file(path, tmp_path) == 1500
    writer.close()


def test_without_it_the_batches_stay_in_the_log(tmp_path):
    """The control: with automatic checkpoints off and no checkpointer, the file alone has none."""
    path = str(tmp_path / "archive.sqlite3")
    writer = _wal_database(path)
    _write_batches(writer)
    assert _rows_in_main_file(path, tmp_path) == 0
    writer.close()


def test_a_checkpointer_on_a_missing_folder_reports_its_error(tmp_path):
    checkpointer = WalCheckpointer(str(tmp_path / "no" / "such" / "dir.sqlite3")).start()
    checkpointer.stop()
    assert isinstance(checkpointer.error, sqlite3.Error)


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_batches_are_savepoints():
    with BatchCommits() as commits:
        assert commits.checkpointer is None
        with commits.batch():
            assert connection.in_atomic_block
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SHOW synchronous_commit")
                    assert cursor.fetchone()[0] == "on"


@pytest.mark.django_db
def test_disabled_batches_run_in_the_callers_transaction_as_they_are():
    with BatchCommits(enabled=False) as commits, commits.batch():
        pass  # no savepoint of its own: nothing to observe but that it runs
    assert commits.checkpointer is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit setting")
def test_postgresql_batches_commit_without_waiting_for_the_flush_and_only_they():
    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with BatchCommits() as commits:
        with commits.batch():
            assert setting() == "off"
        assert setting() == "on"
    with transaction.atomic():
        assert setting() == "on"
