"""What the customer page shows: header, profile sections, blocks, custom fields, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer, OrganizationProfile, PersonProfile
from kehu.customers.sections import DataClass, sections_for
from kehu.customers.services.custom_fields import definitions_for
from kehu.privacy.masking import mask
from kehu.web.views.blocks import base_block_context, block_context, blocks_for
from kehu.web.views.customer360 import customer360_context
from kehu.web.views.sensitive import privacy_context

AUDIT_LIMIT = 20
EXTRA_COMPLETENESS_LABELS = {"contact": _("Contact"), "archive": _("Source and tags")}

ACTION_LABELS = {
    "customer.create": _("Created the file"),
    "customer.update": _("Changed the file"),
    "customer.delete": _("Deleted the file"),
    "profile.update": _("Changed the profile"),
    "contact_point.create": _("Added a contact point"),
    "contact_point.update": _("Changed a contact point"),
    "contact_point.delete": _("Removed a contact point"),
    "family_member.create": _("Added a family member"),
    "family_member.update": _("Changed a family member"),
    "family_member.delete": _("Removed a family member"),
    "important_date.create": _("Added an important date"),
    "important_date.update": _("Changed an important date"),
    "important_date.delete": _("Removed an important date"),
    "relationship.create": _("Added a relationship"),
    "relationship.delete": _("Removed a relationship"),
    "interaction.create": _("Logged a communication"),
    "interaction.update": _("Changed a communication"),
    "order.create": _("Recorded an order"),
    "order.refund": _("Refunded an order"),
    "order.cancel": _("Cancelled an order"),
    "receivable.create": _("Issued an invoice"),
    "payment.create": _("Recorded a payment"),
    "credit_incident.create": _("Recorded a credit incident"),
    "service_record.create": _("Opened a service record"),
    "service_record.update": _("Changed a service record"),
    "privacy.reveal": _("Revealed sensitive information"),
    "privacy.export": _("Downloaded the person's copy of their data"),
    "privacy.erase_sensitive": _("Erased sensitive information"),
    "privacy.request.access": _("Opened an access request"),
    "privacy.request.correction": _("Opened a correction request"),
    "privacy.request.deletion": _("Opened a deletion request"),
    "privacy.request.close": _("Closed a data-subject request"),
    "consent.grant": _("Recorded a consent"),
    "consent.withdraw": _("Withdrew a consent"),
}
# Opening the page is audited (who looked at the file) but is not a change: the
# History card leaves those events out.
NOT_CHANGES = ("customer.view",)


def profile_of(customer: Customer) -> PersonProfile | OrganizationProfile | None:
    try:
        return customer.person if customer.is_person else customer.organization
    except ObjectDoesNotExist:
        return None


def profile_sections(customer: Customer, revealed: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The profile, section by section; sensitive values masked unless in `revealed`.

    `revealed` is what `kehu.privacy.masking.reveal` returned for this very response: a
    reveal is never remembered (no session, no cache), so the next page load masks again.
    """
    revealed = revealed or {}
    profile = profile_of(customer)
    model = PersonProfile if customer.is_person else OrganizationProfile
    sections = []
    for section in sections_for(customer.kind):
        rows = []
        for spec in section.fields:
            model_field = model._meta.get_field(spec.name)
            value = getattr(profile, spec.name, None) if profile is not None else None
            sensitive = spec.data_class == DataClass.SENSITIVE
            masked = sensitive and value not in (None, "") and spec.name not in revealed
            if masked:
                value = mask(spec.name, value)  # the plaintext never reaches the template
            elif value not in (None, "") and model_field.choices:
                value = getattr(profile, f"get_{spec.name}_display")()
            rows.append({
                "name": spec.name,
                "label": capfirst(model_field.verbose_name),
                "value": value,
                "empty": value in (None, ""),
                "sensitive": sensitive,
                "masked": masked,
                "revealed": sensitive and spec.name in revealed and value not in (None, ""),
            })
        sections.append({
            "key": section.key,
            "label": section.label,
            "rows": rows,
            "completeness": customer.completeness_by_section.get(section.key, 0),
        })
    return sections


def completeness_rows(customer: Customer) -> list[dict[str, Any]]:
    rows = [
        {"label": s.label, "value": customer.completeness_by_section.get(s.key, 0)}
        for s in sections_for(customer.kind)
    ]
    rows += [
        {"label": label, "value": customer.completeness_by_section.get(key, 0)}
        for key, label in EXTRA_COMPLETENESS_LABELS.items()
    ]
    return rows


def custom_field_rows(customer: Customer) -> list[dict[str, Any]]:
    rows = []
    for definition in definitions_for(customer.kind):
        value = customer.custom_fields.get(definition.key)
        if isinstance(value, list):
            value = pgettext("list separator", ", ").join(str(v) for v in value)
        rows.append({"label": definition.label, "value": value, "empty": value in (None, "")})
    return rows


def audit_rows(customer: Customer) -> list[dict[str, Any]]:
    events = (
        AuditEvent.objects.filter(customer_id=customer.pk).exclude(action__in=NOT_CHANGES)
        .select_related("actor")[:AUDIT_LIMIT]
    )
    return [
        {
            "event": event,
            "label": ACTION_LABELS.get(event.action, event.action),
            "fields": _changed_fields(event),
        }
        for event in events
    ]


def _changed_fields(event: AuditEvent) -> list[str]:
    """Names only, never values: the log masks sensitive values, the page does not even try."""
    if not isinstance(event.changes, dict):
        return []
    if event.action == "privacy.reveal" and isinstance(event.changes.get("fields"), list):
        return [str(name) for name in event.changes["fields"]][:8]
    if not event.action.endswith(".update"):
        return []
    return sorted(event.changes)[:8]


def detail_context(
    request: HttpRequest, customer: Customer, states: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    states = states or {}
    context = base_block_context(request, customer)
    context.update({
        "tags": list(customer.tags.all()),
        "completeness": completeness_rows(customer),
        "audit": audit_rows(customer),
        "blocks": [block_context(request, customer, name, states.get(name)) for name in blocks_for(customer)],
    })
    context.update(customer360_context(request, customer, states.get("activity")))
    context.update(privacy_context(request, customer, states))
    return context
