"""Forms for sensitive data and privacy: reveal, consent (同意), data-subject requests."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kehu.customers.models import Consent, PersonProfile
from kehu.customers.models.consent import ConsentPurpose
from kehu.customers.services import ConsentData
from kehu.privacy.masking import sensitive_fields
from kehu.privacy.models import DataSubjectRequest, RequestKind
from kehu.web.forms.widgets import field_from_model


class RevealForm(forms.Form):
    """Which sensitive fields to show, and why (the reason goes into the audit log)."""

    def __init__(self, *args: Any, kind: str, present: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sensitive_fields(kind)
        self.fields["fields"] = forms.MultipleChoiceField(
            label=_("Fields"), widget=forms.CheckboxSelectMultiple,
            choices=[(name, capfirst(PersonProfile._meta.get_field(name).verbose_name)) for name in names],
            initial=present if present is not None else names,
        )
        self.fields["reason"] = forms.CharField(
            label=_("Reason"), max_length=300,
            widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. checking identity for the contract")}),
            help_text=_("Recorded in the history with your name."),
        )


class ConsentForm(forms.Form):
    """Record one consent on the customer page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("purpose", "notice_version", "channel", "guardian_name", "evidence"):
            self.fields[name] = field_from_model(Consent, name)
        self.fields["purpose"].initial = ConsentPurpose.SENSITIVE

    def data_object(self) -> ConsentData:
        data = self.cleaned_data
        return ConsentData(
            purpose=data["purpose"], notice_version=data["notice_version"], channel=data["channel"],
            guardian_name=data["guardian_name"], evidence=data["evidence"],
        )


class NewFileConsentForm(forms.Form):
    """The optional consent block of a new person's file, so sensitive fields (and a child's
    file) can be saved in one go. Nothing is recorded unless a purpose is ticked."""

    purposes = forms.MultipleChoiceField(
        label=_("The person consents separately to"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(ConsentPurpose.SENSITIVE.value, ConsentPurpose.SENSITIVE.label),
                 (ConsentPurpose.SERVICE.value, ConsentPurpose.SERVICE.label)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("notice_version", "channel", "evidence", "guardian_name"):
            self.fields[name] = field_from_model(Consent, name, required=False)
        self.fields["channel"].choices = [("", "—"), *[c for c in self.fields["channel"].choices if c[0]]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("purposes"):
            for name in ("notice_version", "channel"):
                if not data.get(name):
                    self.add_error(name, _("Needed to record the consent."))
        return data

    def consents(self) -> list[ConsentData]:
        data = self.cleaned_data
        return [
            ConsentData(purpose=purpose, notice_version=data["notice_version"], channel=data["channel"],
                        guardian_name=data["guardian_name"], evidence=data["evidence"])
            for purpose in data.get("purposes") or []
        ]


class RequestOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    details = forms.CharField(
        label=_("Details"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the person asked for, and how (letter, phone, email)."),
    )


class RequestCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, or why the request is rejected."),
    )
    rejected = forms.BooleanField(label=_("Reject the request"), required=False)

    def __init__(self, *args: Any, request_row: DataSubjectRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_row = request_row
        if request_row.kind == RequestKind.DELETION:
            self.fields["confirm"] = forms.BooleanField(
                label=_("I understand: the customer's file is anonymised for good."), required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "confirm" in self.fields and not data.get("rejected") and not data.get("confirm"):
            self.add_error("confirm", _("Tick this to confirm the anonymisation, or reject the request."))
        return data
