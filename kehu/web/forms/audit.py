"""The audit log's filter controls (GET parameters)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.audit.selectors import AuditFilters


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, label=_("User"))
    action = forms.CharField(
        required=False, max_length=64, label=_("Action"),
        help_text=_("An action such as customer.update, or a prefix ending in a dot: customer."),
    )
    customer = forms.IntegerField(required=False, min_value=1, label=_("Customer file #"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> AuditFilters:
        """Call after is_valid(): the filters the form holds."""
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor") or "", action=data.get("action") or "", customer_id=data.get("customer"),
            since=data.get("since"), until=data.get("until"),
        )
