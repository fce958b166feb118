"""Backups: a folder with the database, the encryption keys and a manifest of row counts.

SQLite uses the online backup API (consistent while kehu runs); PostgreSQL uses
pg_dump/pg_restore in custom format. Both are verified by reopening the copy and comparing
its row counts with the manifest. The keys file goes along: without it the sensitive
fields in the copy cannot be read.
"""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

from kehu.core.crypto import key_file, reset_keyring_cache

COUNTED = ("customers_customer", "sales_order", "interactions_interaction", "audit_auditevent")


class BackupError(RuntimeError):
    pass


def _counts_live() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in COUNTED:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
    return counts


def _counts_sqlite(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check")
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in COUNTED}  # noqa: S608


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER") or "postgres")]
    env = {"PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def backup(destination: Path | None = None) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = destination or Path(settings.DATA_DIR) / "backups" / f"kehu-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    counts = _counts_live()
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
    else:
        target = folder / "database.dump"
        args, env = _pg_env()
        _run(["pg_dump", "-Fc", *args, "-f", str(target), settings.DATABASES["default"]["NAME"]], env)
    if key_file().exists():
        shutil.copy2(key_file(), folder / "keys.json")
    manifest = {"created": stamp, "vendor": connection.vendor, "counts": counts, "file": target.name}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    verify(folder)
    return folder


def verify(folder: Path) -> dict[str, int]:
    """Reopen the copy and check its row counts against the manifest (SQLite fully; PostgreSQL: the dump's table of contents)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    target = folder / manifest["file"]
    if not target.exists():
        raise BackupError(f"{target} is missing")
    if manifest["vendor"] == "sqlite":
        counts = _counts_sqlite(target)
        if counts != manifest["counts"]:
            raise BackupError(f"row counts differ from the manifest: {counts} != {manifest['counts']}")
        return counts
    _run(["pg_restore", "--list", str(target)], {})
    return manifest["counts"]


def restore(folder: Path) -> dict[str, int]:
    """Replace the live database with the backup in `folder`, then check the row counts."""
    manifest = json.loads((folder / "manifest.json").read_text())
    verify(folder)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"this backup is of a {manifest['vendor']} database; kehu now uses {connection.vendor}")
    target = folder / manifest["file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as source:
            source.backup(connection.connection)
    else:
        args, env = _pg_env()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", *args, "-d", settings.DATABASES["default"]["NAME"],
              str(target)], env)
    if (folder / "keys.json").exists():
        shutil.copy2(folder / "keys.json", key_file())
        reset_keyring_cache()
    counts = _counts_live()
    if counts != manifest["counts"]:
        raise BackupError(f"after restoring, row counts differ: {counts} != {manifest['counts']}")
    return counts
