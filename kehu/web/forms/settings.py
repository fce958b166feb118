"""Forms of the settings pages: custom field definitions and API tokens."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import TokenScope
from kehu.customers.models import CustomFieldDefinition
from kehu.web.forms.widgets import field_from_model

CHOICE_SEPARATORS = re.compile(r"[\n,，、]")


class CustomFieldDefinitionForm(forms.Form):
    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("key", "label", "field_type", "applies_to"):
            self.fields[name] = field_from_model(CustomFieldDefinition, name)
        self.fields["choices"] = forms.CharField(
            label=_("Choices"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("For choice fields: one choice per line (or separated by commas)."),
        )
        for name in ("required", "position", "active"):
            self.fields[name] = field_from_model(CustomFieldDefinition, name)
        if editing:
            # The key and type cannot change once values exist under them.
            self.fields["key"].disabled = True
            self.fields["field_type"].disabled = True

    def clean_choices(self) -> list[str]:
        raw = self.cleaned_data.get("choices") or ""
        return list(dict.fromkeys(c.strip() for c in CHOICE_SEPARATORS.split(raw) if c.strip()))

    @staticmethod
    def initial_for(definition: CustomFieldDefinition) -> dict[str, Any]:
        return {
            "key": definition.key, "label": definition.label, "field_type": definition.field_type,
            "applies_to": definition.applies_to, "choices": "\n".join(definition.choices or []),
            "required": definition.required, "position": definition.position, "active": definition.active,
        }


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year")), ("", _("Never"))]

    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What the token is for, e.g. “nightly import”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=TokenScope.choices, initial=[TokenScope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give a token only what its script needs."),
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRY_CHOICES, initial="90", required=False, coerce=int,
        empty_value=None,
    )
