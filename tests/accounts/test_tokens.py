import pytest

from kehu.accounts.models import ApiToken
from kehu.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from kehu.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_token_round_trip_and_revocation(sales):
    token, secret = api_token_create(actor=sales, name="laptop", scopes=["read"])
    assert secret.startswith("kehu_") and token.hint == secret[:10]
    assert ApiToken.objects.get().token_hash != secret  # only the hash is stored
    assert api_token_authenticate(secret) == sales
    api_token_revoke(actor=sales, token=token)
    assert api_token_authenticate(secret) is None
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == ["api_token.create", "api_token.revoke"]


@pytest.mark.parametrize("secret", ["", "kehu_", "kehu_wrong", "Bearer x", "x" * 5000])
def test_unknown_tokens_authenticate_nobody(sales, secret):
    api_token_create(actor=sales, name="t", scopes=["read"])
    assert api_token_authenticate(secret) is None


def test_deactivated_user_token_stops_working(sales):
    _token, secret = api_token_create(actor=sales, name="t", scopes=["read"])
    sales.is_active = False
    sales.save()
    assert api_token_authenticate(secret) is None


def test_sign_in_success_and_failure_are_audited(client, sales):
    from tests.conftest import PASSWORD

    client.post("/login/", {"username": "sales", "password": "wrong"})
    client.post("/login/", {"username": "sales", "password": PASSWORD})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "changes"))
    assert actions == [("auth.login_failed", {"username": "sales"}), ("auth.login", {})]
