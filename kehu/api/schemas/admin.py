"""Custom field definitions and API tokens."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import InputSchema, choice, text
from kehu.customers import choices

FieldTypeValue = choice(choices.CustomFieldType)
AppliesToValue = choice(choices.AppliesTo)
Choices = Annotated[list[text(100, min_length=1)], Field(max_length=100)]
Position = Annotated[int, Field(ge=0, le=32767)]


class CustomFieldOut(Schema):
    id: int
    key: str = Field(description="The key of the value in a customer's `custom_fields`.")
    label: str
    field_type: FieldTypeValue
    applies_to: AppliesToValue
    choices: list[str]
    required: bool
    position: int
    active: bool


class CustomFieldIn(InputSchema):
    key: text(40, min_length=1) = Field(description="Lower-case letters, digits and _; starts with a letter.")
    label: text(100, min_length=1)
    field_type: FieldTypeValue
    applies_to: AppliesToValue = "all"
    choices: Choices = Field([], description="For choice and multi_choice fields.")
    required: bool = False
    position: Position = 0
    active: bool = True


class CustomFieldPatch(InputSchema):
    """`key` and `field_type` cannot change; sending a different value is a 422."""

    key: text(40, min_length=1) | None = None
    label: text(100, min_length=1) | None = None
    field_type: FieldTypeValue | None = None
    applies_to: AppliesToValue | None = None
    choices: Choices | None = None
    required: bool | None = None
    position: Position | None = None
    active: bool | None = None


class TokenIn(InputSchema):
    name: text(100, min_length=1) = Field(description="What the token is for, e.g. “nightly import”.")


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(Schema):
    token: TokenOut
    secret: str = Field(description="Send as `Authorization: Bearer <secret>`. Shown only this once.")
