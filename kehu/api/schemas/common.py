"""Building blocks shared by every schema: bounded text, ids, the error shape, pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from annotated_types import Interval
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

# Databases store ids as signed 64-bit integers; anything larger can never exist, and
# SQLite raises OverflowError on it, so the schema rules it out before the query.
MAX_ID = 2**63 - 1
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]

# PostgreSQL cannot store NUL characters and would answer with a 500; saying so in the
# schema lets clients (and schema-driven fuzzers) know the rule instead of guessing.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, min_length: int = 0, pattern: str = NO_NUL, strip: bool = False) -> Any:
    """A string type bounded like the model field it fills."""
    return Annotated[
        str,
        StringConstraints(
            max_length=max_length, min_length=min_length or None, pattern=pattern, strip_whitespace=strip or None
        ),
    ]




# Request bodies are JSON, and their schema says which JSON type each field is. pydantic's
# lax mode would also take `true` for 1, `0` for a date (the Unix epoch) and "12" for 12;
# these validators hold bodies to the documented types (query strings stay lax: they are
# all text). A float with no fraction is still an integer, as JSON Schema says.
def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str) or (isinstance(value, float) and not value.is_integer()):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return int(value) if isinstance(value, float) else value


def _json_date(value: Any) -> Any:
    if not isinstance(value, str | datetime.date):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


def _json_datetime(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970: a JSON date/time is a string.
    if not isinstance(value, str | datetime.datetime):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime")
    return value


def _aware(value: datetime.datetime) -> datetime.datetime:
    """Naive times are in the archive's time zone; a time that has no UTC equivalent
    (0001-01-01T00:00+08:00) cannot be stored, and would otherwise fail in the database."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValueError(_("Enter a valid date/time.")) from None
    return value


def _json_number(value: Any) -> Any:
    # A JSON number or a numeric string ("12.50", exact); never true/false.
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise PydanticCustomError("decimal_type", "Decimal input should be a number or a string")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
JsonDate = Annotated[datetime.date, BeforeValidator(_json_date)]
JsonDateTime = Annotated[datetime.datetime, BeforeValidator(_json_datetime), AfterValidator(_aware)]
JsonBool = StrictBool


def decimal(max_digits: int, decimal_places: int, *, ge: Any = None) -> Any:
    """A decimal bounded like its column; JSON numbers or numeric strings."""
    constraints: dict[str, Any] = {"max_digits": max_digits, "decimal_places": decimal_places}
    if ge is not None:
        constraints["ge"] = ge
    return Annotated[Decimal, BeforeValidator(_json_number), Field(**constraints)]


# Amounts: `kehu.sales.models.money` columns (14 digits, 2 places).
Money = decimal(14, 2)
PositiveMoney = decimal(14, 2, ge=0)


def int_between(low: int | None, high: int | None) -> Any:
    # Bounds before the validator: placed after it, pydantic still enforces them but writes
    # them into the JSON schema as "ge"/"le" instead of minimum/maximum.
    return Annotated[int, Interval(ge=low, le=high), BeforeValidator(_json_integer)]


Id = int_between(1, MAX_ID)


# The customer number's rule (`Customer.number`), here so the schema documents it; "" means
# "give me the next KH… number".
CUSTOMER_NUMBER = r"^([A-Za-z0-9][A-Za-z0-9_-]*)?$"
CUSTOM_FIELD_KEY = r"^[a-z][a-z0-9_]*$"


class InputSchema(Schema):
    """Request bodies reject unknown keys: a typo must not be silently dropped."""

    model_config = ConfigDict(extra="forbid")


def choice(choices: type[models.TextChoices], *, blank: bool = False) -> Any:
    """A Literal of a TextChoices' stored values, so OpenAPI shows an enum."""
    values = tuple(str(value) for value in choices.values if value != "")
    return Literal[("",) + values] if blank else Literal[values]


class FieldError(Schema):
    field: str | None = Field(
        description="Dotted path of the offending input (`profile.birthday`, `contact_points.0.value`); "
        "null when the error is about the request as a whole."
    )
    message: str


class ErrorOut(Schema):
    """Every 4xx answer has this shape."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


ItemT = TypeVar("ItemT")


class Page(Schema, Generic[ItemT]):
    count: int = Field(description="Number of matching rows, over all pages.")
    limit: int
    offset: int
    items: list[ItemT]


MAX_LIMIT = 200


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_ID)


# Documented on every authenticated operation so clients (and schemathesis) know them.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
OBJECT_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 404: ErrorOut}
# Routes under a per-user rate limit also answer 429, with a Retry-After header.
LIMITED_ERRORS: dict[int, type[Schema]] = {**OBJECT_ERRORS, 429: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**OBJECT_ERRORS, 409: ErrorOut}


# Path ids: the same bounds as `Id`, read from the URL.
PathId = Path[int, {"ge": 1, "le": MAX_ID}]
