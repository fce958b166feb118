"""kehu audit verify | search | export: check the hash chain, read the log, export it as CSV.

    kehu audit verify
    kehu audit search [--actor USER] [--action customer.] [--customer ID] [--since DATE] [--until DATE] [--limit N]
    kehu audit export [same filters] [--output FILE]

search and export act as --user (default: the first active administrator); only
administrators and auditors read the log, and every export is itself an audit event.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.audit.export import csv_lines, export_events
from kehu.audit.selectors import AuditFilters, audit_events, event_row
from kehu.audit.services import verify_chain
from kehu.cli.arguments import acting_user


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r}: use a date like 2026-06-30.") from None


class Command(BaseCommand):
    help = ("Audit log tools. `verify` recomputes the hash chain and reports any tampering; `search` prints "
            "matching events as JSON lines; `export` writes them as CSV (itself an audited export).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "search", "export"])
        parser.add_argument("--actor", default="", help="username of who acted")
        parser.add_argument("--action", dest="event_action", default="",
                            help="an action (customer.update) or a prefix ending in a dot (customer.)")
        parser.add_argument("--customer", type=int, default=None, help="customer file id")
        parser.add_argument("--object-type", default="", help="app.model, e.g. customers.customer")
        parser.add_argument("--since", type=_date, default=None, help="from this local date (YYYY-MM-DD)")
        parser.add_argument("--until", type=_date, default=None, help="up to and including this local date")
        parser.add_argument("--limit", type=int, default=100, help="search: newest N events (default 100)")
        parser.add_argument("--output", help="export: CSV file to write (default: standard output)")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")

    def handle(self, *args, action: str, **options) -> None:
        if action == "verify":
            self._verify()
            return
        actor = acting_user(options["user"])
        filters = AuditFilters(
            actor=options["actor"], action=options["event_action"], customer_id=options["customer"],
            object_type=options["object_type"], since=options["since"], until=options["until"],
        )
        try:
            if action == "search":
                if options["limit"] < 1:
                    raise CommandError("--limit must be at least 1.")
                for event in audit_events(viewer=actor, filters=filters)[: options["limit"]]:
                    self.stdout.write(json.dumps(event_row(event), ensure_ascii=False, default=str))
                return
            lines = csv_lines(export_events(viewer=actor, filters=filters, fmt="csv (command)"))
            if options["output"]:
                with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                    out.writelines(lines)
            else:
                sys.stdout.writelines(lines)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _verify(self) -> None:
        result = verify_chain()
        for problem in result.problems:
            self.stdout.write(problem)
        if result.ok:
            self.stdout.write(f"Audit log intact: {result.events} events, hash chain verified.")
        else:
            self.stdout.write(f"Audit log TAMPERED: {len(result.problems)} problem(s) in {result.events} events.")
            sys.exit(1)
