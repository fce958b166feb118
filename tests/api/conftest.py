"""Helpers for API tests: a JSON client acting as one persona through an API token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kehu.accounts.models import ALL_SCOPES, User
from kehu.accounts.services import api_token_create
from kehu.audit.models import AuditEvent
from kehu.customers.models import ContactPoint, Customer, FamilyMember, ImportantDate, Relationship


class ApiClient:
    """Calls /api/… with `Authorization: Bearer <token>` (or nothing, when anonymous)."""

    def __init__(
        self, user: User | None = None, *, language: str | None = None, scopes: tuple[str, ...] = ALL_SCOPES
    ) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = api_token_create(actor=user, name="tests", scopes=scopes)
            self.headers["Authorization"] = f"Bearer {secret}"
        if language:
            self.headers["Accept-Language"] = language

    def request(self, method: str, path: str, body: Any = None, *, raw: str | None = None, **params: Any):
        url = path if path.startswith("/api/") else "/api" + path
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return call(url, params, headers=self.headers)
        return call(url, data, content_type="application/json", headers=self.headers)

    def get(self, path: str, **params: Any):
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str):
        return self.request("DELETE", path)


@pytest.fixture
def api_as(db):
    """`api_as(user)` → an ApiClient for that user; `api_as(None)` is anonymous."""
    return ApiClient


def fields_of(response) -> dict[str | None, list[str]]:
    """{field: [messages]} of an error response, asserting its shape on the way."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    result: dict[str | None, list[str]] = {}
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, error
        assert isinstance(error["message"], str) and error["message"]
        result.setdefault(error["field"], []).append(error["message"])
    return result


def database_state() -> tuple:
    """Row counts of everything an API write can touch; equal before/after = nothing written."""
    return (
        Customer.objects.count(),
        ContactPoint.objects.count(),
        FamilyMember.objects.count(),
        ImportantDate.objects.count(),
        Relationship.objects.count(),
        # Reads are audited too (customer.view); "nothing written" means no other event.
        AuditEvent.objects.exclude(action="customer.view").count(),
        tuple(Customer.objects.order_by("pk").values_list("pk", "name", "notes", "status", "owner_id", "updated_at")),
    )


def activity_state() -> tuple:
    """Row counts and money of everything the activity endpoints write; equal = nothing written."""
    from kehu.customers.models import Consent
    from kehu.interactions.models import Interaction
    from kehu.privacy.models import DataSubjectRequest
    from kehu.sales.models import (
        CreditIncident,
        Order,
        OrderLine,
        Payment,
        PaymentAllocation,
        Product,
        Receivable,
    )
    from kehu.service.models import ServiceRecord

    return (
        database_state(),
        *(model.objects.count() for model in (
            Interaction, Order, OrderLine, Receivable, Payment, PaymentAllocation, CreditIncident, ServiceRecord,
            Product, Consent, DataSubjectRequest,
        )),
        tuple(Order.objects.order_by("pk").values_list("pk", "status", "refunded_amount")),
        tuple(Receivable.objects.order_by("pk").values_list("pk", "paid_amount", "credited_amount", "cancelled")),
        tuple(Interaction.objects.order_by("pk").values_list("pk", "content", "updated_at")),
        tuple(ServiceRecord.objects.order_by("pk").values_list("pk", "status", "diagnosis")),
        tuple(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        tuple(DataSubjectRequest.objects.order_by("pk").values_list("pk", "status")),
    )
