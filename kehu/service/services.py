from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit, diff
from kehu.customers.models import Customer
from kehu.customers.services.common import blank_if_none as _blank_if_none
from kehu.customers.services.common import clean_or_collect, ensure_can_write, raise_if_errors, snapshot
from kehu.service.models import ServiceRecord

EDITABLE = ("order", "kind", "status", "product", "problem", "diagnosis", "parts", "technician", "reported_at",
            "completed_on", "cost", "result")


def _check(record: ServiceRecord, errors: dict[str, list[str]]) -> None:
    clean_or_collect(record, errors, exclude=["customer"])
    if record.order_id is not None and record.order.customer_id != record.customer_id:
        errors.setdefault("order", []).append(_("That order belongs to another customer."))
    dates_valid = record.completed_on and record.reported_at and not {"completed_on", "reported_at"} & set(errors)
    if dates_valid and record.completed_on < timezone.localdate(record.reported_at):
        errors.setdefault("completed_on", []).append(_("The completion date is before the date it was reported."))


def service_record_create(*, actor: User, customer: Customer, values: Mapping[str, Any]) -> ServiceRecord:
    ensure_can_write(actor, customer)
    errors = {key: [_("Unknown field “%(field)s”.") % {"field": key}] for key in set(values) - set(EDITABLE)}
    record = ServiceRecord(customer=customer, **{k: _blank_if_none(ServiceRecord, k, v) for k, v in values.items() if k in EDITABLE})
    _check(record, errors)
    raise_if_errors(errors)
    with transaction.atomic():
        record.save()
        audit(actor=actor, action="service_record.create", target=record, customer_id=customer.pk, changes=snapshot(record))
    return record


def service_record_update(*, actor: User, record: ServiceRecord, values: Mapping[str, Any]) -> ServiceRecord:
    ensure_can_write(actor, record.customer)
    before = snapshot(record)
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        if key in EDITABLE:
            setattr(record, key, _blank_if_none(ServiceRecord, key, value))
        else:
            errors.setdefault(key, []).append(_("Unknown field “%(field)s”.") % {"field": key})
    _check(record, errors)
    if errors:
        record.refresh_from_db()
        raise ValidationError(errors)
    with transaction.atomic():
        record.save()
        audit(actor=actor, action="service_record.update", target=record, customer_id=record.customer_id,
              changes=diff(before, snapshot(record)))
    return record
