"""Privacy: consents, data-subject requests and their deadlines, the access export, and the
audited reveal of masked sensitive fields."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure
from kehu.api import present
from kehu.api.lookups import actor_of, visible_customer
from kehu.api.paging import page_of
from kehu.api.schemas.common import AUTH_ERRORS, LIMITED_ERRORS, OBJECT_ERRORS, WRITE_ERRORS, PathId
from kehu.api.schemas.privacy import (
    ConsentIn,
    ConsentOut,
    RevealIn,
    RevealOut,
    SubjectRequestClose,
    SubjectRequestIn,
    SubjectRequestOut,
    SubjectRequestPage,
    SubjectRequestQuery,
)
from kehu.audit.services import audit
from kehu.core import ratelimit
from kehu.customers.models import Consent
from kehu.customers.services import ConsentData
from kehu.customers.services.consent import consent_record, consent_withdraw
from kehu.privacy.export import subject_data
from kehu.privacy.masking import may_reveal, reveal, reveal_expires
from kehu.privacy.models import DataSubjectRequest, RequestStatus
from kehu.privacy.services import request_close, request_open

router = Router(tags=["privacy"])


# --- consents -----------------------------------------------------------------------


def consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk, "purpose": consent.purpose, "notice_version": consent.notice_version,
        "channel": consent.channel, "granted_at": consent.granted_at, "guardian_name": consent.guardian_name,
        "evidence": consent.evidence, "withdrawn_at": consent.withdrawn_at, "active": consent.active,
        "recorded_by": present.user_ref(consent.recorded_by),
    }


@router.get("/customers/{customer_id}/consents", response={200: list[ConsentOut], **OBJECT_ERRORS})
def list_consents(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    return [consent_out(c) for c in customer.consents.select_related("recorded_by").order_by("-granted_at", "-id")]


@router.post("/customers/{customer_id}/consents", response={201: ConsentOut, **WRITE_ERRORS})
def record_consent(request: HttpRequest, customer_id: PathId, payload: ConsentIn) -> Status:
    customer = visible_customer(request, customer_id)
    consent = consent_record(actor=actor_of(request), customer=customer, data=ConsentData(**payload.model_dump()))
    return Status(201, consent_out(consent))


@router.post(
    "/customers/{customer_id}/consents/{consent_id}/withdraw", response={200: ConsentOut, **WRITE_ERRORS}
)
def withdraw_consent(request: HttpRequest, customer_id: PathId, consent_id: PathId) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    consent = customer.consents.select_related("recorded_by").filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    consent.customer = customer
    return consent_out(consent_withdraw(actor=actor_of(request), consent=consent))


# --- data-subject requests -------------------------------------------------------------


def subject_request_out(item: DataSubjectRequest) -> dict[str, Any]:
    overdue = item.status == RequestStatus.OPEN and item.due_on < timezone.localdate()
    return {
        "id": item.pk, "customer_id": item.customer_id, "kind": item.kind, "status": item.status,
        "received_at": item.received_at, "due_on": item.due_on, "overdue": overdue, "details": item.details,
        "outcome": item.outcome, "closed_at": item.closed_at, "recorded_by": present.user_ref(item.recorded_by),
    }


# Open requests first, the nearest deadline on top; then the most recently closed.
_OPEN_FIRST = (F("closed_at").desc(nulls_first=True), "due_on", "id")


def _require_privacy_role(user: User) -> None:
    if not may_configure(user):
        raise PermissionDenied(_("Only administrators and archive managers handle data-subject requests."))


@router.get("/subject-requests", response={200: SubjectRequestPage, **AUTH_ERRORS})
def list_subject_requests(request: HttpRequest, query: Query[SubjectRequestQuery]) -> dict[str, Any]:
    """Every customer's requests, open ones first by due date: administrators and managers."""
    _require_privacy_role(actor_of(request))
    rows = DataSubjectRequest.objects.select_related("recorded_by").order_by(*_OPEN_FIRST)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.overdue is not None:
        late = {"status": RequestStatus.OPEN, "due_on__lt": timezone.localdate()}
        rows = rows.filter(**late) if query.overdue else rows.exclude(**late)
    return page_of(rows, query, subject_request_out)


@router.get(
    "/customers/{customer_id}/subject-requests", response={200: list[SubjectRequestOut], **OBJECT_ERRORS}
)
def list_customer_subject_requests(request: HttpRequest, customer_id: PathId) -> list[dict[str, Any]]:
    customer = visible_customer(request, customer_id)
    rows = DataSubjectRequest.objects.filter(customer_id=customer.pk).select_related("recorded_by")
    return [subject_request_out(r) for r in rows.order_by(*_OPEN_FIRST)]


@router.post("/customers/{customer_id}/subject-requests", response={201: SubjectRequestOut, **WRITE_ERRORS})
def open_subject_request(request: HttpRequest, customer_id: PathId, payload: SubjectRequestIn) -> Status:
    customer = visible_customer(request, customer_id)
    item = request_open(actor=actor_of(request), customer=customer, kind=payload.kind, details=payload.details)
    return Status(201, subject_request_out(item))


@router.post(
    "/customers/{customer_id}/subject-requests/{request_id}/close",
    response={200: SubjectRequestOut, **WRITE_ERRORS},
)
def close_subject_request(
    request: HttpRequest, customer_id: PathId, request_id: PathId, payload: SubjectRequestClose
) -> dict[str, Any]:
    customer = visible_customer(request, customer_id)
    item = DataSubjectRequest.objects.filter(customer_id=customer.pk, pk=request_id).select_related("recorded_by").first()
    if item is None:
        raise Http404
    item = request_close(actor=actor_of(request), request=item, outcome=payload.outcome, rejected=payload.rejected)
    return subject_request_out(item)


@router.get("/customers/{customer_id}/subject-export", response={200: dict[str, Any], **LIMITED_ERRORS})
def subject_export(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """Everything the archive holds on the customer, sensitive fields in clear (it is their data),
    for answering an access request. Administrators and managers only; each export is audited.
    Rate-limited per user (`KEHU_EXPORT_RATE_PER_HOUR`): 429 with Retry-After."""
    actor = actor_of(request)
    ratelimit.hit_for_user(ratelimit.EXPORT, actor)
    customer = visible_customer(request, customer_id)
    _require_privacy_role(actor)
    data = subject_data(customer)
    audit(actor=actor, action="privacy.export", target=customer, customer_id=customer.pk, changes={"format": "json"})
    return data


# --- reveal -------------------------------------------------------------------------


@router.post("/customers/{customer_id}/reveal", response={200: RevealOut, **WRITE_ERRORS})
def reveal_fields(request: HttpRequest, customer_id: PathId, payload: RevealIn) -> dict[str, Any]:
    """The plaintext of masked sensitive fields, with a reason; each reveal is audited."""
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    if not may_reveal(actor):
        raise PermissionDenied(_("Your role cannot reveal sensitive information."))
    attribute = "person" if customer.is_person else "organization"
    if getattr(customer, attribute, None) is None:
        # A file without a profile row (an old import) has nothing to reveal; `reveal` would
        # fail reading the missing row.
        return {"values": dict.fromkeys(payload.fields, ""), "expires_at": timezone.now()}
    values = reveal(actor=actor, customer=customer, fields=payload.fields, reason=payload.reason)
    return {
        "values": {name: "" if value is None else str(value) for name, value in values.items()},
        "expires_at": parse_datetime(reveal_expires()),
    }
