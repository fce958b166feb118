"""Communications: customer_code, occurred_at, channel, direction, subject, content, outcome,
duration_minutes, customer_needs, next_step, next_contact_on, staff (username), external_id.

The natural key is `external_id` when the file has one, otherwise a digest of the row's
customer, time, channel, subject and content, so re-importing a file adds nothing twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from kehu.accounts.models import User
from kehu.interactions.models import Channel, Direction, Interaction, Outcome
from kehu.quality.importing import cells
from kehu.quality.importing.base import Importer, Row


class InteractionImporter(Importer):
    kind = "interactions"
    required = ("customer_code", "occurred_at", "channel")
    optional = ("direction", "subject", "content", "outcome", "duration_minutes", "customer_needs", "next_step",
                "next_contact_on", "staff", "external_id")
    # The natural key (customer, external id or digest) is one customer's.
    partition_by = "customer_code"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.staff_ids: dict[str, int | None] = {}

    def _parse(self, number: int, row: dict[str, Any]) -> dict[str, Any] | None:
        before = self.report.failed
        p = self.parse
        parsed = {
            "customer_code": p(number, row, "customer_code", cells.text, max_length=32, required=True),
            "occurred_at": p(number, row, "occurred_at", cells.moment),
            "channel": p(number, row, "channel", cells.choice, Channel),
            "direction": p(number, row, "direction", cells.choice, Direction, default=Direction.OUTBOUND),
            "subject": p(number, row, "subject", cells.text, max_length=200),
            "content": p(number, row, "content", cells.text, max_length=20000),
            "outcome": p(number, row, "outcome", cells.choice, Outcome, default=""),
            "duration_minutes": p(number, row, "duration_minutes", cells.decimal, required=False, minimum=0),
            "customer_needs": p(number, row, "customer_needs", cells.text, max_length=4000),
            "next_step": p(number, row, "next_step", cells.text, max_length=500),
            "next_contact_on": p(number, row, "next_contact_on", cells.day),
            "staff": p(number, row, "staff", cells.text, max_length=150),
            "external_id": p(number, row, "external_id", cells.text, max_length=100),
        }
        if self.report.failed > before:
            return None
        try:
            cells.not_future(parsed["occurred_at"])
        except cells.CellError as error:
            self.report.error(number, "occurred_at", row.get("occurred_at"), str(error))
            return None
        if parsed["duration_minutes"] is not None:
            parsed["duration_minutes"] = int(parsed["duration_minutes"])
        digest_source = "\x1f".join(str(parsed[k]) for k in ("customer_code", "occurred_at", "channel", "subject", "content"))
        parsed["import_key"] = parsed["external_id"] or hashlib.sha256(digest_source.encode()).hexdigest()[:40]
        return parsed

    def _staff(self, username: str) -> int | None:
        if username not in self.staff_ids:
            self.staff_ids[username] = User.objects.filter(username=username).values_list("id", flat=True).first()
        return self.staff_ids[username]

    def process(self, batch: list[Row]) -> None:
        parsed = [(n, p) for n, row in batch if (p := self._parse(n, row)) is not None]
        customers = self.customers_by_code(p["customer_code"] for _n, p in parsed)
        existing = set(Interaction.objects.filter(
            customer_id__in=set(customers.values()), import_key__in=[p["import_key"] for _n, p in parsed]
        ).values_list("customer_id", "import_key"))
        new, seen = [], set()
        for number, p in parsed:
            customer_id = customers.get(p["customer_code"])
            if customer_id is None:
                self.unknown_customer(number, p["customer_code"])
                continue
            key = (customer_id, p["import_key"])
            if key in existing or key in seen:
                self.report.skipped_existing += 1
                continue
            seen.add(key)
            fields = {k: v for k, v in p.items() if k not in ("customer_code", "staff", "external_id")}
            new.append((Interaction(customer_id=customer_id, created_by=self.actor, **fields), p["staff"]))
        Interaction.objects.bulk_create([i for i, _s in new], batch_size=2000)
        through = Interaction.staff.through
        through.objects.bulk_create(
            [through(interaction_id=i.pk, user_id=staff_id) for i, username in new
             if (staff_id := self._staff(username) if username else self.actor.pk)],
            batch_size=2000,
        )
        self.report.created += len(new)
