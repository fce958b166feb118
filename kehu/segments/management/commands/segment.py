"""`kehu segment list` / `kehu segment export NAME_OR_ID [--purpose service] [--output FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import acting_user
from kehu.customers.search import count_at_most
from kehu.segments import conditions as vocabulary
from kehu.segments.export import audited_members, csv_chunks
from kehu.segments.models import Segment
from kehu.segments.selectors import PURPOSES, members, segments_for

LIST_CAP = 100_000


class Command(BaseCommand):
    help = "List segments with their live member counts, or export a segment's member list as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "export"])
        parser.add_argument("segment", nargs="?", help="name or id (export)")
        parser.add_argument("--purpose", choices=PURPOSES, default="marketing",
                            help="marketing (default): only customers with marketing consent in force")
        parser.add_argument("--output", help="CSV file to write (default: standard output)")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")

    def handle(self, *args, **options) -> None:
        actor = acting_user(options["user"])
        if options["action"] == "list":
            for segment in segments_for(actor):
                count = count_at_most(members(viewer=actor, segment=segment), LIST_CAP)
                shown = f"{LIST_CAP:,}+" if count > LIST_CAP else f"{count:,}"
                words = "; ".join(vocabulary.describe(vocabulary.parse(segment.conditions))) or "everyone"
                self.stdout.write(f"{segment.pk}\t{segment.name}\t{shown}\t{words}")
            return
        segment = self._segment(options["segment"])
        customers = audited_members(actor, segment, options["purpose"], via="command")
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                out.writelines(csv_chunks(customers, purpose=options["purpose"]))
        else:
            sys.stdout.writelines(csv_chunks(customers, purpose=options["purpose"]))

    def _segment(self, key: str | None) -> Segment:
        if not key:
            raise CommandError("Name the segment to export (kehu segment list shows them).")
        segment = Segment.objects.filter(name=key).first() or (
            Segment.objects.filter(pk=int(key)).first() if key.isdigit() else None)
        if segment is None:
            raise CommandError(f"No segment {key!r}")
        return segment
