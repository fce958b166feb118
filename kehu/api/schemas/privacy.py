"""Consent, data-subject requests, the access export and revealing sensitive fields."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import InputSchema, JsonBool, Page, PageQuery, choice, text
from kehu.api.schemas.customers import UserRef
from kehu.customers.models.consent import ConsentChannel, ConsentPurpose
from kehu.privacy.masking import sensitive_fields
from kehu.privacy.models import RequestKind, RequestStatus

PurposeValue = choice(ConsentPurpose)
SensitiveField = Literal[tuple(dict.fromkeys(sensitive_fields("person") + sensitive_fields("organization")))]


class ConsentIn(InputSchema):
    purpose: PurposeValue = Field(description="An active consent to the same purpose is replaced.")
    notice_version: text(40, min_length=1) = Field(description="The version of the privacy notice agreed to.")
    channel: choice(ConsentChannel)
    guardian_name: text(100) = Field("", description="Required when the person is under 14.")
    evidence: text(300) = Field("", description="Where the signed form is kept, …")


class ConsentOut(Schema):
    id: int
    purpose: PurposeValue
    notice_version: str
    channel: choice(ConsentChannel)
    granted_at: datetime.datetime
    guardian_name: str
    evidence: str
    withdrawn_at: datetime.datetime | None
    active: bool
    recorded_by: UserRef | None


class SubjectRequestIn(InputSchema):
    kind: choice(RequestKind)
    details: text(1000) = ""


class SubjectRequestClose(InputSchema):
    outcome: text(1000, min_length=1) = Field(description="What was done, or why the request is rejected.")
    rejected: JsonBool = Field(False, description="Closing a deletion request (not rejected) anonymises the customer.")


class SubjectRequestOut(Schema):
    id: int
    customer_id: int
    kind: choice(RequestKind)
    status: choice(RequestStatus)
    received_at: datetime.datetime
    due_on: datetime.date = Field(description="The legal deadline to answer.")
    overdue: bool = Field(description="Still open after the due date.")
    details: str
    outcome: str
    closed_at: datetime.datetime | None
    recorded_by: UserRef | None


class SubjectRequestPage(Page[SubjectRequestOut]):
    pass


class SubjectRequestQuery(PageQuery):
    status: choice(RequestStatus) | None = None
    overdue: bool | None = Field(None, description="true: only open requests past their due date.")


class RevealIn(InputSchema):
    fields: Annotated[list[SensitiveField], Field(min_length=1, max_length=20)]
    reason: text(300) = Field(description="Why you need to see them; recorded in the audit log.")


class RevealOut(Schema):
    values: dict[str, str] = Field(description="field → plaintext (\"\" when not filled in).")
    expires_at: datetime.datetime = Field(description="Show the values until then; reveal again after.")
