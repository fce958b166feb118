"""`kehu tiers list [--json]` / `kehu tiers define FILE [--user U]`: the ordered tier rules.

`define` takes what `PUT /api/insights/tiers` takes — a JSON list, highest tier first, of
{"name", "conditions", "match", "description", "color"} — from a file or `-` (standard input),
and replaces the tier list as one change (rejected whole, with the reasons, if any rule is wrong).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import acting_user
from kehu.insights.models import Tier
from kehu.insights.services import tiers_define
from kehu.insights.snapshots import tier_specs
from kehu.insights.tier_rules import describe


class Command(BaseCommand):
    help = "List the tiers with their rules, or replace them from a JSON file (as PUT /api/insights/tiers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "define"])
        parser.add_argument("file", nargs="?", help="define: a JSON file of tiers, highest first, or - for standard input")
        parser.add_argument("--json", action="store_true", help="list: as JSON, in the form define takes")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")

    def handle(self, *args, **options) -> None:
        if options["action"] == "define":
            self._define(options["file"], acting_user(options["user"]))
        tiers = list(Tier.objects.filter(active=True).order_by("position", "pk"))
        if options["json"]:
            self.stdout.write(json.dumps([{"name": t.name, "match": t.match, "conditions": t.conditions,
                                           "description": t.description, "color": t.color} for t in tiers],
                                         ensure_ascii=False, indent=2))
            return
        for tier, spec in zip(tiers, tier_specs(tiers), strict=True):
            self.stdout.write(f"{tier.position}\t{describe(spec)}")  # "金牌: total_spend >= 1000"

    def _define(self, file: str | None, actor) -> None:
        if not file:
            raise CommandError("Give the JSON file of tiers to define (or - for standard input).")
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            tiers = json.loads(text)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{file} is not JSON text: {error}") from None
        try:
            tiers_define(actor=actor, tiers=tiers)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
