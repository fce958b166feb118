"""Forms of the insights pages: a manual tier override, and the tier rules as JSON."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kehu.insights.models import Tier, TierOverride
from kehu.web.forms.activity import datetime_field


class _CachedChoices(forms.models.ModelChoiceIterator):
    """Choices from the rows the field's queryset already holds. The stock iterator asks
    the database on every pass (on PostgreSQL through a server-side cursor), and a page
    passes over the choices more than once."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # a fetched queryset iterates its cache
            yield self.choice(obj)


class _TierChoiceField(forms.ModelChoiceField):
    iterator = _CachedChoices


class TierOverrideForm(forms.Form):
    """Put a customer in a tier by hand. The service re-checks everything (active tier,
    reason, expiry in the future); the form only turns the posted text into values."""

    tier = _TierChoiceField(
        label=_("Tier"), queryset=Tier.objects.none(), empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the active tiers."),
                        "required": _("Choose one of the active tiers.")},
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=TierOverride._meta.get_field("reason").max_length,
        error_messages={"required": _("Say why this customer's tier is set by hand.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. strategic account agreed with the branch")}),
    )
    expires_at = datetime_field(_("Expires"), required=False, help_text=_("Empty: until ended."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tier"]
        field.queryset = Tier.objects.filter(active=True).order_by("position", "id")
        list(field.queryset)  # one query for the choices, whatever reads them

    def clean_expires_at(self) -> Any:
        # The service says the same; checked here too so a missing reason and a past
        # expiry are reported together.
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(gettext("The override must end in the future."))
        return value


class TierRulesForm(forms.Form):
    """The ordered tier list as the JSON `tiers_define` takes (a list, highest tier first)."""

    rules = forms.CharField(
        label=_("Tier rules (JSON)"), widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "mono"}),
        error_messages={"required": _("Give the tiers as a list, highest first.")},
    )

    def clean_rules(self) -> Any:
        text = self.cleaned_data["rules"]
        try:
            value = json.loads(text)
        except ValueError as error:
            line, column = getattr(error, "lineno", 0), getattr(error, "colno", 0)
            raise forms.ValidationError(
                gettext("This is not valid JSON (line %(line)s, column %(column)s).") % {"line": line, "column": column}
            ) from None
        # {"tiers": [...]} (what the API takes) is accepted as well as the bare list.
        if isinstance(value, dict) and set(value) == {"tiers"}:
            value = value["tiers"]
        return value


def rules_as_json(tiers: list[Tier]) -> str:
    """The active tiers in the form's format, ready to edit."""
    return json.dumps(
        [{"name": t.name, "match": t.match, "conditions": t.conditions, "description": t.description, "color": t.color}
         for t in tiers],
        ensure_ascii=False, indent=2,
    )
