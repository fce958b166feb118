"""In Chromium: a person's sensitive fields are masked; reveal them with a reason (htmx swap),
record a consent; the page source never holds the plaintext before the reveal."""

from __future__ import annotations

import os
import re

import pytest

from kehu.accounts.models import Role, Team
from kehu.audit.models import AuditEvent
from kehu.customers.models import Consent
from kehu.customers.services import ContactPointData, customer_create
from tests.browser.conftest import SCREENSHOTS, needs_chromium
from tests.conftest import PASSWORD, SENSITIVE_CONSENT, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CANARY = "BROWSER-CANARY-佛教"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def person(transactional_db):
    team = Team.objects.create(name="North")
    seller = make_user("wang.sales", Role.SALES, team, display_name="Sales Wang")
    return customer_create(
        actor=seller, kind="person", name="周敏", consents=[SENSITIVE_CONSENT],
        contact_points=[ContactPointData("mobile", "13800138000")],
        profile={"beliefs": CANARY, "id_number": "11010519491231002X", "blood_type": "AB", "employer": "云帆科技"},
    )


def test_masked_then_revealed_with_a_reason(live_server, person, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "wang.sales")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/customers/$"))
    page.goto(f"{live_server.url}/customers/{person.pk}/")
    assert CANARY not in page.content() and "11010519491231002X" not in page.content()
    expect(page.locator("#profile-basic")).to_contain_text("110***********002X")
    page.screenshot(path=str(SCREENSHOTS / "kehu-sensitive-masked.png"), full_page=True)

    page.click("#profile details.reveal > summary")
    page.fill("#profile textarea[name=reveal-reason]", "checking identity for the contract")
    page.screenshot(path=str(SCREENSHOTS / "kehu-reveal-dialog.png"))
    page.click("#profile button:has-text('Reveal')")
    expect(page.locator("#profile .reveal-note")).to_be_visible()
    expect(page.locator("#profile-basic")).to_contain_text("11010519491231002X")
    page.click("#profile a[data-tab=profile-personality]")
    expect(page.locator("#profile-personality")).to_contain_text(CANARY)
    page.screenshot(path=str(SCREENSHOTS / "kehu-revealed.png"))
    assert AuditEvent.objects.filter(action="privacy.reveal", customer_id=person.pk).count() == 1

    page.reload()
    assert CANARY not in page.content()

    page.click("#consents details > summary")
    page.select_option("#consents select[name=consent-purpose]", "marketing")
    page.fill("#consents input[name=consent-notice_version]", "2026-02")
    page.select_option("#consents select[name=consent-channel]", "online")
    page.click("#consents button:has-text('Record')")
    expect(page.locator("#consents ul.rows")).to_contain_text("2026-02")
    assert Consent.objects.filter(customer=person, purpose="marketing").exists()
    page.locator("#consents").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "kehu-consents.png"), full_page=True)
