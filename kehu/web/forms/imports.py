"""The import form: a file, its kind, dry run, all-or-nothing or skip bad rows, a column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kehu.quality.importing.engine import IMPORTERS, ImportOptions

ALLOWED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
MAX_MAPPING_LINES = 200

KIND_CHOICES = [
    ("customers", _("Customers")),
    ("orders", _("Orders")),
    ("payments", _("Payments")),
    ("interactions", _("Communications")),
]


def max_upload_bytes() -> int:
    return settings.KEHU_IMPORT_MAX_BYTES


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    dry_run = forms.BooleanField(
        label=_("Dry run: check every row, write nothing"), required=False, initial=True,
    )
    mode = forms.ChoiceField(
        label=_("When a row is bad"),
        choices=[("all", _("Import nothing (all or nothing)")), ("skip", _("Skip bad rows, import the rest"))],
        initial="all", widget=forms.RadioSelect,
    )
    mapping = forms.CharField(
        label=_("Column mapping"), required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "手机=phone\n客户编号=code"}),
        help_text=_("One per line: file column=kehu field."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(accept=",".join(ALLOWED_SUFFIXES))
        assert {kind for kind, _label in KIND_CHOICES} == set(IMPORTERS)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Use a .csv or .xlsx file."))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        lines = [line.strip() for line in self.cleaned_data["mapping"].splitlines() if line.strip()]
        if len(lines) > MAX_MAPPING_LINES:
            raise forms.ValidationError(_("At most %(n)d lines.") % {"n": MAX_MAPPING_LINES})
        for number, line in enumerate(lines, start=1):
            column, sep, field = line.partition("=")
            if not sep or not column.strip() or not field.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write it as file column=kehu field.") % {"n": number}
                )
            mapping[column.strip()] = field.strip().lower()
        return mapping

    def options(self) -> ImportOptions:
        data = self.cleaned_data
        return ImportOptions(dry_run=data["dry_run"], skip_bad_rows=data["mode"] == "skip", mapping=data["mapping"])

    def columns(self) -> list[dict[str, Any]]:
        """Each kind's columns, for the help beside the form."""
        return [
            {"kind": kind, "label": label, "required": IMPORTERS[kind].required, "optional": IMPORTERS[kind].optional}
            for kind, label in KIND_CHOICES
        ]
