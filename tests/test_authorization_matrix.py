"""Every URL of the web UI and the API, against every role.

- Anonymous: sign-in redirect (pages) or 401 (API), never content.
- A salesperson of another team, and the south-team service agent: every route under a
  customer they cannot see answers exactly as it does for a customer that does not exist
  (404, or 405/422 for a method or body the route refuses before looking anything up) —
  never content, never a 500 — and no row anywhere changes, whatever they send.
- Every role, owner included: no GET response (pages, partials, lists, search, API, error
  pages) contains a sensitive value in clear; only the data subject's own copy and an
  audited reveal do.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kehu.customers.services import (
    consent_record,
    family_member_add,
    important_date_add,
    relationship_add,
)
from kehu.insights.services import scoring_run, tier_override_set, tiers_define
from kehu.interactions.services import interaction_log
from kehu.privacy.services import request_open
from kehu.sales.services import OrderLineData, order_create, payment_record
from kehu.service.services import service_record_create
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db
CANARY = "Zx9SecretCanary"
ID_NUMBER = "11010519491231002X"
PUBLIC = ("login/", "logout/", "i18n/setlang/", "api/docs", "api/openapi.json", "api/", "")
# Copies made *for the data subject* carry their data in clear, by design (and only for managers).
SUBJECT_COPIES = ("subject-export", "copy.<str:fmt>")


def routes() -> list[str]:
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted({r for r in found if not r.startswith(("static", "api/docs"))})


CHILD_BY_SEGMENT = {
    "contacts": "point", "family": "member", "dates": "date", "relationships": "relationship",
    "consents": "consent", "communications": "interaction", "orders": "order", "service": "record",
    "requests": "request", "service-records": "record", "contact-points": "point", "family-members": "member",
    "important-dates": "date", "interactions": "interaction", "subject-requests": "request", "payments": "payment",
    "receivables": "receivable",
}
PARAM_TO_CHILD = {"point_id": "point", "member_id": "member", "date_id": "date", "relationship_id": "relationship",
                  "consent_id": "consent", "interaction_id": "interaction", "order_id": "order", "record_id": "record",
                  "request_id": "request", "payment_id": "payment", "receivable_id": "receivable"}


MISSING_ID = 987654


def concrete(route: str, world: dict, customer_id: int | None = None) -> str | None:
    """The route with its parameters filled from `world`; None when it names no customer."""
    if not re.search(r"<(int:pk|customer_id)>", route) or not route.startswith(("customers/", "api/customers/")):
        return None
    url = re.sub(r"<(int:pk|customer_id)>", str(customer_id or world["customer"].pk), route)

    def child(match: re.Match) -> str:
        name = match.group(1).split(":")[-1]
        kind = PARAM_TO_CHILD.get(name)
        if kind is None:
            segment = url[: match.start()].rstrip("/").split("/")[-1]
            kind = CHILD_BY_SEGMENT.get(segment, "point")
        return str(world[kind].pk) if name != "fmt" else "json"

    return "/" + re.sub(r"<([\w:]+)>", child, url)


@pytest.fixture
def world(sales, manager):
    customer = make_person(sales, "机密客户", profile={"health_notes": CANARY, "beliefs": CANARY, "id_number": ID_NUMBER},
                           consents=[SENSITIVE_CONSENT])
    friend = make_person(sales, "朋友", contact_points=[])
    when = timezone.now() - datetime.timedelta(days=3)
    order = order_create(actor=sales, customer=customer, number="SO-SECRET", ordered_at=when, channel="store",
                         lines=[OrderLineData("茶", quantity=1, unit_price=100)])
    # Scored, with a manual tier: the insights card, pages and endpoints have something to leak.
    gold, _ordinary = tiers_define(actor=manager, tiers=[
        {"name": "金牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 1000}]},
        {"name": "普通", "conditions": []}])
    scoring_run(actor=manager)
    tier_override_set(actor=manager, customer=customer, tier=gold, reason="重要客户")
    return {
        "customer": customer,
        "point": customer.contact_points.get(),
        "member": family_member_add(actor=sales, customer=customer, values={"relation": "child", "name": "孩子"}),
        "date": important_date_add(actor=sales, customer=customer, values={"kind": "birthday", "month": 5, "day": 1}),
        "relationship": relationship_add(actor=sales, from_customer=customer, to_customer=friend, type="friend"),
        "consent": consent_record(actor=sales, customer=customer, data=SENSITIVE_CONSENT.__class__("marketing", "v1", "online")),
        "interaction": interaction_log(actor=sales, customer=customer, values={"channel": "phone", "content": "通话"}),
        "order": order,
        "receivable": order.receivable,
        "payment": payment_record(actor=sales, customer=customer, amount=10, received_at=when, method="cash"),
        "record": service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "坏了"}),
        "request": request_open(actor=manager, customer=customer, kind="access"),
    }


def _comparable(response) -> str:
    """The body without per-response CSRF tokens (masked differently every time)."""
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1-", response.content.decode(errors="replace"))


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        import json

        return json.dumps(response.json(), ensure_ascii=False)
    if response.streaming:  # CSV exports (the audit log's, for administrators and auditors)
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if not model._meta.label.startswith(("sessions.", "audit.", "accounts.FailedSignIn"))}


@pytest.mark.parametrize("persona", ["outsider", "service_agent"])
def test_other_teams_get_404_everywhere_and_change_nothing(client, world, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = table_counts()
    checked = 0

    def send(method: str, url: str):
        if url.startswith("/api/"):
            return client.generic(method.upper(), url, "{}", content_type="application/json")
        return client.get(url) if method == "get" else client.post(url, {"name": "x", "reason": "look"})

    for route in routes():
        url = concrete(route, world)
        if url is None:
            continue
        missing = concrete(route, world, customer_id=MISSING_ID)
        for method in ("get", "post", "patch", "delete"):
            if method in ("patch", "delete") and not url.startswith("/api/"):
                continue
            response, reference = send(method, url), send(method, missing)
            label = f"{method.upper()} {url} as {persona}: {response.status_code}"
            assert response.status_code in (404, 405, 422), label
            assert response.status_code == reference.status_code, label
            # The page echoes its own address (the language switch returns to it).
            if _comparable(response).replace(url, missing) != _comparable(reference):
                import difflib

                delta = "\n".join(difflib.unified_diff(
                    _comparable(reference).splitlines(), _comparable(response).replace(url, missing).splitlines(),
                    lineterm="", n=0,
                ))
                raise AssertionError(f"{label}: differs from a missing customer\n{delta[:1500]}")
            checked += 1
    assert checked > 50
    assert table_counts() == before


def test_anonymous_gets_nothing(client, world):
    for route in routes():
        url = concrete(route, world) or ("/" + re.sub(r"<[\w:]+>", "1", route))
        if route in PUBLIC or route.startswith("api/imports/<kind>"):
            continue
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 405), f"GET {url}: {response.status_code}"
        else:
            assert response.status_code in (302, 405), f"GET {url}: {response.status_code}"
            if response.status_code == 302:
                assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("persona", ["sales", "teammate", "manager", "admin", "analyst", "auditor"])
def test_sensitive_values_never_appear_in_clear(client, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    pages = 0
    for route in routes():
        if any(marker in route for marker in SUBJECT_COPIES):
            continue
        url = concrete(route, world) or ("/" + re.sub(r"<[\w:]+>", "1", route))
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        body = _text(response)
        assert CANARY not in body and ID_NUMBER not in body, f"GET {url} as {persona} shows a sensitive value"
        pages += 1
    # Encrypted text is not searchable; the ID number is, by exact match only, and the
    # results show it masked (the query itself is echoed back in the search box).
    for url in (f"/customers/?q={CANARY}", f"/api/customers?q={CANARY}"):
        assert "机密客户" not in _text(client.get(url))
    for url in (f"/customers/?q={ID_NUMBER}", f"/api/customers?q={ID_NUMBER}"):
        body = _text(client.get(url))
        assert ("机密客户" in body) is (persona != "auditor") and CANARY not in body  # an auditor opens no file
    assert pages > 50
