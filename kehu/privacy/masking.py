"""Masking sensitive values for display, and revealing them with a reason.

Every page, API response and export shows a sensitive field through `shown_value`: masked
(`110***********002X`, `******`) unless the viewer's role may reveal it *and* they did, for
this customer, with a reason — each reveal is an audit event. Reveals last for a short
window per viewer and customer (kept in the session by the caller, not in the database).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, User
from kehu.accounts.permissions import role_of
from kehu.audit.services import audit
from kehu.core.idcard import mask_id_number
from kehu.customers.models import Customer
from kehu.customers.sections import DataClass, sections_for

MASK = "******"
REVEAL_MINUTES = 10
_MAY_REVEAL = {Role.ADMINISTRATOR, Role.ARCHIVE_MANAGER, Role.SERVICE, Role.SALES}


def sensitive_fields(kind: str) -> list[str]:
    return [f.name for s in sections_for(kind) for f in s.fields if f.data_class == DataClass.SENSITIVE]


def may_reveal(user: User) -> bool:
    """Analysts never see sensitive values: their work needs none."""
    return role_of(user) in _MAY_REVEAL


def mask(field_name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    return mask_id_number(str(value)) if field_name == "id_number" else MASK


def reveal(*, actor: User, customer: Customer, fields: Iterable[str], reason: str) -> dict[str, Any]:
    """Return the plaintext of `fields` for `customer`, auditing who asked and why."""
    if not may_reveal(actor):
        raise PermissionDenied(_("Your role cannot reveal sensitive information."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("Say why you need to see this (at least a few words).")]})
    allowed = set(sensitive_fields(customer.kind))
    wanted = list(dict.fromkeys(fields))
    unknown = [f for f in wanted if f not in allowed]
    if unknown or not wanted:
        raise ValidationError({"fields": [_("Choose sensitive fields of this customer.")]})
    profile = (
        (customer.person if customer.is_person else customer.organization) if _has_profile(customer) else None
    )
    audit(
        actor=actor,
        action="privacy.reveal",
        target=customer,
        customer_id=customer.pk,
        changes={"fields": wanted, "reason": reason[:300]},
    )
    return {name: getattr(profile, name, "") if profile is not None else "" for name in wanted}


def _has_profile(customer: Customer) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        customer.person if customer.is_person else customer.organization  # noqa: B018 - loads the row
    except ObjectDoesNotExist:
        return False
    return True


def reveal_expires(now: datetime.datetime | None = None) -> str:
    return ((now or timezone.now()) + datetime.timedelta(minutes=REVEAL_MINUTES)).isoformat()
