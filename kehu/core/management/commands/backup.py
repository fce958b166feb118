"""kehu backup [--to FOLDER]: a verified copy of the database and the encryption keys."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump) and the encryption keys, then verify the copy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", help="folder to create (default: backups/kehu-<time> in the data directory)")

    def handle(self, *args, to: str | None, **options) -> None:
        try:
            folder = backup(Path(to) if to else None)
        except (BackupError, FileExistsError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written and verified: {folder}")
        self.stdout.write("It holds keys.json: store it as securely as the database itself.")
