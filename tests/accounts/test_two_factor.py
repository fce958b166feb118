"""Two-factor sign-in: enrolment, the second sign-in step, replay and drift, recovery codes,
throttling, administrators forced to enrol, resets (web, API, command), all audited."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from kehu.accounts.models import RecoveryCode, Role, TwoFactor
from kehu.accounts.services import api_token_create
from kehu.audit.models import AuditEvent
from tests.conftest import PASSWORD, enrol_two_factor, make_user

pytestmark = pytest.mark.django_db


def code_at(secret: str, offset: int = 0) -> str:
    """The code `offset` 30-second steps from now."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + offset)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def sign_in(client, username="sales", password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def enter_code(client, code):
    return client.post("/login/two-factor/", {"code": code})


@pytest.fixture
def bare_admin(db):
    """An administrator who has not enrolled yet."""
    return make_user("root", Role.ADMINISTRATOR)


# --- enrolment --------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_stores_the_secret_encrypted(client, sales):
    client.force_login(sales)
    assert b"Set up two-factor sign-in" in client.get("/settings/two-factor/").content
    client.post("/settings/two-factor/", {"action": "start"})
    page = client.get("/settings/two-factor/")
    body = page.content.decode()
    assert "<svg" in body and 'class="segno"' in body and page["Cache-Control"] == "no-store"
    device = TwoFactor.objects.get(user=sales)
    assert device.confirmed_at is None
    assert " ".join(device.secret[i:i + 4] for i in range(0, len(device.secret), 4)) in body
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_twofactor WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:") and device.secret not in stored

    wrong = client.post("/settings/two-factor/", {"action": "confirm", "code": "000000"})
    assert b"That code is not right" in wrong.content
    assert TwoFactor.objects.get(user=sales).confirmed_at is None

    done = client.post("/settings/two-factor/", {"action": "confirm", "code": code_at(device.secret)})
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.content.decode())
    assert len(codes) == 10 and TwoFactor.objects.get(user=sales).confirmed_at is not None
    # Only keyed hashes are kept.
    hashes = set(RecoveryCode.objects.filter(user=sales).values_list("code_hash", flat=True))
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & hashes
    assert actions()[-2:] == ["two_factor.code_failed", "two_factor.enable"]
    # Recovery codes are shown once: the next visit shows only how many are left.
    assert codes[0] not in client.get("/settings/two-factor/").content.decode()


def test_confirming_without_enrolment_or_bad_input_is_a_clear_error(client, sales):
    client.force_login(sales)
    response = client.post("/settings/two-factor/", {"action": "confirm", "code": "123456"})
    assert response.status_code == 200 and b"There is no enrolment under way" in response.content
    response = client.post("/settings/two-factor/", {"action": "confirm", "code": "x" * 500})
    assert response.status_code == 200 and b"at most 40 characters" in response.content
    assert b"Unknown action" in client.post("/settings/two-factor/", {"action": "nonsense"}, follow=True).content
    assert not TwoFactor.objects.exists()


# --- signing in -------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, sales):
    secret = enrol_two_factor(sales)
    response = sign_in(client, next="/customers/?q=zs")
    assert response.status_code == 302 and response["Location"] == "/login/two-factor/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get("/customers/").status_code == 302

    wrong = enter_code(client, "000000")
    assert wrong.status_code == 200 and b"That code is not right" in wrong.content
    assert "_auth_user_id" not in client.session

    ok = enter_code(client, code_at(secret, 1))
    assert ok.status_code == 302 and ok["Location"] == "/customers/?q=zs"
    assert client.session["_auth_user_id"] == str(sales.pk)
    assert actions()[-2:] == ["two_factor.code_failed", "auth.login"]


def test_a_code_is_refused_the_second_time(client, sales):
    secret = enrol_two_factor(sales)
    code = code_at(secret, 1)
    sign_in(client)
    enter_code(client, code)
    assert "_auth_user_id" in client.session
    client.logout()
    sign_in(client)
    replay = enter_code(client, code)
    assert b"already used" in replay.content and "_auth_user_id" not in client.session


def test_one_step_of_clock_drift_is_accepted_but_not_two(client, sales):
    secret = enrol_two_factor(sales)
    TwoFactor.objects.filter(user=sales).update(last_used_step=None)  # as if enrolled long ago
    sign_in(client)
    assert b"not right" in enter_code(client, code_at(secret, -2)).content
    enter_code(client, code_at(secret, -1))
    assert client.session["_auth_user_id"] == str(sales.pk)


def test_a_recovery_code_works_once(client, sales):
    enrol_two_factor(sales)
    client.force_login(sales)
    page = client.post("/settings/two-factor/", {"action": "recovery", "code": "000000"})
    assert b"not right" in page.content  # new codes need the authenticator
    secret = TwoFactor.objects.get(user=sales).secret
    page = client.post("/settings/two-factor/", {"action": "recovery", "code": code_at(secret, 1)})
    recovery = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page.content.decode())[0]
    client.logout()

    sign_in(client)
    response = enter_code(client, recovery.upper().replace("-", " "))  # typed loosely
    assert client.session["_auth_user_id"] == str(sales.pk)
    assert "9 are left" in client.get(response["Location"], follow=True).content.decode()
    client.logout()
    sign_in(client)
    enter_code(client, recovery)
    assert "_auth_user_id" not in client.session
    assert "two_factor.recovery_code_used" in actions()


def test_wrong_codes_are_throttled_like_passwords(client, sales, settings):
    settings.KEHU_LOGIN_MAX_FAILURES = 3
    secret = enrol_two_factor(sales)
    sign_in(client)
    for _ in range(3):
        enter_code(client, "000000")
    locked = enter_code(client, code_at(secret, 1))
    assert b"Too many wrong codes" in locked.content and "_auth_user_id" not in client.session
    # The right password does not wipe the count between guesses at the code.
    sign_in(client)
    assert "_auth_user_id" not in client.session
    assert client.get("/login/two-factor/").status_code in (200, 302)
    assert actions().count("two_factor.code_failed") == 4


def test_the_second_step_expires_and_needs_a_password_first(client, sales):
    secret = enrol_two_factor(sales)
    assert client.get("/login/two-factor/")["Location"] == "/login/"
    sign_in(client)
    session = client.session
    session["kehu_two_factor_pending"]["at"] -= 3600
    session.save()
    response = enter_code(client, code_at(secret, 1))
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_a_current_code(client, sales):
    secret = enrol_two_factor(sales)
    client.force_login(sales)
    refused = client.post("/settings/two-factor/", {"action": "disable", "code": "123456"})
    assert b"not right" in refused.content and TwoFactor.objects.filter(user=sales).exists()
    client.post("/settings/two-factor/", {"action": "disable", "code": code_at(secret, 1)})
    assert not TwoFactor.objects.exists() and not RecoveryCode.objects.exists()
    assert actions()[-1] == "two_factor.disable"
    client.logout()
    sign_in(client)
    assert client.session["_auth_user_id"] == str(sales.pk)  # password alone again


# --- administrators must use it ----------------------------------------------------------


def test_an_administrator_without_two_factor_is_sent_to_enrol(client, bare_admin):
    client.force_login(bare_admin)
    for url in ("/customers/", "/settings/api-tokens/", "/privacy/requests/", "/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/settings/two-factor/", url
    api = client.get("/api/customers")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert client.get("/settings/two-factor/").status_code == 200
    _token, secret = api_token_create(actor=bare_admin, name="old script", scopes=["read"])
    by_token = client.get("/api/customers", headers={"Authorization": f"Bearer {secret}"})
    assert by_token.status_code == 403

    client.post("/settings/two-factor/", {"action": "start"})
    device = TwoFactor.objects.get(user=bare_admin)
    client.post("/settings/two-factor/", {"action": "confirm", "code": code_at(device.secret)})
    assert client.get("/customers/").status_code == 200
    assert client.get("/api/customers").status_code == 200


def test_an_administrator_in_chinese_gets_a_translated_api_message(client, bare_admin):
    client.force_login(bare_admin)
    response = client.get("/api/customers", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 403 and "两步" in response.json()["detail"]


# --- resets ------------------------------------------------------------------------------


def test_an_administrator_resets_someone_elses_two_factor(client, admin, sales):
    enrol_two_factor(sales)
    client.force_login(sales)
    assert client.get("/settings/two-factor/users/").status_code == 403
    assert client.post(f"/settings/two-factor/users/{sales.pk}/reset/").status_code == 403
    assert TwoFactor.objects.filter(user=sales).exists()

    client.force_login(admin)
    page = client.get("/settings/two-factor/users/").content.decode()
    assert "sales" in page
    client.post(f"/settings/two-factor/users/{sales.pk}/reset/")
    assert not TwoFactor.objects.filter(user=sales).exists()
    event = AuditEvent.objects.filter(action="two_factor.reset").get()
    assert event.actor == admin and event.object_id == str(sales.pk) and event.changes["via"] == "web"
    assert client.post("/settings/two-factor/users/987654/reset/").status_code == 404


def test_api_state_and_reset(admin, sales, client):
    from tests.api.conftest import ApiClient

    enrol_two_factor(sales)
    as_sales = ApiClient(sales)
    state = as_sales.get("/two-factor").json()
    assert state["enabled"] is True and state["required"] is False and state["recovery_codes_left"] == 10
    assert as_sales.post(f"/users/{sales.pk}/two-factor/reset").status_code == 403
    as_admin = ApiClient(admin)
    assert as_admin.post("/users/987654/two-factor/reset").status_code == 404
    response = as_admin.post(f"/users/{sales.pk}/two-factor/reset")
    assert response.status_code == 200 and response.json() == {"user_id": sales.pk, "reset": True}
    assert as_sales.get("/two-factor").json()["enabled"] is False


def test_reset_command_for_a_locked_out_operator(admin, capsys):
    call_command("reset-2fa", "admin")
    assert "was reset" in capsys.readouterr().out
    assert not TwoFactor.objects.filter(user=admin).exists()
    event = AuditEvent.objects.filter(action="two_factor.reset").get()
    assert event.actor is None and event.changes == {"via": "command", "had_authenticator": True}
    call_command("reset-2fa", "admin")
    assert "nothing to reset" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("reset-2fa", "nobody")
