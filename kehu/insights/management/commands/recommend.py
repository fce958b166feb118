"""kehu recommend CUSTOMER_NUMBER [--json] [--limit 5] [--user U]: a customer's next-purchase estimate
and recommendations, as the customer page shows them (from the latest `kehu score`)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.cli.arguments import acting_user, positive_int
from kehu.customers.selectors import visible_to
from kehu.insights.recommendations import Preferences, Recommendation, preferences_of


def _item(item: Recommendation) -> dict[str, object]:
    return {"kind": item.kind, "name": item.name, "category": item.category, "product_id": item.product_id,
            "because_of": item.because_of, "both": item.both, "source_buyers": item.source_buyers,
            "confidence": item.confidence, "lift": item.lift, "reason": item.reason()}


def as_json(number: str, preferences: Preferences) -> dict[str, object]:
    estimate = preferences.next_purchase
    return {
        "customer": number, "as_of": preferences.as_of.isoformat() if preferences.as_of else None,
        "favourite_categories": preferences.favourite_categories,
        "next_purchase": {
            "basis": estimate.basis, "basis_text": estimate.basis_text(),
            "expected_on": estimate.expected_on.isoformat() if estimate.expected_on else None,
            "overdue": estimate.overdue, "days_until": estimate.days_until, "status": estimate.status(),
        },
        "categories": [_item(item) for item in preferences.categories],
        "products": [_item(item) for item in preferences.products],
    }


class Command(BaseCommand):
    help = "Show a customer's next-purchase estimate and recommended categories and products."
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("customer", help="customer number (客户编号)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--limit", type=positive_int, default=5, help="categories and products shown (default 5)")
        parser.add_argument("--user", help="act as this user (default: the first active administrator)")

    def handle(self, *args, customer: str, json: bool, limit: int, user: str | None, **options) -> None:
        actor = acting_user(user)
        found = visible_to(actor).filter(number=customer).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No customer {customer!r}")
        preferences = preferences_of(viewer=actor, customer_id=found, limit=limit)
        if preferences is None:  # pragma: no cover — checked above
            raise CommandError(f"No customer {customer!r}")
        if json:
            self.stdout.write(_dumps(as_json(customer, preferences)))
            return
        estimate = preferences.next_purchase
        self.stdout.write(f"{customer}: " + (", ".join(preferences.favourite_categories) or "—"))
        expected = estimate.expected_on.isoformat() if estimate.expected_on else "—"
        self.stdout.write(f"next purchase: {expected} {estimate.status()}".rstrip())
        self.stdout.write(f"  {estimate.basis_text()}")
        if preferences.as_of is None:
            self.stdout.write("no scoring run yet: run `kehu score` first")
            return
        for label, items in (("categories", preferences.categories), ("products", preferences.products)):
            self.stdout.write(f"{label} (as of {preferences.as_of}):" + ("" if items else " —"))
            for item in items:
                self.stdout.write(f"  {item.name}\t{item.reason()}")


def _dumps(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
