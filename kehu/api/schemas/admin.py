"""Custom field definitions and API tokens."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from kehu.accounts.models import TokenScope
from kehu.accounts.services import MAX_TOKEN_DAYS
from kehu.api.schemas.common import CUSTOM_FIELD_KEY, InputSchema, JsonBool, choice, int_between, text
from kehu.customers import choices

FieldTypeValue = choice(choices.CustomFieldType)
AppliesToValue = choice(choices.AppliesTo)
Choices = Annotated[list[text(100, min_length=1)], Field(max_length=100)]
Position = int_between(0, 32767)
Key = text(40, min_length=1, pattern=CUSTOM_FIELD_KEY)


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
    key: Key = Field(description="Lower-case letters, digits and _; starts with a letter.")
    label: text(100, min_length=1)
    field_type: FieldTypeValue
    applies_to: AppliesToValue = "all"
    choices: Choices = Field([], description="For choice and multi_choice fields.")
    required: JsonBool = False
    position: Position = 0
    active: JsonBool = True


class CustomFieldPatch(InputSchema):
    """`key` and `field_type` cannot change; sending a different value is a 422."""

    key: Key = None
    label: text(100, min_length=1) = None
    field_type: FieldTypeValue = None
    applies_to: AppliesToValue = None
    choices: Choices = None
    required: JsonBool = None
    position: Position = None
    active: JsonBool = None


ScopeValue = choice(TokenScope)


class TokenIn(InputSchema):
    name: text(100, min_length=1) = Field(description="What the token is for, e.g. “nightly import”.")
    scopes: Annotated[list[ScopeValue], Field(min_length=1, max_length=4)] = Field(
        description="What the token may do: `read` (GET), `write` (create, change, delete, import), "
        "`export` (data-subject copies, revealing sensitive fields), `admin` (tokens, custom fields, "
        "two-factor resets). A token can only create tokens with scopes it has itself."
    )
    expires_in_days: int_between(1, MAX_TOKEN_DAYS) | None = Field(
        None, description="Days until the token stops working; omit or null for no expiry."
    )


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The first characters of the secret, to recognise it.")
    scopes: list[ScopeValue]
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(Schema):
    token: TokenOut
    secret: str = Field(description="Send as `Authorization: Bearer <secret>`. Shown only this once.")


class TwoFactorOut(Schema):
    enabled: bool = Field(description="Signing in needs a code from an authenticator app.")
    required: bool = Field(description="The user's role must use two-factor sign-in (administrators).")
    confirmed_at: datetime.datetime | None
    recovery_codes_left: int


class TwoFactorResetOut(Schema):
    user_id: int
    reset: bool = Field(description="False when the user had no authenticator to remove.")
