"""What the customer page shows about privacy: the profile card (masked or revealed), the
consent card and the data-subject request card. Views are in `kehu.web.views.privacy`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kehu.accounts.permissions import may_configure, may_write_customers
from kehu.customers.models import Customer
from kehu.privacy.masking import may_reveal, sensitive_fields
from kehu.privacy.models import DataSubjectRequest
from kehu.web.forms.privacy import ConsentForm, RequestOpenForm, RevealForm


def present_sensitive(customer: Customer) -> list[str]:
    """Sensitive fields of the file that hold a value (what there is to reveal)."""
    if not customer.is_person:
        return []
    profile = getattr(customer, "person", None)
    return [name for name in sensitive_fields(customer.kind) if profile is not None and getattr(profile, name)]


def profile_card_context(request: HttpRequest, customer: Customer, state: dict[str, Any] | None = None) -> dict[str, Any]:
    from kehu.web.views.detail import custom_field_rows, profile_sections  # detail imports this module

    state = state or {}
    revealed = state.get("revealed") or {}
    present = present_sensitive(customer)
    can_reveal = may_reveal(request.user) and bool(present)
    return {
        "sections": profile_sections(customer, revealed),
        "custom_fields": custom_field_rows(customer),
        "revealed": bool(revealed),
        "can_reveal": can_reveal,
        "reveal_form": state.get("reveal_form") or (RevealForm(kind=customer.kind, present=present, prefix="reveal") if can_reveal else None),
        "reveal_open": "reveal_form" in state,
    }


def consent_card_context(request: HttpRequest, customer: Customer, state: dict[str, Any] | None = None) -> dict[str, Any]:
    state = state or {}
    return {
        "consents": list(customer.consents.select_related("recorded_by")),
        "consent_form": state.get("consent_form") or ConsentForm(prefix="consent"),
        "consent_open": "consent_form" in state,
        "consent_error": state.get("consent_error", ""),
        "can_write": may_write_customers(request.user),
    }


def request_card_context(request: HttpRequest, customer: Customer, state: dict[str, Any] | None = None) -> dict[str, Any]:
    state = state or {}
    handles = may_configure(request.user)
    return {
        "handles_requests": handles,
        "subject_requests": list(DataSubjectRequest.objects.filter(customer_id=customer.pk)) if handles else [],
        "request_form": state.get("request_form") or RequestOpenForm(prefix="dsr"),
        "request_open": "request_form" in state,
        "request_done": state.get("done", False),
    }


def privacy_context(request: HttpRequest, customer: Customer, states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    context.update(profile_card_context(request, customer, states.get("profile")))
    context.update(consent_card_context(request, customer, states.get("consents")))
    context.update(request_card_context(request, customer, states.get("requests")))
    return context
