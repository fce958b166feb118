"""Drive two-factor sign-in in headless Chromium: an administrator must enrol, then signs in with a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from kehu.accounts.models import Role, TwoFactor
from kehu.customers.services import customer_create
from tests.browser.conftest import SCREENSHOTS, needs_chromium
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def administrator(transactional_db):
    user = make_user("li.admin", Role.ADMINISTRATOR, display_name="Admin Li")
    customer_create(actor=user, kind="person", name="张三")  # so the list has a table to show
    return user


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/customers/")
    page.fill("input[name=username]", "li.admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:has-text('Sign in')")


def test_administrator_enrols_then_signs_in_with_a_code(live_server, administrator, browser_page):
    page = browser_page
    sign_in(page, live_server.url)
    # No two-factor yet: an administrator is sent to set it up before anything else.
    page.wait_for_url(re.compile(r"/two-factor/"))
    page.goto(f"{live_server.url}/customers/")
    assert "/two-factor/" in page.url
    page.click("button:has-text('Set up two-factor sign-in')")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert page.locator(".qr svg").count() == 1  # the QR code is drawn inline, no image service
    assert secret == TwoFactor.objects.get(user=administrator).secret

    page.fill("#id_confirm_code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.click("button:has-text('Turn on')")
    page.wait_for_selector(".field.has-error .errorlist")  # a wrong code is refused, said at the field
    page.fill("#id_confirm_code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Turn on')")
    assert page.locator("ul.recovery-codes li").count() >= 8
    page.goto(f"{live_server.url}/customers/")
    assert page.locator("table.customers").is_visible()

    page.click("button:has-text('Sign out')")
    sign_in(page, live_server.url)
    page.wait_for_url(re.compile(r"/login/two-factor/"))
    page.fill("input[name=code]", "12345")
    page.click("button:has-text('Verify')")
    page.wait_for_selector(".field.has-error .errorlist, .alert.error")
    assert "/login/two-factor/" in page.url
    # The enrolment used this time step's code, and a code works once: the next step's (accepted
    # one step early, for clocks a little apart) signs in.
    page.fill("input[name=code]", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("button:has-text('Verify')")
    page.wait_for_url(re.compile(r"/customers/$"))
    assert page.locator("table.customers").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "kehu-two-factor-signed-in.png"))
