"""Consent (同意): recording, withdrawing, and the rules that depend on it.

- Sensitive fields (PIPL art. 28–29) may be stored only while a separate "sensitive"
  consent is on file.
- A person under 14 is archived only with a guardian's consent (PIPL art. 31); all of a
  child's data counts as sensitive.
- Withdrawing marketing consent takes effect at once (selectors exclude the customer from
  marketing lists); withdrawing sensitive consent schedules the erasure of the sensitive
  fields, done by the daily job.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit
from kehu.core.calendar import age_on
from kehu.customers.models import Consent, Customer
from kehu.customers.sections import DataClass, sections_for
from kehu.customers.services.common import clean_or_collect, ensure_can_write, raise_if_errors, snapshot

CHILD_AGE = 14


@dataclass(frozen=True)
class ConsentData:
    purpose: str
    notice_version: str
    channel: str
    guardian_name: str = ""
    evidence: str = ""


def sensitive_field_names(kind: str) -> set[str]:
    return {f.name for s in sections_for(kind) for f in s.fields if f.data_class == DataClass.SENSITIVE}


def is_child(birthday: Any, today: datetime.date | None = None) -> bool:
    """Under 14 today; a birthday in the future is a typo, reported as such elsewhere."""
    today = today or timezone.localdate()
    return isinstance(birthday, datetime.date) and birthday <= today and age_on(birthday, today) < CHILD_AGE


def active_purposes(customer: Customer) -> dict[str, Consent]:
    if customer.pk is None:
        return {}
    return {c.purpose: c for c in customer.consents.filter(withdrawn_at__isnull=True)}


def check_consent_rules(
    *, kind: str, profile: Any, active: Mapping[str, Any], errors: dict[str, list[str]],
    changed: set[str] | None = None,
) -> None:
    """Add field errors where the profile needs a consent that is not on file.

    `active` maps purpose → a consent-like object with `guardian_name` (saved or about to be).
    `changed`, when given, limits the check to the fields being written, so a file whose
    consent was withdrawn (erasure pending) can still be edited elsewhere.
    """
    if kind != "person":
        return
    child = is_child(getattr(profile, "birthday", None))
    if child and (changed is None or "birthday" in changed):
        service = active.get("service")
        if service is None or not service.guardian_name:
            errors.setdefault("profile.birthday", []).append(
                _("A person under 14 can only be archived with a guardian's consent: record it with the file.")
            )
    stored = [name for name in sensitive_field_names(kind) if getattr(profile, name, "") and (changed is None or name in changed)]
    if stored:
        consent = active.get("sensitive")
        if consent is None:
            for name in stored:
                errors.setdefault(f"profile.{name}", []).append(
                    _("Sensitive information needs the customer's separate consent on file first.")
                )
        elif child and not consent.guardian_name:
            for name in stored:
                errors.setdefault(f"profile.{name}", []).append(_("For a person under 14 the guardian must consent."))


def build_consents(customer: Customer, items: Iterable[ConsentData], actor: User, errors: dict[str, list[str]]) -> list[Consent]:
    rows, purposes = [], set()
    for index, item in enumerate(items):
        row = Consent(
            customer=customer, purpose=item.purpose, notice_version=(item.notice_version or "").strip(),
            channel=item.channel, guardian_name=(item.guardian_name or "").strip(), evidence=item.evidence or "",
            recorded_by=actor,
        )
        clean_or_collect(row, errors, prefix=f"consents.{index}.", exclude=["customer", "recorded_by"])
        if item.purpose in purposes:
            errors.setdefault(f"consents.{index}.purpose", []).append(_("This purpose is listed twice."))
        purposes.add(item.purpose)
        rows.append(row)
    return rows


def consent_record(*, actor: User, customer: Customer, data: ConsentData) -> Consent:
    """Record a consent; an active consent to the same purpose is replaced (withdrawn, then re-granted)."""
    ensure_can_write(actor, customer)
    errors: dict[str, list[str]] = {}
    (row,) = build_consents(customer, [data], actor, errors)
    person = getattr(customer, "person", None) if customer.is_person else None
    if person is not None and is_child(person.birthday) and not row.guardian_name:
        errors.setdefault("consents.0.guardian_name", []).append(_("The person is under 14: name the guardian who consents."))
    raise_if_errors({key.replace("consents.0.", ""): value for key, value in errors.items()})
    with transaction.atomic():
        Consent.objects.filter(customer=customer, purpose=row.purpose, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        try:
            row.save()
        except IntegrityError:
            raise ValidationError({"purpose": [_("Another consent to this purpose was recorded at the same moment.")]}) from None
        audit(actor=actor, action="consent.grant", target=row, customer_id=customer.pk, changes=snapshot(row))
    return row


def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    ensure_can_write(actor, consent.customer)
    if consent.withdrawn_at is not None:
        raise ValidationError({"withdrawn_at": [_("This consent was already withdrawn.")]})
    with transaction.atomic():
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit(actor=actor, action="consent.withdraw", target=consent, customer_id=consent.customer_id,
              changes={"purpose": consent.purpose})
    return consent


def erase_sensitive_without_consent(*, actor: User | None) -> int:
    """Blank the sensitive fields of every person whose sensitive consent is no longer on file.

    Run by the daily job; returns how many files were cleaned.
    """
    from kehu.customers.models import PersonProfile
    from kehu.customers.services.common import refresh_derived

    names = sorted(sensitive_field_names("person"))
    covered = Consent.objects.filter(purpose="sensitive", withdrawn_at__isnull=True).values("customer_id")
    cleaned = 0
    for profile in PersonProfile.objects.exclude(customer_id__in=covered).select_related("customer").iterator(chunk_size=500):
        if not any(getattr(profile, name) for name in names):
            continue
        with transaction.atomic():
            for name in names:
                setattr(profile, name, "")
            profile.id_number_index = ""
            profile.save(update_fields=[*names, "id_number_index"])
            refresh_derived(profile.customer)  # the ID number's search key goes too
            audit(actor=actor, action="privacy.erase_sensitive", target=profile, customer_id=profile.customer_id,
                  changes={"fields": names, "reason": "no sensitive-data consent on file"})
        cleaned += 1
    return cleaned
