"""The segment form: name, description and up to ROWS conditions (field, operator, value)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.segments.conditions import FIELDS, OPERATORS

ROWS = 8


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choices = [("", "—")] + [(name, spec.label) for name, spec in FIELDS.items()]
        op_choices = [("", "—")] + list(OPERATORS.items())
        for row in range(ROWS):
            self.fields[f"field_{row}"] = forms.ChoiceField(label=_("Field"), choices=field_choices, required=False)
            self.fields[f"op_{row}"] = forms.ChoiceField(label=_("Operator"), choices=op_choices, required=False)
            self.fields[f"value_{row}"] = forms.CharField(label=_("Value"), max_length=100, required=False)

    @staticmethod
    def initial_for(segment) -> dict[str, Any]:
        initial: dict[str, Any] = {"name": segment.name, "description": segment.description}
        for row, condition in enumerate(segment.conditions[:ROWS]):
            initial |= {f"field_{row}": condition["field"], f"op_{row}": condition["op"],
                        f"value_{row}": condition["value"]}
        return initial

    def rows(self) -> list[tuple]:
        return [(self[f"field_{row}"], self[f"op_{row}"], self[f"value_{row}"]) for row in range(ROWS)]

    def values(self) -> dict[str, Any]:
        """What the service checks; rows left blank are not conditions."""
        data = self.cleaned_data
        conditions = [
            {"field": data[f"field_{row}"], "op": data[f"op_{row}"], "value": data[f"value_{row}"]}
            for row in range(ROWS)
            if data[f"field_{row}"] or data[f"op_{row}"] or data[f"value_{row}"]
        ]
        return {"name": data["name"], "description": data["description"], "conditions": conditions}
