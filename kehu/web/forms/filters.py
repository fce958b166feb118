"""The customer list's search, filter and sort controls (GET parameters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User
from kehu.customers.choices import CustomerKind, CustomerStatus
from kehu.customers.models import Tag
from kehu.customers.selectors import SORTS, CustomerFilters

SORT_LABELS = {
    "-created": _("Newest first"),
    "created": _("Oldest first"),
    "-updated": _("Recently updated"),
    "updated": _("Least recently updated"),
    "name": _("Name A–Z"),
    "-name": _("Name Z–A"),
    "number": _("Customer number"),
    "-completeness": _("Most complete"),
}

SCOPES = [("", _("All I can see")), ("mine", _("Mine")), ("pool", _("Pool (公海)")), ("owned", _("Owned"))]


class CustomerFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    kind = forms.ChoiceField(required=False, choices=[("", _("All kinds")), *CustomerKind.choices], label=_("Kind"))
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *CustomerStatus.choices], label=_("Status")
    )
    owner = forms.ModelChoiceField(
        required=False, queryset=User.objects.none(), empty_label=_("Any owner"), label=_("Owner")
    )
    tag = forms.ModelChoiceField(
        required=False, queryset=Tag.objects.none(), to_field_name="name", empty_label=_("Any tag"), label=_("Tag")
    )
    scope = forms.ChoiceField(required=False, choices=SCOPES, label=_("Scope"))
    sort = forms.ChoiceField(
        required=False, label=_("Sort"),
        # The selectors' default sort comes first, so an unset sort shows what is applied.
        choices=sorted(((key, SORT_LABELS.get(key, key)) for key in SORTS), key=lambda c: c[0] != "-created"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["tag"].queryset = Tag.objects.order_by("name")

    def filters(self) -> tuple[CustomerFilters, str]:
        """The filters to apply; an invalid parameter is ignored rather than failing the page."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        owner = data.get("owner")
        tag = data.get("tag")
        scope = data.get("scope") or ""
        filters = CustomerFilters(
            query=data.get("q") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            owner_id=owner.pk if owner else None,
            tag=tag.name if tag else "",
            mine=scope == "mine",
            in_pool=True if scope == "pool" else False if scope == "owned" else None,
        )
        return filters, data.get("sort") or "-created"
