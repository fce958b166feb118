"""Form-field helpers shared by the web forms."""

from __future__ import annotations

from django import forms
from django.db import models


class DateInput(forms.DateInput):
    """A native date picker; ISO format is what `<input type=date>` sends and expects."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def field_from_model(model: type[models.Model], name: str, **overrides) -> forms.Field:
    """The model field's own form field (label, choices, validators), with web-friendly widgets."""
    model_field = model._meta.get_field(name)
    if isinstance(model_field, models.URLField):
        overrides.setdefault("assume_scheme", "https")  # people type "example.com"
    field = model_field.formfield(**overrides)
    assert field is not None
    if isinstance(field, forms.DateField):
        field.widget = DateInput()
    elif isinstance(field.widget, forms.Textarea):
        field.widget.attrs.update(rows=3)
    return field
