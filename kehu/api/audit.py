"""/api/audit-events: the audit log, searched and exported (administrators and auditors)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from kehu.api.lookups import actor_of
from kehu.api.paging import page_of
from kehu.api.schemas.common import AUTH_ERRORS, LIMITED_ERRORS, MAX_ID, Page, PageQuery, text
from kehu.audit.export import csv_download
from kehu.audit.selectors import AuditFilters, audit_events, ensure_may_read, event_row
from kehu.core import ratelimit

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor: str = Field(description="Username; empty for kehu itself (retention, scheduled jobs).")
    action: str
    object_type: str
    object_id: str
    customer_id: int | None
    client_address: str
    changes: dict[str, Any] = Field(description="Before/after values, sensitive ones masked; "
                                                "{\"redacted\": true} once the person was erased.")
    redacted_at: datetime.datetime | None
    hash: str


class AuditEventPage(Page[AuditEventOut]):
    pass


class AuditFilterQuery(Schema):
    actor: text(150) = Field("", description="Username of who acted.")
    action: text(64) = Field("", description="An action (customer.update), or a prefix ending in a dot (customer.).")
    customer_id: int | None = Field(None, ge=1, le=MAX_ID)
    object_type: text(64) = Field("", description="app.model, e.g. customers.customer.")
    since: datetime.date | None = Field(None, description="From this local date.")
    until: datetime.date | None = Field(None, description="Up to and including this local date.")

    def filters(self) -> AuditFilters:
        return AuditFilters(actor=self.actor, action=self.action, customer_id=self.customer_id,
                            object_type=self.object_type, since=self.since, until=self.until)


class AuditEventQuery(AuditFilterQuery, PageQuery):
    pass


def _out(event) -> dict[str, Any]:
    row = event_row(event)
    row["at"], row["redacted_at"] = event.at, event.redacted_at
    return row


@router.get("/audit-events", response={200: AuditEventPage, **AUTH_ERRORS})
def list_audit_events(request: HttpRequest, query: Query[AuditEventQuery]) -> dict[str, Any]:
    """The audit log newest first, filtered. 403 unless the caller is an administrator or auditor."""
    ensure_may_read(actor_of(request))
    return page_of(audit_events(viewer=actor_of(request), filters=query.filters()), query, _out)


@router.get("/audit-events/export", response={200: str, **LIMITED_ERRORS},
            openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with BOM), newest first",
                                               "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def export_audit_events(request: HttpRequest, query: Query[AuditFilterQuery]) -> StreamingHttpResponse:
    """The filtered log as CSV; the export is itself an audit event. Needs the `export` token scope."""
    actor = actor_of(request)
    ensure_may_read(actor)
    ratelimit.hit_for_user(ratelimit.EXPORT, actor)
    return csv_download(viewer=actor, filters=query.filters(), via="api")
