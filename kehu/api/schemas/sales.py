"""The catalogue and orders: in and out."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import (
    Id,
    InputSchema,
    JsonBool,
    JsonDate,
    JsonDateTime,
    Money,
    Page,
    PageQuery,
    PositiveMoney,
    choice,
    decimal,
    text,
)
from kehu.api.schemas.customers import UserRef
from kehu.sales.choices import OrderChannel, OrderStatus, PaymentMethod

OrderChannelValue = choice(OrderChannel)
PaymentMethodValue = choice(PaymentMethod)
OrderStatusValue = choice(OrderStatus)
Quantity = decimal(12, 3)
Currency = Annotated[text(3), Field(description="ISO 4217 code; the archive keeps one currency (CNY unless configured).")]
MAX_LINES = 200


# --- catalogue --------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    active: bool


class ProductIn(InputSchema):
    sku: text(64, min_length=1)
    name: text(200, min_length=1)
    category: text(100) = ""
    price: PositiveMoney
    active: JsonBool = True


class ProductPatch(InputSchema):
    sku: text(64, min_length=1) = None
    name: text(200, min_length=1) = None
    category: text(100) | None = None
    price: PositiveMoney = None
    active: JsonBool = None


class ProductQuery(PageQuery):
    q: text(100) = Field("", description="Part of the SKU or name.")
    category: text(100) = ""
    active: bool | None = Field(None, description="Leave out for all; true for what can be sold.")


class ProductPage(Page[ProductOut]):
    pass


# --- orders ------------------------------------------------------------------------


class OrderLineIn(InputSchema):
    product_id: Id | None = Field(None, description="A catalogue product: fills name, category and price.")
    product_name: text(200) = Field("", description="Required unless product_id is given.")
    category: text(100) = ""
    quantity: Quantity = Field(Decimal(1), description="More than zero; up to 3 decimal places.")
    unit_price: PositiveMoney | None = Field(None, description="Leave out to take the product's price.")
    discount: PositiveMoney = Field(Decimal(0), description="Amount taken off this line.")


class OrderIn(InputSchema):
    number: text(64, min_length=1) = Field(description="Unique; also the number of the order's receivable.")
    ordered_at: JsonDateTime | None = Field(None, description="Leave out for now. Without an offset: local time.")
    channel: OrderChannelValue
    payment_method: choice(PaymentMethod, blank=True) = ""
    currency: Currency = "CNY"
    salesperson_id: Id | None = Field(None, description="Leave out for yourself.")
    notes: text(1000) = ""
    paid_in_full: JsonBool = Field(False, description="Also record a payment of the whole total at the order time.")
    due_on: JsonDate | None = Field(None, description="When the total is due; default: the customer's payment terms.")
    lines: Annotated[list[OrderLineIn], Field(max_length=MAX_LINES)]


class OrderLineOut(Schema):
    id: int
    product_id: int | None
    product_name: str
    category: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    line_total: Decimal


class OrderOut(Schema):
    id: int
    number: str
    ordered_at: datetime.datetime
    channel: OrderChannelValue
    payment_method: choice(PaymentMethod, blank=True)
    status: OrderStatusValue
    currency: str
    total: Decimal
    refunded_amount: Decimal
    net_amount: Decimal = Field(description="total − refunded_amount.")
    outstanding: Decimal = Field(description="Still to be paid on this order.")
    due_on: datetime.date | None
    salesperson: UserRef | None
    notes: str
    created_at: datetime.datetime
    lines: list[OrderLineOut]


class OrderPage(Page[OrderOut]):
    pass


class OrderQuery(PageQuery):
    status: OrderStatusValue | None = None


class RefundIn(InputSchema):
    amount: Money | None = Field(None, description="Leave out to refund everything not yet refunded.")
    reason: text(500) = ""


class CancelIn(InputSchema):
    reason: text(500) = ""
