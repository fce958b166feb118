"""kehu prune-scores [--dry-run]: remove the scoring runs past retention (`kehu daily` does it too)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kehu.insights.retention import prune_snapshots


class Command(BaseCommand):
    help = ("Remove scoring runs past retention: runs older than KEHU_SCORES_KEEP_DAYS before the newest, "
            "except each month's last run, kept for KEHU_SCORES_KEEP_MONTHS months.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list the runs that would be removed")

    def handle(self, *args, dry_run: bool, **options) -> None:
        pruned = prune_snapshots(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"Keeping every run of the last {settings.KEHU_SCORES_KEEP_DAYS} days and month-ends for "
                          f"{settings.KEHU_SCORES_KEEP_MONTHS or 'all'} months.")
        self.stdout.write(f"{verb} {len(pruned.runs)} runs ({pruned.snapshots} snapshot rows)"
                          + (": " + ", ".join(day.isoformat() for day in pruned.runs) if pruned.runs else "."))
