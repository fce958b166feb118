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

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self.fields)


class ProfileForm(forms.Form):
    """Every field of every profile section of one kind, built from `sections.py`."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
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

    def sections(self) -> list[SectionFields]:
        return [
            SectionFields(
                section,
                [self[name] for name in section.field_names],
                frozenset(f.name for f in section.fields if f.data_class == DataClass.SENSITIVE),
            )
            for section in sections_for(self.kind)
        ]

    @staticmethod
    def initial_for(customer: Customer) -> dict[str, Any]:
        profile = getattr(customer, "person" if customer.is_person else "organization", None)
        if profile is None:
            return {}
        names = [name for section in sections_for(customer.kind) for name in section.field_names]
        return model_to_dict(profile, fields=names)


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
