"""Data-subject requests and retention."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure
from kehu.audit.services import audit
from kehu.customers.models import Customer
from kehu.customers.services.common import clean_or_collect
from kehu.interactions.models import Interaction
from kehu.privacy.anonymise import customer_anonymise
from kehu.privacy.models import DataSubjectRequest, RequestStatus
from kehu.quality.redaction import forget_import_error_cells


def _require_privacy_role(actor: User) -> None:
    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers handle data-subject requests."))


def request_open(*, actor: User, customer: Customer, kind: str, details: str = "") -> DataSubjectRequest:
    _require_privacy_role(actor)
    received = timezone.now()
    request = DataSubjectRequest(
        customer_id=customer.pk,
        kind=kind,
        details=details or "",
        recorded_by=actor,
        received_at=received,
        due_on=timezone.localdate(received) + datetime.timedelta(days=settings.KEHU_DSR_DAYS),
    )
    errors: dict[str, list[str]] = {}
    clean_or_collect(request, errors, exclude=["recorded_by"])
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request.save()
        audit(
            actor=actor,
            action=f"privacy.request.{kind}",
            target=request,
            customer_id=customer.pk,
            changes={"due_on": request.due_on.isoformat()},
        )
    return request


def request_close(
    *, actor: User, request: DataSubjectRequest, outcome: str, rejected: bool = False
) -> DataSubjectRequest:
    """Close a request. Closing a deletion request (not rejected) anonymises the customer."""
    _require_privacy_role(actor)
    if request.status != RequestStatus.OPEN:
        raise ValidationError({"status": [_("This request is already closed.")]})
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("Say what was done (or why the request is rejected).")]})
    with transaction.atomic():
        if request.kind == "deletion" and not rejected:
            customer = Customer.objects.filter(pk=request.customer_id).first()
            if customer is not None:
                customer_anonymise(
                    actor=actor, customer=customer, reason=f"data-subject request #{request.pk}"
                )
        request.status = RequestStatus.REJECTED if rejected else RequestStatus.DONE
        request.outcome = outcome.strip()[:1000]
        request.closed_at = timezone.now()
        request.save()
        audit(
            actor=actor,
            action="privacy.request.close",
            target=request,
            customer_id=request.customer_id,
            changes={"status": request.status},
        )
    return request


def overdue_requests(today: datetime.date | None = None):
    return DataSubjectRequest.objects.filter(
        status=RequestStatus.OPEN, due_on__lt=today or timezone.localdate()
    )


def retention_candidates(*, now: datetime.datetime | None = None) -> Any:
    """Customers lost or archived and untouched for longer than KEHU_RETAIN_INACTIVE_DAYS (0 = keep)."""
    days = settings.KEHU_RETAIN_INACTIVE_DAYS
    if not days:
        return Customer.objects.none()
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        Customer.objects.filter(status__in=("lost", "archived"), updated_at__lt=cutoff)
        .exclude(name__startswith="— #")
        .annotate(last_order=Max("orders__ordered_at"), last_contact=Max("interactions__occurred_at"))
        .filter(Q(last_order__isnull=True) | Q(last_order__lt=cutoff))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=cutoff))
    )


def apply_retention(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Anonymise expired files and blank expired communication texts; returns counts."""
    now = now or timezone.now()
    anonymised = 0
    for customer in retention_candidates(now=now).iterator(chunk_size=200):
        customer_anonymise(actor=None, customer=customer, reason="retention period expired")
        anonymised += 1
    blanked = 0
    days = settings.KEHU_RETAIN_COMMUNICATION_DAYS
    if days:
        cutoff = now - datetime.timedelta(days=days)
        blanked = (
            Interaction.objects.filter(occurred_at__lt=cutoff)
            .exclude(content="", subject="", customer_needs="")
            .update(content="", subject="", customer_needs="")
        )
    return {
        "anonymised": anonymised,
        "communications_blanked": blanked,
        "import_errors_blanked": _expire_import_errors(now),
    }


def _expire_import_errors(now: datetime.datetime) -> int:
    days = settings.KEHU_RETAIN_IMPORT_ERRORS_DAYS
    if not days:
        return 0
    return forget_import_error_cells(finished_before=now - datetime.timedelta(days=days))
