"""kehu import KIND FILE [--map column=field …] [--dry-run] [--skip-bad-rows] [--workers N] [--user NAME]"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import acting_user
from kehu.quality.importing.engine import IMPORTERS, ImportOptions, run_import
from kehu.quality.importing.parallel import MAX_WORKERS


class Command(BaseCommand):
    help = "Import customers, orders, payments or communications from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                            help="rename a file column to a kehu field; repeatable")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--skip-bad-rows", action="store_true",
                            help="import the good rows and report the bad ones (default: all or nothing)")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--workers", type=int, default=1,
                            help="worker processes with --skip-bad-rows: orders, payments or communications "
                                 "on PostgreSQL, orders on SQLite (default 1)")

    def handle(self, *args, **options) -> None:
        mapping = {}
        for item in options["map"]:
            column, sep, field = item.partition("=")
            if not sep or not column.strip() or not field.strip():
                raise CommandError(f"--map takes COLUMN=FIELD, not {item!r}")
            mapping[column.strip()] = field.strip()
        if not 1 <= options["batch_size"] <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000")
        if not 1 <= options["workers"] <= MAX_WORKERS:
            raise CommandError(f"--workers must be between 1 and {MAX_WORKERS}")
        actor = acting_user(options["user"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()

        def progress(rows: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            sys.stderr.write(f"\r{rows:,} rows · {rows / elapsed:,.0f} rows/s")
            sys.stderr.flush()

        with path.open("rb") as handle:
            report = run_import(
                actor=actor, kind=options["kind"], handle=handle, file_name=path.name, progress=progress,
                options=ImportOptions(dry_run=options["dry_run"], skip_bad_rows=options["skip_bad_rows"],
                                      batch_size=options["batch_size"], mapping=mapping,
                                      workers=options["workers"]),
            )
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        if report.fatal:
            raise CommandError(report.fatal)
        for error in report.errors:
            self.stdout.write(f"row {error.row}\t{error.column}\t{error.value}\t{error.reason}")
        outcome = "dry run, nothing written" if report.dry_run else ("committed" if report.committed else "rolled back: nothing written")
        self.stdout.write(
            f"{report.rows} rows in {elapsed:.1f} s ({report.rows / max(elapsed, 1e-6):,.0f} rows/s): "
            f"{report.created} created, {report.skipped_existing} already present, {report.failed} with errors — {outcome}"
        )
        if report.failed and not report.committed:
            sys.exit(1)
