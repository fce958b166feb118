"""Forms for what hangs off a file: contact points, family, relationships, important dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.customers.choices import SYMMETRIC_RELATIONSHIPS, FamilyRelation, KeyPersonRole, RelationshipType
from kehu.customers.models import ContactPoint, FamilyMember, ImportantDate, Relationship
from kehu.web.forms.widgets import field_from_model

# A relationship is stored once, from one customer to another. On a file the user
# picks how the *other* customer relates to this one, so each directed type appears
# twice: "this customer → other" and, prefixed with "~", "other → this customer".
INVERSE_PREFIX = "~"


def _model_fields(model, names: tuple[str, ...]) -> dict[str, forms.Field]:
    return {name: field_from_model(model, name) for name in names}


class ContactPointForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            _model_fields(ContactPoint, ("type", "value", "label", "preferred", "best_time", "do_not_contact"))
        )


class FamilyMemberForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            _model_fields(FamilyMember, ("relation", "name", "birthday", "education", "school_or_employer", "notes"))
        )


class ImportantDateForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            _model_fields(ImportantDate, ("kind", "label", "calendar", "year", "month", "day", "leap_month", "notes"))
        )
        self.fields["month"].widget.attrs.update(min=1, max=12)
        self.fields["day"].widget.attrs.update(min=1, max=31)


class CustomerPickField(forms.Form):
    """Choose another visible customer: from the htmx search results, or by number without JS."""

    other_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    other_number = forms.CharField(
        required=False, max_length=32, label=_("Customer number"),
        help_text=_("Search above, or type the customer's number."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("other_id") and not (data.get("other_number") or "").strip():
            self.add_error("other_number", _("Choose a customer."))
        return data


class FamilyLinkForm(CustomerPickField):
    """Link a family member to an existing person's own file."""

    relation = forms.ChoiceField(label=_("Relation"), choices=FamilyRelation.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)


class NewPersonForm(forms.Form):
    """Create a new person file on the fly (a relative, a key person) and link it."""

    name = forms.CharField(label=_("Name"), max_length=200)
    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=40)


class FamilyNewPersonForm(NewPersonForm):
    relation = forms.ChoiceField(label=_("Relation"), choices=FamilyRelation.choices)


# How "this customer is … of the other one" reads for the reversed direction.
INVERSE_OPTION_LABELS = {
    "parent_of": _("Child of"),
    "referrer_of": _("Referred by"),
    "key_person_of": _("Organisation of key person"),
    "subsidiary_of": _("Parent company of"),
}


def relationship_type_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    for value, label in RelationshipType.choices:
        choices.append((value, label))
        if value not in SYMMETRIC_RELATIONSHIPS:
            choices.append((INVERSE_PREFIX + value, INVERSE_OPTION_LABELS.get(value, label)))
    return choices


class RelationshipForm(CustomerPickField):
    type = forms.ChoiceField(label=_("This customer is"), choices=relationship_type_choices)
    role = forms.ChoiceField(
        label=_("Role (key people)"), required=False, choices=[("", "—"), *KeyPersonRole.choices]
    )
    title = field_from_model(Relationship, "title")
    notes = field_from_model(Relationship, "notes")

    def direction(self) -> tuple[str, bool]:
        """(stored type, whether this customer is the `from` end)."""
        value = self.cleaned_data["type"]
        if value.startswith(INVERSE_PREFIX):
            return value[len(INVERSE_PREFIX):], False
        return value, True


class KeyPersonForm(CustomerPickField):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *KeyPersonRole.choices])
    title = forms.CharField(label=_("Title"), required=False, max_length=100)


class KeyPersonNewForm(NewPersonForm):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *KeyPersonRole.choices])
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
