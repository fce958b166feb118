"""kehu audit verify: check the audit log's hash chain."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser

from kehu.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `kehu audit verify` recomputes the hash chain and reports any tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options) -> None:
        result = verify_chain()
        for problem in result.problems:
            self.stdout.write(problem)
        if result.ok:
            self.stdout.write(f"Audit log intact: {result.events} events, hash chain verified.")
        else:
            self.stdout.write(f"Audit log TAMPERED: {len(result.problems)} problem(s) in {result.events} events.")
            sys.exit(1)
