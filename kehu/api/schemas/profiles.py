"""Profile schemas, generated from the model fields listed in `kehu.customers.sections`.

Generating them keeps the API in step with the sections (one list of fields drives
forms, completeness and this), and carries each column's limits into the OpenAPI
document: enums as string enums, lengths, numeric ranges, decimal precision.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from kehu.api.schemas.common import JsonBool, JsonDate, int_between, text
from kehu.customers.models import OrganizationProfile, PersonProfile
from kehu.customers.sections import DataClass, sections_for

_MODELS: dict[str, type[models.Model]] = {"person": PersonProfile, "organization": OrganizationProfile}


def _bounds(field: models.Field) -> dict[str, Any]:
    """ge/le from the field's validators and from the column's own range."""
    # The portable column ranges, not the connected backend's: SQLite reports none, and the
    # OpenAPI document must not depend on the database it happens to run on.
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (None, None))
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return {key: value for key, value in (("ge", low), ("le", high)) if value is not None}


def _annotation(field: models.Field, *, for_input: bool, sensitive: bool = False) -> Any:
    """The Python type of one profile column, as sent (input) or as returned."""
    help_text = str(field.verbose_name)
    if sensitive and not for_input:
        # Returned masked (`******`, `110***********002X`), so not one of the field's values.
        return str, help_text + " — sensitive: masked; POST /api/customers/{id}/reveal for the value."
    if field.choices:
        values = tuple(str(value) for value, _label in field.choices if value != "")
        # "" means "not filled in", as in the forms; the input also accepts null for it.
        kind: Any = Literal[("",) + values] if field.blank else Literal[values]
        return (kind | None if for_input or field.null else kind), help_text
    if isinstance(field, models.DateField):
        kind = JsonDate if for_input else datetime.date
    elif isinstance(field, models.IntegerField):
        bounds = _bounds(field)
        kind = int_between(bounds.get("ge"), bounds.get("le")) if for_input else int
    elif isinstance(field, models.DecimalField):
        minimum = _bounds(field).get("ge")
        constraints = {"max_digits": field.max_digits, "decimal_places": field.decimal_places}
        if minimum is not None:
            constraints["ge"] = minimum
        kind = Annotated[Decimal, Field(**constraints)] if for_input else Decimal
    elif isinstance(field, models.BooleanField):
        kind = JsonBool if for_input else bool
    else:
        kind = text(field.max_length or 4000) if for_input else str
    nullable = for_input or field.null
    return (kind | None if nullable else kind), help_text


def _schema(name: str, kinds: tuple[str, ...], *, for_input: bool, doc: str) -> type[Schema]:
    fields: dict[str, Any] = {}
    for kind in kinds:
        model = _MODELS[kind]
        for section in sections_for(kind):
            for field in section.fields:
                field_name = field.name
                annotation, help_text = _annotation(
                    model._meta.get_field(field_name), for_input=for_input,
                    sensitive=field.data_class == DataClass.SENSITIVE,
                )
                default = None if for_input else ...
                fields.setdefault(field_name, (annotation, Field(default, description=help_text)))
    config = ConfigDict(extra="forbid") if for_input else ConfigDict(from_attributes=True)
    model = create_model(name, __base__=Schema, **fields)
    model.model_config.update(config)
    model.model_rebuild(force=True)
    model.__doc__ = doc
    return model


PersonProfileOut = _schema(
    "PersonProfileOut", ("person",), for_input=False, doc="Profile sections of a person, flattened."
)
OrganizationProfileOut = _schema(
    "OrganizationProfileOut", ("organization",), for_input=False, doc="Profile sections of an organisation, flattened."
)
ProfileIn = _schema(
    "ProfileIn",
    ("person", "organization"),
    for_input=True,
    doc="Profile fields to set. Only the fields of the customer's kind are accepted (see PersonProfileOut "
    "and OrganizationProfileOut); fields left out are not changed; null clears a field.",
)
