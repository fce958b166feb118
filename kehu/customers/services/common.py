"""Helpers every archive service uses: permission checks, validation, derived data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_write_customers
from kehu.core.fields import EncryptedTextField
from kehu.core.idcard import mask_id_number
from kehu.customers.completeness import completeness_of
from kehu.customers.models import Customer, SearchTerm
from kehu.customers.search import file_keys

SENSITIVE_MASK = "******"


def ensure_can_write(actor: User, customer: Customer) -> None:
    """Raise PermissionDenied unless `actor` may change `customer` (visibility included)."""
    from kehu.customers.selectors import visible_to

    if not may_write_customers(actor):
        raise PermissionDenied(_("Your role cannot change customer files."))
    if customer.pk is not None and not visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You cannot change this customer."))


def clean_or_collect(instance: models.Model, errors: dict[str, list[str]], *, prefix: str = "", exclude=None) -> None:
    """full_clean() `instance`, adding its messages to `errors` under `prefix`."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            key = f"{prefix}{field}" if field != "__all__" else (prefix.rstrip(".") or "__all__")
            errors.setdefault(key, []).extend(messages)


def blank_if_none(model: type[models.Model], name: str, value: Any) -> Any:
    """None for a non-null text field means "empty" (JSON null from an API client)."""
    field = model._meta.get_field(name)
    if value is None and isinstance(field, models.CharField | models.TextField) and not field.null:
        return ""
    return value


def raise_if_errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON-safe dict of an instance's fields for the audit log, sensitive values masked.

    The log records *that* a sensitive field changed, never its value (which lives only
    encrypted in its own column).
    """
    data = model_to_dict(instance, exclude=list(exclude))
    encrypted = {f.name for f in instance._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    return {key: (_masked(key, value) if key in encrypted else _jsonable(value)) for key, value in data.items()}


def _masked(name: str, value: Any) -> str:
    if not value:
        return ""
    return mask_id_number(str(value)) if name == "id_number" else SENSITIVE_MASK


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str | dict):
        return value
    return str(value)


def refresh_derived(customer: Customer) -> None:
    """Recompute the customer's search keys and completeness after any change to its file."""
    person = getattr(customer, "person", None) if customer.is_person else None
    organization = getattr(customer, "organization", None) if not customer.is_person else None
    contacts = list(customer.contact_points.values_list("type", "value"))
    profile = person if person is not None else organization
    values = {name: getattr(profile, name, "") for name in ("employer", "legal_name", "credit_code", "id_number_index")}
    keys = file_keys(
        name=customer.name, number=customer.number, person=customer.is_person, contact_points=contacts, profile=values
    )
    SearchTerm.objects.filter(customer=customer).delete()
    SearchTerm.objects.bulk_create([SearchTerm(customer=customer, term=key) for key in sorted(keys)])
    overall, by_section = completeness_of(customer, contacts=contacts)
    customer.completeness = overall
    customer.completeness_by_section = by_section
    customer.updated_at = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(
        completeness=overall, completeness_by_section=by_section, updated_at=customer.updated_at
    )
