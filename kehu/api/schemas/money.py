"""Receivables, ageing, payments, credit incidents and the consumption profile."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import (
    Id,
    InputSchema,
    JsonDate,
    JsonDateTime,
    Money,
    Page,
    PageQuery,
    choice,
    text,
)
from kehu.api.schemas.customers import UserRef
from kehu.api.schemas.sales import Currency
from kehu.sales.choices import AGEING_BUCKETS, PaymentMethod

AgeingKey = Literal[tuple(key for key, *_rest in AGEING_BUCKETS)]
MAX_ALLOCATIONS = 100


class ReceivableIn(InputSchema):
    number: text(64, min_length=1) = Field(description="Invoice number, unique.")
    amount: Money
    issued_on: JsonDate
    due_on: JsonDate
    description: text(500) = ""


class ReceivableOut(Schema):
    id: int
    number: str
    order_id: int | None
    amount: Decimal
    credited_amount: Decimal = Field(description="Taken off by refunds of the order.")
    paid_amount: Decimal
    outstanding: Decimal
    issued_on: datetime.date
    due_on: datetime.date
    days_overdue: int = Field(description="Days past the due date while something is outstanding; else 0.")
    description: str
    cancelled: bool


class ReceivablePage(Page[ReceivableOut]):
    pass


class ReceivableQuery(PageQuery):
    state: Literal["open", "all"] = Field("open", description="open: only what still has money outstanding.")


class AgeingBucketOut(Schema):
    key: AgeingKey
    label: str
    amount: Decimal


class AgeingOut(Schema):
    as_of: datetime.date
    total: Decimal
    buckets: list[AgeingBucketOut] = Field(description="Outstanding by days past due: current, 1–30, 31–60, 61–90, 90+.")


class AllocationIn(InputSchema):
    receivable_id: Id
    amount: Money


class PaymentIn(InputSchema):
    amount: Money
    received_at: JsonDateTime | None = Field(None, description="Leave out for now. Without an offset: local time.")
    method: choice(PaymentMethod)
    currency: Currency = "CNY"
    reference: text(100) = Field("", description="Bank or receipt reference; unique per customer.")
    allocations: Annotated[list[AllocationIn], Field(max_length=MAX_ALLOCATIONS)] | None = Field(
        None, description="Which open receivables it pays, adding up to the amount; leave out for oldest due first."
    )


class AllocationOut(Schema):
    receivable_id: int
    receivable_number: str
    amount: Decimal


class PaymentOut(Schema):
    id: int
    received_at: datetime.datetime
    amount: Decimal
    currency: str
    method: choice(PaymentMethod)
    reference: str
    recorded_by: UserRef | None
    allocations: list[AllocationOut]


class PaymentPage(Page[PaymentOut]):
    pass


class CreditIncidentIn(InputSchema):
    occurred_on: JsonDate
    description: text(1000, min_length=1)
    amount: Money | None = None


class CreditIncidentOut(Schema):
    id: int
    occurred_on: datetime.date
    description: str
    amount: Decimal | None
    recorded_by: UserRef | None


class ConsumptionOut(Schema):
    """Derived from the orders and receivables; kept up to date with each of them."""

    first_order_at: datetime.datetime | None
    last_order_at: datetime.datetime | None
    order_count: int
    total_spend: Decimal = Field(description="Net of refunds; cancelled and refunded orders excluded.")
    average_order_value: Decimal
    spend_last_12_months: Decimal
    favourite_categories: list[str]
    favourite_channels: list[str]
    usual_weekday: int | None = Field(description="1 = Monday … 7 = Sunday.")
    usual_hour: int | None
    usual_season: str
    average_days_between_orders: float | None
    outstanding_balance: Decimal
    overdue_balance: Decimal
    updated_at: datetime.datetime | None
