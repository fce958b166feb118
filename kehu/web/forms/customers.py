"""Forms of a customer file: top fields, profile sections, custom fields, first contacts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_assign_owner
from kehu.customers.models import Customer, CustomFieldDefinition, OrganizationProfile, PersonProfile
from kehu.customers.sections import DataClass, Section, sections_for
from kehu.customers.services.custom_fields import TEXT_MAX_LENGTH
from kehu.privacy.masking import mask
from kehu.web.forms.widgets import DateInput, field_from_model

# Chinese users type full-width commas and 、 as often as ASCII commas.
TAG_SEPARATORS = re.compile(r"[,，、;；]")

# Fields normalised by the service (spaces, dashes, lower case) may be typed longer
# than they are stored.
LOOSE_TEXT_FIELDS = {"credit_code": 40, "phone": 40}


class CustomerForm(forms.Form):
    """The top of a file: who it is, who owns it, where the information came from."""

    def __init__(self, *args: Any, actor: User, customer: Customer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = field_from_model(Customer, "name")
        self.fields["number"] = field_from_model(
            Customer, "number", required=customer is not None,
            help_text=_("Leave empty to get the next number (KH…).") if customer is None else "",
        )
        self.fields["status"] = field_from_model(Customer, "status")
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("Owner"), queryset=_owner_choices(actor, customer), required=False,
            empty_label=_("— Pool (公海) —"),
        )
        self.fields["source_channel"] = field_from_model(Customer, "source_channel")
        self.fields["source_detail"] = field_from_model(Customer, "source_detail")
        self.fields["last_verified_on"] = field_from_model(Customer, "last_verified_on")
        self.fields["tags"] = forms.CharField(
            label=_("Tags"), required=False, max_length=1000, help_text=_("Separate tags with commas.")
        )
        self.fields["notes"] = field_from_model(Customer, "notes")
        self.fields["notes"].widget.attrs.update(rows=3)

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in TAG_SEPARATORS.split(self.cleaned_data.get("tags") or "") if t.strip()]

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        data = model_to_dict(
            customer,
            fields=["name", "number", "status", "owner", "source_channel", "source_detail", "last_verified_on", "notes"],
        )
        data["tags"] = ", ".join(tag.name for tag in customer.tags.all())
        return data


def _owner_choices(actor: User, customer: Customer | None) -> QuerySet[User]:
    """Managers hand a file to anyone; staff take it themselves or leave it in the pool."""
    if may_assign_owner(actor):
        return User.objects.filter(is_active=True).order_by("username")
    allowed = {actor.pk}
    if customer is not None and customer.owner_id is not None:
        allowed.add(customer.owner_id)  # keeping a teammate as owner must stay valid
    return User.objects.filter(pk__in=allowed).order_by("username")


@dataclass(frozen=True)
class SectionFields:
    section: Section
    fields: list[forms.BoundField]
    sensitive: frozenset[str]
    clears: dict[str, forms.BoundField]

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self.fields)

    @property
    def items(self) -> list[tuple[forms.BoundField, bool, forms.BoundField | None]]:
        """(field, sensitive?, its "clear" checkbox or None) in section order."""
        return [(f, f.name in self.sensitive, self.clears.get(f.name)) for f in self.fields]


CLEAR_PREFIX = "clear_"


class ProfileForm(forms.Form):
    """Every field of every profile section of one kind, built from `sections.py`.

    Sensitive fields never carry the stored value into the page: when editing, their
    input starts empty ("leave blank to keep"), and blanking a stored value takes the
    explicit "clear" checkbox next to it. `current` maps those fields to their masked
    values, shown as a hint.
    """

    def __init__(self, *args: Any, kind: str, current: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.editing = current is not None
        self.sensitive = {f.name for s in sections_for(kind) for f in s.fields if f.data_class == DataClass.SENSITIVE}
        model = PersonProfile if kind == "person" else OrganizationProfile
        for section in sections_for(kind):
            for spec in section.fields:
                if spec.name in LOOSE_TEXT_FIELDS:
                    label = model._meta.get_field(spec.name).verbose_name
                    field: forms.Field = forms.CharField(
                        label=str(label)[:1].upper() + str(label)[1:], required=False,
                        max_length=LOOSE_TEXT_FIELDS[spec.name],
                    )
                else:
                    field = field_from_model(model, spec.name)
                self.fields[spec.name] = field
                if self.editing and spec.name in self.sensitive:
                    shown = (current or {}).get(spec.name)
                    field.help_text = (
                        _("Stored: %(masked)s. Leave blank to keep the current value.") % {"masked": shown}
                        if shown else _("Leave blank to keep the current value.")
                    )
                    if shown:
                        self.fields[CLEAR_PREFIX + spec.name] = forms.BooleanField(
                            label=_("Clear the stored value"), required=False
                        )

    def sections(self) -> list[SectionFields]:
        return [
            SectionFields(
                section,
                [self[name] for name in section.field_names],
                frozenset(name for name in section.field_names if name in self.sensitive),
                {name: self[CLEAR_PREFIX + name] for name in section.field_names if CLEAR_PREFIX + name in self.fields},
            )
            for section in sections_for(self.kind)
        ]

    def profile_values(self) -> dict[str, Any]:
        """Cleaned profile values, without the "clear" checkboxes (for a new file)."""
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith(CLEAR_PREFIX)}

    def changed_values(self) -> dict[str, Any]:
        """What an edit writes: changed ordinary fields; a sensitive field only when typed
        into (new value) or when its "clear" box is ticked (blank)."""
        data = self.cleaned_data
        values = {
            name: data[name] for name in self.changed_data
            if not name.startswith(CLEAR_PREFIX) and name not in self.sensitive
        }
        for name in sorted(self.sensitive):
            if data.get(name) not in (None, ""):
                values[name] = data[name]
            elif data.get(CLEAR_PREFIX + name):
                values[name] = ""
        return values

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        """Stored values to pre-fill, sensitive ones left out (see the class docstring)."""
        profile = getattr(customer, "person" if customer.is_person else "organization", None)
        if profile is None:
            return {}
        names = [
            f.name for section in sections_for(customer.kind) for f in section.fields
            if f.data_class != DataClass.SENSITIVE
        ]
        return model_to_dict(profile, fields=names)

    @staticmethod
    def masked_for(customer: Customer) -> dict[str, str]:
        profile = getattr(customer, "person" if customer.is_person else "organization", None)
        names = [f.name for s in sections_for(customer.kind) for f in s.fields if f.data_class == DataClass.SENSITIVE]
        return {name: mask(name, getattr(profile, name, "")) for name in names} if profile is not None else {}


class CustomFieldsForm(forms.Form):
    """One input per active custom field definition that applies to the kind."""

    def __init__(self, *args: Any, definitions: list[CustomFieldDefinition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for definition in definitions:
            self.fields[definition.key] = _custom_field(definition)

    def values(self) -> dict[str, Any]:
        """Cleaned values as the service expects them; empty values clear the field."""
        values: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is not None and not isinstance(value, str | list):
                value = str(value)
            values[key] = value if value is not None else ""
        return values


def _custom_field(definition: CustomFieldDefinition) -> forms.Field:
    common = {"label": definition.label, "required": definition.required}
    kind = definition.field_type
    if kind == "number":
        return forms.DecimalField(**common, max_digits=20, decimal_places=6)
    if kind == "date":
        return forms.DateField(**common, widget=DateInput())
    choices = [(c, c) for c in definition.choices or []]
    if kind == "choice":
        return forms.ChoiceField(**common, choices=[("", "—"), *choices])
    if kind == "multi_choice":
        return forms.MultipleChoiceField(**common, choices=choices, widget=forms.CheckboxSelectMultiple)
    return forms.CharField(**common, max_length=TEXT_MAX_LENGTH)


class InitialContactForm(forms.Form):
    """The first mobile number and email of a new file (more are added on its page)."""

    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=40)
    email = forms.CharField(label=_("Email"), required=False, max_length=300)

    def contact_items(self) -> list[tuple[str, str, str]]:
        """(form field, contact type, value) for each filled-in contact, in service order."""
        items = []
        for field, type_ in (("mobile", "mobile"), ("email", "email")):
            value = (self.cleaned_data.get(field) or "").strip()
            if value:
                items.append((field, type_, value))
        return items
