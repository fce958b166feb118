"""Sign-in hardening: Argon2, throttling and lockout, idle timeout, sessions ending with the password."""

import pytest
from django.contrib.auth.hashers import identify_hasher

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, password, username="sales"):
    return client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_passwords_are_argon2(real_hashers, sales):
    sales.set_password("another-long-passphrase")
    assert identify_hasher(sales.password).algorithm == "argon2"


def test_lockout_after_repeated_failures_even_with_the_right_password(client, sales, settings):
    settings.KEHU_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD)
    assert "_auth_user_id" not in client.session and response.status_code == 200
    settings.KEHU_LOGIN_MAX_FAILURES = 100  # the window has "passed"
    sign_in(client, PASSWORD)
    assert client.session["_auth_user_id"] == str(sales.pk)


def test_success_clears_failures(client, sales, settings):
    settings.KEHU_LOGIN_MAX_FAILURES = 3
    sign_in(client, "wrong")
    sign_in(client, "wrong")
    sign_in(client, PASSWORD)
    client.logout()
    sign_in(client, "wrong")
    sign_in(client, PASSWORD)
    assert "_auth_user_id" in client.session


def test_idle_session_is_signed_out(client, sales, settings):
    client.force_login(sales)
    assert client.get("/customers/").status_code == 200
    session = client.session
    session["kehu_last_seen"] = session["kehu_last_seen"] - settings.KEHU_IDLE_MINUTES * 60 - 5
    session.save()
    assert client.get("/customers/").status_code == 302


def test_password_change_and_deactivation_end_sessions(client, sales):
    client.force_login(sales)
    assert client.get("/customers/").status_code == 200
    sales.set_password("a-brand-new-passphrase")
    sales.save()
    assert client.get("/customers/").status_code == 302
    client.force_login(sales)
    sales.is_active = False
    sales.save()
    assert client.get("/customers/").status_code == 302
