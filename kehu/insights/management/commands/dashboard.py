"""kehu dashboard [--as-of DATE] [--user USERNAME] [--json]: the Insights dashboard's figures."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import acting_user
from kehu.insights.dashboard import (
    Dashboard,
    UnknownRun,
    as_data,
    completed_runs,
    parse_as_of,
    run_for,
)
from kehu.segments.selectors import dashboard_for


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


class Command(BaseCommand):
    help = ("Print the Insights dashboard (tiers and their movement, RFM grid, CLV distribution, churn risk, revenue "
            "per segment) as of the latest scoring run, counted over the customers the acting user may see.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", default=None, help="a completed scoring run's date, YYYY-MM-DD (default: latest)")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON (as GET /api/insights/dashboard)")

    def handle(self, *args, as_of, user, json: bool, **options) -> None:  # noqa: A002 - the option's name
        actor = acting_user(user)
        try:
            run = run_for(parse_as_of(as_of))
        except ValidationError as error:
            raise CommandError(f"--as-of: {error.messages[0]}") from None
        except UnknownRun as error:
            raise CommandError(str(error)) from None
        dashboard = None
        if run is not None:
            dashboard = dashboard_for(viewer=actor, run=run)
        if json:
            self.stdout.write(_dumps(as_data(dashboard, completed_runs())))
        elif dashboard is None:
            self.stdout.write("No scoring run yet: start one with `kehu score` (or on the Tiers and scoring page).")
        else:
            self.stdout.write(_text(dashboard, actor.get_username()))


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


def _text(d: Dashboard, username: str) -> str:
    lines = [f"Insights dashboard as of {d.as_of} for {username}: {d.customers:,} customers, {d.buyers:,} with "
             f"purchases; revenue in the window ¥{d.revenue:,.2f}; CLV ¥{d.clv_total:,.2f}", "", "Tiers"]
    lines += [f"  {t.name or '(no tier)'}\t{t.customers:,}\t{t.percent}%" for t in d.tiers]
    if d.movement:
        m = d.movement
        lines += [f"Tier movement since {m.previous_as_of}: {m.up:,} up, {m.down:,} down, {m.unchanged:,} unchanged"]
        lines += [f"  {t.from_name or '(no tier)'} → {t.to_name or '(no tier)'}\t{t.customers:,}" for t in m.transitions]
    else:
        lines += ["Tier movement: first scoring run, nothing to compare with"]
    lines += ["", "RFM grid (rows R 5..1, columns F 1..5)"]
    lines += [f"  R{5 - i}\t" + "\t".join(f"{n:,}" for n in row) for i, row in enumerate(d.rfm_grid)]
    lines += ["", "CLV distribution"]
    lines += [f"  ¥{b.low:,.0f}–{'' if b.high is None else f'¥{b.high:,.0f}'}\t{b.customers:,}" for b in d.clv_buckets]
    if d.clv_unknown:
        lines += [f"  no estimate\t{d.clv_unknown:,}"]
    lines += ["", "Churn risk"]
    lines += [f"  {r.risk}\t{r.customers:,}\tCLV ¥{r.clv:,.2f}" for r in d.churn_levels]
    lines += ["Most valuable customers at risk"]
    lines += [f"  {c.customer_id}\t{c.name}\t{c.risk}\tCLV {'—' if c.clv is None else f'¥{c.clv:,.2f}'}\t"
              + " ".join(c.reasons) for c in d.at_risk]
    for title, groups in (("Revenue per RFM segment", d.rfm_segments), ("Revenue per value class", d.value_classes)):
        lines += ["", title]
        lines += [f"  {g.key or '(no purchases)'}\t{g.customers:,}\t¥{g.revenue:,.2f}\t{g.percent}%" for g in groups]
    lines += ["", "Revenue per saved segment"]
    lines += [f"  {s.segment_id}\t{s.name}\t{s.customers:,}\t¥{s.revenue:,.2f}" for s in d.saved_segments] or ["  (none)"]
    return "\n".join(lines)
