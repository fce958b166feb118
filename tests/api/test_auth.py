"""Tokens (/api/tokens, Bearer auth, revocation) and the browser session with CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.accounts.models import ApiToken
from tests.api.conftest import ApiClient, database_state, fields_of

pytestmark = pytest.mark.django_db


def session_client(user, *, csrf: bool = True) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_token_lifecycle(sales, customer):
    session = session_client(sales, csrf=False)
    created = session.post("/api/tokens", {"name": "nightly import", "scopes": ["read", "write"]},
                           content_type="application/json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    token = created.json()["token"]
    assert secret.startswith("kehu_") and secret.startswith(token["hint"])
    assert token["revoked_at"] is None
    # The secret is shown once: the list has no secret, and the database only its hash.
    listed = session.get("/api/tokens").json()
    assert [t["id"] for t in listed] == [token["id"]] and "secret" not in listed[0]
    assert secret not in str(ApiToken.objects.values()[0])

    bearer = Client(headers={"Authorization": f"Bearer {secret}"})
    assert bearer.get("/api/customers").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    # Token calls need no CSRF token: there is no cookie to ride on.
    made = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"}).post(
        "/api/customers", {"kind": "person", "name": "脚本客户"}, content_type="application/json"
    )
    assert made.status_code == 201

    assert session.delete(f"/api/tokens/{token['id']}").status_code == 204
    assert bearer.get("/api/customers").status_code == 401
    assert session.get("/api/tokens").json()[0]["revoked_at"] is not None
    assert session.delete(f"/api/tokens/{token['id']}").status_code == 204  # revoking twice is harmless


def test_tokens_of_others_are_invisible(sales, teammate):
    mine = ApiClient(sales)
    theirs = ApiClient(teammate)
    their_id = theirs.get("/tokens").json()[0]["id"]
    assert [t["id"] for t in mine.get("/tokens").json()] != [their_id]
    before = database_state()
    assert mine.delete(f"/tokens/{their_id}").status_code == 404
    assert database_state() == before
    assert theirs.get("/customers").status_code == 200


def test_token_of_a_deactivated_user_stops_working(sales):
    client = ApiClient(sales)
    assert client.get("/customers").status_code == 200
    sales.is_active = False
    sales.save()
    assert client.get("/customers").status_code == 401


def test_token_name_is_validated(sales):
    response = ApiClient(sales).post("/tokens", {"name": "", "scopes": ["read"]})
    assert response.status_code == 422 and list(fields_of(response)) == ["name"]
    response = ApiClient(sales).post("/tokens", {"name": "x" * 101, "scopes": ["read"]})
    assert response.status_code == 422 and list(fields_of(response)) == ["name"]


def test_session_reads_without_csrf_and_writes_with_it(sales, customer):
    client = session_client(sales)
    assert client.get(f"/api/customers/{customer.pk}").status_code == 200
    before = database_state()
    body = {"notes": "from the browser"}
    refused = client.patch(f"/api/customers/{customer.pk}", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert database_state() == before
    client.get("/api/docs")  # any page that renders a form sets the csrftoken cookie
    csrf = client.cookies["csrftoken"].value
    allowed = client.patch(
        f"/api/customers/{customer.pk}", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["notes"] == "from the browser"


def test_anonymous_post_is_401_not_a_csrf_403():
    response = Client(enforce_csrf_checks=True).post(
        "/api/customers", {"kind": "person", "name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_inactive_session_user_is_401(sales):
    client = session_client(sales)
    sales.is_active = False
    sales.save()
    assert client.get("/api/customers").status_code == 401
