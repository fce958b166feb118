"""After-sales service records (售后): in and out."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import Id, InputSchema, JsonDate, JsonDateTime, Page, PositiveMoney, choice, text
from kehu.api.schemas.customers import UserRef
from kehu.service.models import ServiceKind, ServiceStatus

ServiceKindValue = choice(ServiceKind)
ServiceStatusValue = choice(ServiceStatus)


class OrderRef(Schema):
    id: int
    number: str


class ServiceRecordIn(InputSchema):
    kind: ServiceKindValue
    status: ServiceStatusValue = "open"
    order_id: Id | None = Field(None, description="The order of this customer the service is about.")
    product: text(200) = ""
    problem: text(4000, min_length=1)
    diagnosis: text(4000) = ""
    parts: text(500) = ""
    technician_id: Id | None = None
    reported_at: JsonDateTime | None = Field(None, description="Leave out for now. Without an offset: local time.")
    completed_on: JsonDate | None = None
    cost: PositiveMoney | None = None
    result: text(4000) = ""


class ServiceRecordPatch(InputSchema):
    """Only the keys sent change. null clears an optional field."""

    kind: ServiceKindValue = None
    status: ServiceStatusValue = None
    order_id: Id | None = None
    product: text(200) | None = None
    problem: text(4000, min_length=1) = None
    diagnosis: text(4000) | None = None
    parts: text(500) | None = None
    technician_id: Id | None = None
    reported_at: JsonDateTime = None
    completed_on: JsonDate | None = None
    cost: PositiveMoney | None = None
    result: text(4000) | None = None


class ServiceRecordOut(Schema):
    id: int
    kind: ServiceKindValue
    status: ServiceStatusValue
    order: OrderRef | None
    product: str
    problem: str
    diagnosis: str
    parts: str
    technician: UserRef | None
    reported_at: datetime.datetime
    completed_on: datetime.date | None
    cost: Decimal | None
    result: str
    created_at: datetime.datetime


class ServiceRecordPage(Page[ServiceRecordOut]):
    pass
