"""Forms for communications and for filtering the customer timeline."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User
from kehu.customers.models import Customer
from kehu.interactions.models import Channel, Direction, Interaction
from kehu.timeline.sources import SOURCES
from kehu.web.forms.widgets import DateInput, field_from_model

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (`datetime-local` sends `YYYY-MM-DDTHH:MM`)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def now_local() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def datetime_field(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(label=capfirst(label), widget=DateTimeInput(), **kwargs)


class InteractionForm(forms.Form):
    """Quick-log (and edit) a communication: the few fields of a phone call first."""

    QUICK = ("channel", "direction", "occurred_at", "content", "outcome", "next_step", "next_contact_on")
    MORE = ("subject", "duration_minutes", "customer_needs")

    def __init__(
        self, *args: Any, people: list[Customer] | None = None, staff: list[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in self.QUICK + self.MORE:
            self.fields[name] = field_from_model(Interaction, name)
        self.fields["occurred_at"] = datetime_field(Interaction._meta.get_field("occurred_at").verbose_name)
        self.fields["channel"].initial = Channel.PHONE
        self.fields["direction"].initial = Direction.OUTBOUND
        self.fields["content"].widget.attrs.update(rows=3, placeholder=_("What was said? (Ctrl+Enter saves)"))
        self.fields["customer_needs"].widget.attrs.update(rows=2)
        self.fields["next_step"].widget.attrs.update(placeholder=_("e.g. send the quotation"))
        if people:
            self.fields["people"] = forms.ModelMultipleChoiceField(
                label=_("Their people involved"), required=False, widget=forms.CheckboxSelectMultiple,
                queryset=Customer.objects.filter(pk__in=[p.pk for p in people]),
            )
            # Labels from the list already loaded: no query per checkbox.
            self.fields["people"].choices = [(p.pk, p.name) for p in people]
        if staff is not None:
            # Editing only: who of our staff took part (a new communication is logged by its author).
            self.fields["staff"] = forms.ModelMultipleChoiceField(
                label=_("Staff who took part"), widget=forms.CheckboxSelectMultiple,
                queryset=User.objects.filter(pk__in=[u.pk for u in staff]),
                error_messages={"required": _("At least one member of staff took part.")},
            )
            self.fields["staff"].choices = [(u.pk, str(u)) for u in staff]

    def participant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("staff", "people") if name in self.fields]

    def quick_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.QUICK if name != "content"]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in self.QUICK + self.MORE}


KIND_CHOICES = [(source.kind, source.label) for source in SOURCES]


class TimelineFilterForm(forms.Form):
    """Which kinds of event and which dates the timeline shows. Unknown kinds are an error, not a 500."""

    kind = forms.MultipleChoiceField(
        label=_("Show"), choices=KIND_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    cursor = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """Local midnight of the first day and of the day after the last: `until` is inclusive."""
        data = self.cleaned_data
        tz = timezone.get_current_timezone()

        def midnight(day: datetime.date) -> datetime.datetime:
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

        since = midnight(data["since"]) if data.get("since") else None
        until = midnight(data["until"] + datetime.timedelta(days=1)) if data.get("until") else None
        return since, until

    def query(self, **extra: Any) -> str:
        """The filter as a query string, for the "load more" link."""
        query = QueryDict(mutable=True)
        if self.is_bound and self.is_valid():
            data = self.cleaned_data
            query.setlist("kind", data.get("kind") or [])
            for name in ("since", "until"):
                if data.get(name):
                    query[name] = data[name].isoformat()
        for key, value in extra.items():
            if value:
                query[key] = value
        return query.urlencode()
