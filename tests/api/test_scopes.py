"""Token scopes, expiry and revocation: every route is checked against the token's scopes."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from kehu.accounts.models import ALL_SCOPES, ApiToken
from kehu.accounts.services import api_token_create, api_token_revoke
from kehu.api.api import api
from kehu.api.scopes import required_scope
from tests.api.conftest import ApiClient, activity_state, database_state, fields_of

pytestmark = pytest.mark.django_db


def test_a_read_token_reads_but_cannot_write(sales, customer):
    reader = ApiClient(sales, scopes=("read",))
    assert reader.get("/customers").status_code == 200
    assert reader.get(f"/customers/{customer.pk}").status_code == 200
    before = database_state()
    refused = reader.post("/customers", {"kind": "person", "name": "脚本客户"})
    assert refused.status_code == 403
    assert "“write” scope" in refused.json()["detail"] and fields_of(refused) == {}
    assert reader.patch(f"/customers/{customer.pk}", {"notes": "x"}).status_code == 403
    assert reader.delete(f"/customers/{customer.pk}").status_code == 403
    assert database_state() == before


def test_a_write_token_without_read_cannot_look(sales, customer):
    writer = ApiClient(sales, scopes=("write",))
    response = writer.get("/customers")
    assert response.status_code == 403 and "“read” scope" in response.json()["detail"]
    assert writer.post("/customers", {"kind": "person", "name": "脚本客户"}).status_code == 201


def test_export_and_admin_need_their_own_scopes(manager, customer):
    everyday = ApiClient(manager, scopes=("read", "write"))
    before = activity_state()
    for method, path, body in [
        ("GET", f"/customers/{customer.pk}/subject-export", None),
        ("POST", f"/customers/{customer.pk}/reveal", {"field": "id_number", "reason": "check"}),
    ]:
        response = everyday.request(method, path, body)
        assert response.status_code == 403 and "“export” scope" in response.json()["detail"], path
    for method, path, body in [
        ("GET", "/tokens", None),
        ("POST", "/tokens", {"name": "wider", "scopes": ["read"]}),
        ("POST", "/custom-fields", {"key": "level", "label": "Level", "field_type": "text"}),
        ("POST", f"/users/{manager.pk}/two-factor/reset", None),
    ]:
        response = everyday.request(method, path, body)
        assert response.status_code == 403 and "“admin” scope" in response.json()["detail"], path
    assert everyday.get("/custom-fields").status_code == 200  # reading the archive's shape is reading
    assert activity_state() == before
    assert ApiClient(manager, scopes=("read", "export")).get(f"/customers/{customer.pk}/subject-export").status_code == 200


def test_a_token_cannot_mint_a_wider_one(sales):
    admin_only = ApiClient(sales, scopes=("read", "admin"))
    refused = admin_only.post("/tokens", {"name": "escalate", "scopes": ["read", "write"]})
    assert refused.status_code == 403 and "write" in refused.json()["detail"]
    made = admin_only.post("/tokens", {"name": "narrower", "scopes": ["read"], "expires_in_days": 7})
    assert made.status_code == 201 and made.json()["token"]["scopes"] == ["read"]
    assert ApiToken.objects.filter(name="escalate").count() == 0


def test_session_callers_are_not_limited_by_scopes(sales, customer):
    client = Client()
    client.force_login(sales)
    made = client.post("/api/tokens", {"name": "t", "scopes": ["read"]}, content_type="application/json")
    assert made.status_code == 201
    assert client.post("/api/customers", {"kind": "person", "name": "浏览器"}, content_type="application/json").status_code == 201


def test_scopes_and_expiry_are_validated(sales):
    client = ApiClient(sales)
    before = ApiToken.objects.count()
    for body, field in [
        ({"name": "t"}, "scopes"),
        ({"name": "t", "scopes": []}, "scopes"),
        ({"name": "t", "scopes": ["root"]}, "scopes.0"),
        ({"name": "t", "scopes": ["read"], "expires_in_days": 0}, "expires_in_days"),
        ({"name": "t", "scopes": ["read"], "expires_in_days": 100000}, "expires_in_days"),
        ({"name": "t", "scopes": ["read"], "expires_in_days": "soon"}, "expires_in_days"),
    ]:
        response = client.post("/tokens", body)
        assert response.status_code == 422 and field in fields_of(response), (body, response.json())
    chinese = ApiClient(sales, language="zh-hans").post("/tokens", {"name": "t", "scopes": []})
    assert chinese.status_code == 422
    assert ApiToken.objects.count() == before + 1  # only the `chinese` client's own token


def test_listing_shows_scopes_and_expiry(sales):
    api_token_create(actor=sales, name="nightly", scopes=["write", "read"], expires_in_days=30)
    listed = {t["name"]: t for t in ApiClient(sales).get("/tokens").json()}
    assert listed["nightly"]["scopes"] == ["read", "write"]
    expires = datetime.datetime.fromisoformat(listed["nightly"]["expires_at"])
    assert 29 <= (expires - timezone.now()).days <= 30
    assert listed["tests"]["scopes"] == list(ALL_SCOPES) and listed["tests"]["expires_at"] is None


def test_an_expired_or_revoked_token_is_refused(sales):
    token, secret = api_token_create(actor=sales, name="short", scopes=["read"], expires_in_days=1)
    bearer = Client(headers={"Authorization": f"Bearer {secret}"})
    assert bearer.get("/api/customers").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert bearer.get("/api/customers").status_code == 401
    other, other_secret = api_token_create(actor=sales, name="revoked", scopes=["read"])
    api_token_revoke(actor=sales, token=other)
    assert Client(headers={"Authorization": f"Bearer {other_secret}"}).get("/api/customers").status_code == 401


def test_the_service_rejects_bad_scopes_and_writes_nothing(sales):
    from django.core.exceptions import ValidationError

    for scopes, days in ([], None), (["read", "sudo"], None), (["read"], 0), (["read"], 4000):
        with pytest.raises(ValidationError):
            api_token_create(actor=sales, name="t", scopes=scopes, expires_in_days=days)
    assert not ApiToken.objects.exists()


def test_every_unsafe_route_needs_more_than_read(rf):
    """The table covers every route: a read-only token can change nothing anywhere."""
    schema = api.get_openapi_schema()
    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            concrete = path.replace("{", "").replace("}", "")
            request = getattr(rf, method)(concrete)
            scope = required_scope(request)
            assert scope in ALL_SCOPES
            if method.upper() not in ("GET", "HEAD"):
                assert scope != "read", f"{method.upper()} {path} is open to a read-only token"
            checked += 1
    assert checked > 50
