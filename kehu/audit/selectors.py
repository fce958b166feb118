"""Reading the audit log: search, for auditors and administrators.

The one door to the log, as `visible_to` is to the archive: pages, API and the `kehu audit`
command all call `audit_events` (exports through `kehu.audit.export`), which refuses anyone `may_read_audit_log` does not name.
Payloads are shown as stored: sensitive values were masked when the event was written,
and an erased person's payloads read {"redacted": true}.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_read_audit_log
from kehu.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    """What an auditor narrows the log by; empty fields do not filter."""

    actor: str = ""  # username
    action: str = ""  # exact action, or a prefix ending in "." (customer.)
    customer_id: int | None = None
    object_type: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None  # inclusive

    def clean(self) -> AuditFilters:
        if self.since and self.until and self.since > self.until:
            raise ValidationError({"until": _("The end date is before the start date.")})
        if self.actor and not User.objects.filter(username=self.actor).exists():
            raise ValidationError({"actor": _("No user with this username.")})
        return self


def ensure_may_read(viewer: User) -> None:
    if not may_read_audit_log(viewer):
        raise PermissionDenied(_("Only administrators and auditors read the audit log."))


def audit_events(*, viewer: User, filters: AuditFilters = AuditFilters()) -> QuerySet[AuditEvent]:
    """The events matching `filters`, newest first; PermissionDenied for other roles."""
    ensure_may_read(viewer)
    filters.clean()
    events = AuditEvent.objects.select_related("actor")
    if filters.actor:
        events = events.filter(actor__username=filters.actor)
    if filters.action:
        events = (events.filter(action__startswith=filters.action) if filters.action.endswith(".")
                  else events.filter(action=filters.action))
    if filters.customer_id is not None:
        events = events.filter(customer_id=filters.customer_id)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.since:
        events = events.filter(at__gte=_start_of(filters.since))
    if filters.until:
        events = events.filter(at__lt=_start_of(filters.until + datetime.timedelta(days=1)))
    return events.order_by("-at", "-id")


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the archive's time zone: an auditor's dates are local dates."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def known_actions() -> list[str]:
    """The actions in the log, for the filter's suggestions. A DISTINCT reads the whole
    action index (PostgreSQL 15 has no skip scan), so the list is kept for ten minutes."""
    return cache.get_or_set(
        "kehu:audit:actions",
        lambda: list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()),
        timeout=600,
    )


def event_row(event: AuditEvent) -> dict:
    return {
        "id": event.pk,
        "at": timezone.localtime(event.at).isoformat(),
        "actor": event.actor.username if event.actor_id else "",
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "customer_id": event.customer_id,
        "client_address": event.client_address or "",
        "changes": event.changes,
        "redacted_at": timezone.localtime(event.redacted_at).isoformat() if event.redacted_at else "",
        "hash": event.hash,
    }
