"""Custom field definitions (administrators, archive managers) and personal API tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kehu.accounts.models import ApiToken
from kehu.accounts.services import api_token_authenticate, api_token_create
from kehu.customers.models import CustomFieldDefinition

pytestmark = pytest.mark.django_db


def test_manager_defines_and_edits_a_custom_field(client, manager):
    client.force_login(manager)
    response = client.post(reverse("web:custom-field-create"), {
        "key": "level", "label": "会员等级", "field_type": "choice", "applies_to": "person",
        "choices": "金卡\n银卡，普通", "position": "1", "active": "on",
    })
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get()
    assert definition.choices == ["金卡", "银卡", "普通"]
    assert "会员等级" in client.get(reverse("web:custom-field-list")).content.decode()
    edit = reverse("web:custom-field-edit", args=[definition.pk])
    response = client.post(edit, {"key": "hacked", "label": "等级", "field_type": "text", "applies_to": "all",
                                  "choices": "金卡\n银卡", "position": "2", "required": "on", "active": "on"})
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.key, definition.field_type, definition.label) == ("level", "choice", "等级")
    assert definition.required and definition.choices == ["金卡", "银卡"]
    # The new field appears on the person form.
    assert "等级" in client.get(reverse("web:person-create")).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"key": "Bad Key", "field_type": "text"}, "key"),
        ({"key": "level", "field_type": "choice", "choices": ""}, "choices"),
        ({"key": "level", "field_type": "text", "choices": "a"}, "choices"),
        ({"key": "level", "field_type": "colour"}, "field_type"),
    ],
)
def test_bad_custom_field_definition(client, admin, data, field):
    client.force_login(admin)
    response = client.post(reverse("web:custom-field-create"), {"label": "L", "applies_to": "all", "position": "0",
                                                                **data})
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not CustomFieldDefinition.objects.exists()


def test_api_token_created_shown_once_and_revoked(client, sales, teammate):
    client.force_login(sales)
    response = client.post(reverse("web:api-token-list"), {"name": "nightly import", "scopes": ["read", "write"]})
    secret = response.context["secret"]
    assert secret.startswith("kehu_") and secret in response.content.decode()
    assert api_token_authenticate(secret) == sales
    listing = client.get(reverse("web:api-token-list")).content.decode()
    assert "nightly import" in listing and secret not in listing
    token = ApiToken.objects.get()
    # Someone else's token is not found, not revoked.
    other, _secret = api_token_create(actor=teammate, name="theirs", scopes=["read"])
    assert client.post(reverse("web:api-token-revoke", args=[other.pk])).status_code == 404
    assert client.post(reverse("web:api-token-revoke", args=[token.pk])).status_code == 302
    assert api_token_authenticate(secret) is None
    other.refresh_from_db()
    assert other.revoked_at is None


def test_api_token_needs_a_name(client, sales):
    client.force_login(sales)
    response = client.post(reverse("web:api-token-list"), {"name": ""})
    assert response.context["form"].errors and not ApiToken.objects.exists()


def test_api_token_scopes_and_expiry_are_chosen_and_listed(client, sales):
    client.force_login(sales)
    response = client.post(reverse("web:api-token-list"), {"name": "no scopes", "expires_in_days": "30"})
    assert "Choose at least one scope." in response.content.decode() and not ApiToken.objects.exists()
    response = client.post(reverse("web:api-token-list"), {"name": "x", "scopes": ["root"], "expires_in_days": "30"})
    assert response.context["form"].errors["scopes"] and not ApiToken.objects.exists()
    response = client.post(reverse("web:api-token-list"), {"name": "x", "scopes": ["read"], "expires_in_days": "12"})
    assert response.context["form"].errors["expires_in_days"] and not ApiToken.objects.exists()

    client.post(reverse("web:api-token-list"), {"name": "export job", "scopes": ["read", "export"], "expires_in_days": "30"})
    client.post(reverse("web:api-token-list"), {"name": "forever", "scopes": ["read"], "expires_in_days": ""})
    tokens = {t.name: t for t in ApiToken.objects.all()}
    assert tokens["export job"].scopes == ["read", "export"] and tokens["export job"].expires_at is not None
    assert tokens["forever"].expires_at is None
    listing = client.get(reverse("web:api-token-list")).content.decode()
    assert '<span class="badge scope">export</span>' in listing and "never" in listing
