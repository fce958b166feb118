"""/api/segments: saved customer filters (客户群), their members and member-list exports.

Definitions are shared by all staff; members are always limited to what the caller may see,
and a marketing list (the default) holds only customers whose marketing consent is in force.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kehu.accounts.permissions import may_export_customers
from kehu.api import present
from kehu.api.customers import COUNT_CAP, CustomerPage
from kehu.api.lookups import actor_of
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, WRITE_ERRORS, InputSchema, PathId, text
from kehu.api.schemas.customers import UserRef
from kehu.core import ratelimit
from kehu.customers.search import count_at_most
from kehu.segments import conditions as vocabulary
from kehu.segments.export import export_response
from kehu.segments.models import Segment
from kehu.segments.selectors import members, segments_for
from kehu.segments.services import segment_create, segment_delete, segment_update

router = Router(tags=["segments"])
Purpose = Literal["marketing", "service"]


class ConditionIn(InputSchema):
    field: text(40) = Field(description="One of the fields GET /api/segments/fields lists.")
    op: text(20)
    value: text(100)


class SegmentIn(InputSchema):
    name: text(100)
    description: text(500) = ""
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=vocabulary.MAX_CONDITIONS,
                                          description="All must hold; none: every customer the caller may see.")


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    conditions: list[dict[str, str]]
    conditions_in_words: list[str]
    created_by: UserRef | None
    created_at: Any
    updated_at: Any
    marketing_count: int = Field(description=f"Members with marketing consent the caller may see, up to "
                                             f"{COUNT_CAP + 1:,} (more than {COUNT_CAP:,}).")


class FieldChoice(Schema):
    value: str
    label: str


class FieldOp(Schema):
    op: str
    label: str


class FieldOut(Schema):
    field: str
    label: str
    kind: Literal["choice", "number", "date", "text"]
    ops: list[FieldOp]
    choices: list[FieldChoice] | None


class MemberQuery(Schema):
    purpose: Purpose = Field("marketing", description="marketing: only customers with marketing consent in force.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class ExportQuery(Schema):
    purpose: Purpose = "marketing"


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    segment = segments_for(actor_of(request)).filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    return segment


def _out(request: HttpRequest, segment: Segment) -> dict[str, Any]:
    parsed = vocabulary.parse(segment.conditions)
    return {
        "id": segment.pk, "name": segment.name, "description": segment.description,
        "conditions": segment.conditions, "conditions_in_words": vocabulary.describe(parsed),
        "created_by": present.user_ref(segment.created_by), "created_at": segment.created_at,
        "updated_at": segment.updated_at,
        "marketing_count": count_at_most(members(viewer=actor_of(request), segment=segment), COUNT_CAP),
    }


@router.get("/segments/fields", response={200: list[FieldOut], **AUTH_ERRORS})
def list_fields(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request)
    return vocabulary.vocabulary()


@router.get("/segments", response={200: list[SegmentOut], **AUTH_ERRORS})
def list_segments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(request, segment) for segment in segments_for(actor_of(request))]


@router.post("/segments", response={201: SegmentOut, **WRITE_ERRORS})
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status:
    segment = segment_create(actor=actor_of(request), values=payload.model_dump())
    return Status(201, _out(request, segment))


@router.get("/segments/{segment_id}", response={200: SegmentOut, **OBJECT_ERRORS})
def get_segment(request: HttpRequest, segment_id: PathId) -> dict[str, Any]:
    return _out(request, _segment(request, segment_id))


@router.put("/segments/{segment_id}", response={200: SegmentOut, **WRITE_ERRORS})
def replace_segment(request: HttpRequest, segment_id: PathId, payload: SegmentIn) -> dict[str, Any]:
    segment = segment_update(actor=actor_of(request), segment=_segment(request, segment_id), values=payload.model_dump())
    return _out(request, segment)


@router.delete("/segments/{segment_id}", response={204: None, **OBJECT_ERRORS})
def delete_segment(request: HttpRequest, segment_id: PathId) -> Status:
    segment_delete(actor=actor_of(request), segment=_segment(request, segment_id))
    return Status(204, None)


@router.get("/segments/{segment_id}/members", response={200: CustomerPage, **OBJECT_ERRORS})
def list_members(request: HttpRequest, segment_id: PathId, query: Query[MemberQuery]) -> dict[str, Any]:
    customers = members(viewer=actor_of(request), segment=_segment(request, segment_id), purpose=query.purpose)
    customers = customers.prefetch_related("tags", "contact_points")
    count = count_at_most(customers, COUNT_CAP)
    exact = count <= COUNT_CAP
    rows = list(customers[query.offset : query.offset + query.limit + 1]) if not exact or query.offset < count else []
    return {
        "count": count, "count_exact": exact, "has_more": len(rows) > query.limit, "limit": query.limit,
        "offset": query.offset, "items": [present.customer_row(c) for c in rows[: query.limit]],
    }


@router.get("/segments/{segment_id}/export", response={200: str, **OBJECT_ERRORS},
            openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with BOM)",
                                               "content": {"text/csv": {"schema": {"type": "string"}}}}}})
def export_members(request: HttpRequest, segment_id: PathId, query: Query[ExportQuery]) -> StreamingHttpResponse:
    actor = actor_of(request)
    if not may_export_customers(actor):
        raise PermissionDenied(_("Your role cannot export customer lists."))
    ratelimit.hit_for_user(ratelimit.EXPORT, actor)
    return export_response(actor, _segment(request, segment_id), query.purpose, via="api")
