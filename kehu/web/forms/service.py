"""The after-sales service record form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User
from kehu.sales.models import Order
from kehu.service.models import ServiceRecord
from kehu.web.forms.activity import datetime_field
from kehu.web.forms.widgets import field_from_model

FIELDS = ("kind", "status", "product", "problem", "diagnosis", "parts", "completed_on", "cost", "result")
RECENT_ORDERS = 50


class ServiceRecordForm(forms.Form):
    def __init__(self, *args: Any, orders: list[Order] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FIELDS:
            self.fields[name] = field_from_model(ServiceRecord, name)
        self.fields["reported_at"] = datetime_field(_("Reported at"))
        self.fields["order"] = forms.ModelChoiceField(
            label=_("Order"), required=False, queryset=Order.objects.none(),
        )
        orders = orders or []
        self.fields["order"].queryset = Order.objects.filter(pk__in=[o.pk for o in orders])
        self.fields["order"].choices = [("", "—"), *[(o.pk, f"{o.number} · {o.ordered_at:%Y-%m-%d}") for o in orders]]
        self.fields["technician"] = forms.ModelChoiceField(
            label=_("Technician"), required=False,
            queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        )
        self.order_fields(["kind", "status", "reported_at", "order", "product", "technician", "problem", "diagnosis",
                           "parts", "cost", "completed_on", "result"])

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
