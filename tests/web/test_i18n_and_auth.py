"""Sign-in, sign-out, and every main page rendering in both languages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD, make_organization

pytestmark = pytest.mark.django_db


def test_sign_in_and_out(client, sales):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    bad = client.post(reverse("login"), {"username": "sales", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(reverse("login"), {"username": "sales", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.get(response["Location"])["Location"] == reverse("web:customer-list")
    assert client.get(reverse("logout")).status_code == 405  # sign-out is a POST
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("web:customer-list")).status_code == 302


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_render_in_both_languages(client, sales, customer, language):
    company = make_organization(sales)
    client.force_login(sales)
    urls = [
        reverse("web:customer-list"),
        reverse("web:customer-list") + "?q=zs",
        reverse("web:customer-detail", args=[customer.pk]),
        reverse("web:customer-detail", args=[company.pk]),
        reverse("web:customer-edit", args=[customer.pk]),
        reverse("web:person-create"),
        reverse("web:organization-create"),
        reverse("web:api-token-list"),
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


def test_language_switch_sets_the_cookie(client, sales):
    client.force_login(sales)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("web:customer-list")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(reverse("web:customer-list"))
    assert '<html lang="zh-hans">' in page.content.decode()


def test_login_page_renders_for_anonymous_in_chinese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("login"))
    assert response.status_code == 200 and '<html lang="zh-hans">' in response.content.decode()
