"""A data subject's copy of everything the archive holds about them (access request)."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.template.loader import render_to_string

from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer, Relationship
from kehu.interactions.models import Interaction
from kehu.sales.models import ConsumptionProfile, Order, Payment, Receivable
from kehu.service.models import ServiceRecord


def _plain(value: Any) -> Any:
    """Foreign keys and many-to-many values as ids (model_to_dict leaves some as objects)."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _dict(row, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: _plain(v) for k, v in model_to_dict(row, exclude=list(exclude)).items()} | {"id": row.pk}


def _rows(queryset, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [_dict(row, exclude) for row in queryset]


def subject_data(customer: Customer) -> dict[str, Any]:
    """Every field, record and log entry that names `customer` (sensitive fields decrypted: it is their data)."""
    profile = (
        getattr(customer, "person", None) if customer.is_person else getattr(customer, "organization", None)
    )
    consumption = ConsumptionProfile.objects.filter(customer=customer).first()
    return {
        "customer": _dict(customer, ("tags",))
        | {
            "tags": list(customer.tags.values_list("name", flat=True)),
            "created_at": customer.created_at,
            "updated_at": customer.updated_at,
        },
        "profile": _dict(profile, ("customer", "id_number_index")) if profile else {},
        "contact_points": _rows(customer.contact_points.all(), ("customer",)),
        "family_members": _rows(customer.family_members.all(), ("customer",)),
        "relationships": _rows(
            Relationship.objects.filter(from_customer=customer)
            | Relationship.objects.filter(to_customer=customer)
        ),
        "important_dates": _rows(customer.important_dates.all(), ("customer",)),
        "consents": _rows(customer.consents.all(), ("customer",)),
        "communications": _rows(
            Interaction.objects.filter(customer=customer).order_by("occurred_at"), ("customer", "import_key")
        ),
        "orders": [
            _dict(order, ("customer",)) | {"lines": _rows(order.lines.all(), ("order", "customer"))}
            for order in Order.objects.filter(customer=customer)
            .prefetch_related("lines")
            .order_by("ordered_at")
        ],
        "payments": _rows(Payment.objects.filter(customer=customer).order_by("received_at"), ("customer",)),
        "receivables": _rows(
            Receivable.objects.filter(customer=customer).order_by("issued_on"), ("customer",)
        ),
        "service_records": _rows(
            ServiceRecord.objects.filter(customer=customer).order_by("reported_at"), ("customer",)
        ),
        "consumption_profile": _dict(consumption, ("customer", "counters")) if consumption else {},
        "audit_log": [
            {"at": e.at, "action": e.action, "object": f"{e.object_type}#{e.object_id}", "changes": e.changes}
            for e in AuditEvent.objects.filter(customer_id=customer.pk).order_by("at", "id")
        ],
    }


def subject_json(customer: Customer) -> str:
    return json.dumps(subject_data(customer), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def subject_html(customer: Customer) -> str:
    """The same data as a self-contained page a person can read and print."""
    data = json.loads(subject_json(customer))
    return render_to_string("privacy/subject_export.html", {"customer": customer, "data": data})


def subject_export(*, actor, customer: Customer, fmt: str) -> str:
    """The data subject's copy as JSON or a readable page; administrators and archive managers only, audited."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from kehu.accounts.permissions import may_configure
    from kehu.audit.services import audit

    if not may_configure(actor):
        raise PermissionDenied(_("Only administrators and archive managers handle data-subject requests."))
    if fmt not in ("json", "html"):
        raise ValidationError({"fmt": [_("Choose json or html.")]})
    content = subject_json(customer) if fmt == "json" else subject_html(customer)
    audit(
        actor=actor,
        action="privacy.export",
        target=customer,
        customer_id=customer.pk,
        changes={"format": fmt},
    )
    return content
