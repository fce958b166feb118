"""Building blocks shared by every schema: bounded text, ids, the error shape, pages."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from annotated_types import Interval
from django.db import models
from ninja import Path, Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StringConstraints
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


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
JsonDate = Annotated[datetime.date, BeforeValidator(_json_date)]
JsonBool = StrictBool


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


# Documented on every authenticated operation so clients (and schemathesis) know them.
AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
OBJECT_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**OBJECT_ERRORS, 409: ErrorOut}


# Path ids: the same bounds as `Id`, read from the URL.
PathId = Path[int, {"ge": 1, "le": MAX_ID}]
