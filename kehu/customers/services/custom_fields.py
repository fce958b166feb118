"""Admin-defined custom fields: definitions and value validation."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure
from kehu.audit.services import audit, diff
from kehu.customers.models import CustomFieldDefinition
from kehu.customers.services.common import clean_or_collect, snapshot

TEXT_MAX_LENGTH = 1000


def definitions_for(kind: str) -> list[CustomFieldDefinition]:
    return [d for d in CustomFieldDefinition.objects.filter(active=True) if d.applies(kind)]


def _clean_value(definition: CustomFieldDefinition, value: Any) -> Any:
    kind = definition.field_type
    if kind == "text":
        if not isinstance(value, str | int | float):
            raise ValidationError(_("Enter text."))
        text = str(value).strip()
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError(_("At most %(n)d characters.") % {"n": TEXT_MAX_LENGTH})
        return text
    if kind == "number":
        if isinstance(value, bool):
            raise ValidationError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return float(number) if number != number.to_integral_value() else int(number)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "choice":
        if value not in definition.choices:
            raise ValidationError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(definition.choices)})
        return value
    if kind == "multi_choice":
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or any(v not in definition.choices for v in value):
            raise ValidationError(_("Choose among: %(choices)s.") % {"choices": ", ".join(definition.choices)})
        return list(dict.fromkeys(value))
    raise ValidationError(_("Unknown field type."))


def validate_custom_values(*, kind: str, values: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    """Clean `values` against the active definitions for `kind`; raise ValidationError per key."""
    definitions = {d.key: d for d in definitions_for(kind)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[key] = [_("Unknown custom field “%(key)s”.") % {"key": key}]
            continue
        if value in (None, "", []):
            continue
        try:
            cleaned[key] = _clean_value(definition, value)
        except ValidationError as error:
            errors[key] = error.messages
    if not partial:
        for key, definition in definitions.items():
            if definition.required and key not in cleaned and key not in errors:
                errors[key] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_choices(definition: CustomFieldDefinition, errors: dict[str, list[str]]) -> None:
    if definition.field_type in ("choice", "multi_choice"):
        choices = definition.choices
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
            errors.setdefault("choices", []).append(_("List at least one choice."))
        elif len(set(choices)) != len(choices):
            errors.setdefault("choices", []).append(_("Choices must be different from each other."))
    elif definition.choices:
        errors.setdefault("choices", []).append(_("Only choice fields have choices."))


def custom_field_define(*, actor: User, values: Mapping[str, Any]) -> CustomFieldDefinition:
    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers define custom fields."))
    definition = CustomFieldDefinition(**{k: v for k, v in values.items() if k in _EDITABLE})
    unknown = set(values) - set(_EDITABLE)
    errors: dict[str, list[str]] = {k: [_("Unknown field “%(field)s”.") % {"field": k}] for k in unknown}
    clean_or_collect(definition, errors)
    _check_choices(definition, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        definition.save()
        audit(actor=actor, action="custom_field.create", target=definition, changes=snapshot(definition))
    return definition


def custom_field_update(*, actor: User, definition: CustomFieldDefinition, values: Mapping[str, Any]):
    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers define custom fields."))
    before = snapshot(definition)
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key in ("key", "field_type"):
            if value != getattr(definition, key):
                errors.setdefault(key, []).append(_("The key and type of a field cannot change once it exists."))
        elif key in _EDITABLE:
            setattr(definition, key, value)
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    clean_or_collect(definition, errors)
    _check_choices(definition, errors)
    if errors:
        definition.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        definition.save()
        audit(actor=actor, action="custom_field.update", target=definition, changes=diff(before, snapshot(definition)))
    return definition


_EDITABLE = ("key", "label", "field_type", "applies_to", "choices", "required", "position", "active")
