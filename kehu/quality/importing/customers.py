"""Customers: code, name, kind, phone, email, wechat, company, birthday, gender, address,
status, source_channel, tags (comma-separated), owner (username), notes.

Natural key: `code` (the customer number) when given, otherwise the mobile number. A row
whose customer already exists is skipped, so a file can be re-imported. Each customer
goes through `customer_create`, so imported files obey every rule of a typed-in one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehu.accounts.models import User
from kehu.core.phone import normalize_phone
from kehu.customers.choices import CustomerKind, CustomerStatus, Gender, SourceChannel
from kehu.customers.models import ContactPoint, Customer
from kehu.customers.services import ContactPointData, customer_create
from kehu.quality.importing import cells
from kehu.quality.importing.base import Importer, Row

_SERVICE_FIELD_TO_COLUMN = {
    "name": "name", "number": "code", "status": "status", "source_channel": "source_channel", "notes": "notes",
    "owner": "owner", "tags": "tags", "profile.birthday": "birthday", "profile.gender": "gender",
    "profile.employer": "company", "profile.legal_name": "name", "profile.address": "address",
}


class CustomerImporter(Importer):
    kind = "customers"
    required = ("name",)
    optional = ("code", "kind", "phone", "email", "wechat", "company", "birthday", "gender", "address", "status",
                "source_channel", "tags", "owner", "notes")

    def process(self, batch: list[Row]) -> None:
        codes = {cells.text(r.get("code"), max_length=10_000) for _n, r in batch} - {""}
        existing_codes = set(Customer.objects.filter(number__in=codes).values_list("number", flat=True))
        for number, row in batch:
            self._one(number, row, existing_codes)

    def _phone_exists(self, phone: str) -> bool:
        return ContactPoint.objects.filter(type__in=("mobile", "phone"), value=phone).exists()

    def _one(self, number: int, row: dict[str, Any], existing_codes: set[str]) -> None:
        before = self.report.failed
        p = self.parse
        code = p(number, row, "code", cells.text, max_length=32)
        kind = p(number, row, "kind", cells.choice, CustomerKind, default=CustomerKind.PERSON)
        status = p(number, row, "status", cells.choice, CustomerStatus, default=CustomerStatus.ACTIVE)
        source = p(number, row, "source_channel", cells.choice, SourceChannel, default="")
        gender = p(number, row, "gender", cells.choice, Gender, default="")
        birthday = p(number, row, "birthday", cells.day)
        owner_name = p(number, row, "owner", cells.text, max_length=150)
        if self.report.failed > before:
            return
        if code and code in existing_codes:
            self.report.skipped_existing += 1
            return
        phone_raw = cells.text(row.get("phone"), max_length=100)
        phone = None
        if phone_raw:
            try:
                phone = normalize_phone(phone_raw)
            except ValidationError as error:
                self.report.error(number, "phone", phone_raw, error.messages[0])
                return
        if not code and phone and self._phone_exists(phone):
            self.report.skipped_existing += 1
            return
        owner: Any = self.actor
        if owner_name:
            owner = User.objects.filter(username=owner_name, is_active=True).first()
            if owner is None:
                self.report.error(number, "owner", owner_name, "No active user with this username.")
                return
        contacts = []
        if phone:
            contacts.append(ContactPointData("mobile" if phone.startswith("+861") else "phone", phone))
        for column, type_ in (("email", "email"), ("wechat", "wechat"), ("address", "address")):
            value = cells.text(row.get(column), max_length=300)
            if value and not (column == "address" and kind == CustomerKind.ORGANIZATION):
                contacts.append(ContactPointData(type_, value))
        profile: dict[str, Any] = {}
        company = cells.text(row.get("company"), max_length=200)
        if kind == CustomerKind.PERSON:
            profile.update({k: v for k, v in (("gender", gender), ("birthday", birthday), ("employer", company)) if v})
        else:
            profile.update({k: v for k, v in (("legal_name", company), ("address", cells.text(row.get("address"), max_length=300))) if v})
        tags = [t.strip() for t in str(row.get("tags") or "").replace("，", ",").split(",") if t.strip()]
        try:
            with transaction.atomic():
                created = customer_create(
                    actor=self.actor, kind=kind, name=cells.text(row.get("name"), max_length=10_000), number=code or "",
                    status=status, owner=owner, source_channel=source, notes=cells.text(row.get("notes"), max_length=10_000),
                    tags=tags, profile=profile, contact_points=contacts,
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = _SERVICE_FIELD_TO_COLUMN.get(field, _contact_column(field, contacts))
                for message in messages:
                    self.report.error(number, column, row.get(column), message)
            return
        existing_codes.add(created.number)
        self.report.created += 1


def _contact_column(field: str, contacts: list[ContactPointData]) -> str:
    if field.startswith("contact_points."):
        index = int(field.split(".")[1])
        type_ = contacts[index].type if index < len(contacts) else ""
        return {"mobile": "phone", "phone": "phone"}.get(type_, type_ or field)
    return field
