"""Profile completeness: the weighted share of a file's fields that are filled in."""

from __future__ import annotations

from collections.abc import Iterable

from kehu.customers.models import Customer
from kehu.customers.sections import sections_for

CONTACT_WEIGHTS = {"phone": 3, "email": 1, "address": 1, "messaging": 1}
ARCHIVE_WEIGHTS = {"source_channel": 1, "tags": 1, "last_verified_on": 1}


def _filled(value: object) -> bool:
    return value not in (None, "", [], {})


def completeness_of(customer: Customer, *, contacts: Iterable[tuple[str, str]]) -> tuple[int, dict[str, int]]:
    """(overall %, {section: %}) for `customer`, given its (type, value) contact points."""
    scores: dict[str, tuple[int, int]] = {}
    profile = getattr(customer, "person" if customer.is_person else "organization", None)
    for section in sections_for(customer.kind):
        total = sum(f.weight for f in section.fields)
        filled = sum(f.weight for f in section.fields if profile is not None and _filled(getattr(profile, f.name)))
        if section.key == "family" and customer.is_person and customer.family_members.exists():
            filled, total = filled + 2, total + 2
        elif section.key == "family":
            total += 2
        scores[section.key] = (filled, total)

    types = {type_ for type_, _value in contacts}
    present = {
        "phone": bool(types & {"mobile", "phone"}),
        "email": "email" in types,
        "address": "address" in types,
        "messaging": bool(types & {"wechat", "qq", "social"}),
    }
    scores["contact"] = (sum(w for k, w in CONTACT_WEIGHTS.items() if present[k]), sum(CONTACT_WEIGHTS.values()))
    archive_present = {
        "source_channel": bool(customer.source_channel),
        "tags": customer.pk is not None and customer.tags.exists(),
        "last_verified_on": customer.last_verified_on is not None,
    }
    scores["archive"] = (sum(w for k, w in ARCHIVE_WEIGHTS.items() if archive_present[k]), sum(ARCHIVE_WEIGHTS.values()))

    by_section = {key: round(100 * filled / total) if total else 0 for key, (filled, total) in scores.items()}
    grand_filled = sum(filled for filled, _ in scores.values())
    grand_total = sum(total for _, total in scores.values())
    return round(100 * grand_filled / grand_total), by_section
