"""kehu restore FOLDER --yes: replace the database with a backup made by `kehu backup`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `kehu backup` (replaces the current data), then verify row counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="confirm that the current data is to be replaced")

    def handle(self, *args, folder: str, yes: bool, **options) -> None:
        path = Path(folder)
        if not (path / "manifest.json").exists():
            raise CommandError(f"{path} is not a kehu backup (no manifest.json)")
        if not yes:
            raise CommandError("Restoring replaces all current data: add --yes to confirm.")
        try:
            counts = restore(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Restored and verified: " + ", ".join(f"{t} {n}" for t, n in counts.items()))
