"""Drive the real pages in headless Chromium: sign in, create a person, find them by pinyin initials."""

from __future__ import annotations

import re

import pytest

from kehu.accounts.models import Role, Team
from kehu.customers.services import ContactPointData, customer_create
from tests.browser.conftest import SCREENSHOTS, needs_chromium
from tests.conftest import PASSWORD, make_user

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def seller(transactional_db):
    team = Team.objects.create(name="North")
    user = make_user("wang.sales", Role.SALES, team, display_name="Sales Wang")
    # A little company so the list and the search have something to tell apart.
    customer_create(actor=user, kind="person", name="张三", tags=["VIP"],
                    contact_points=[ContactPointData("mobile", "13800138000")])
    customer_create(actor=user, kind="organization", name="杭州云帆科技有限公司", owner=None, tags=["制造业"])
    customer_create(actor=user, kind="person", name="王晓梅", status="prospect")
    return user


def test_sign_in_create_person_and_find_by_pinyin_initials(live_server, seller, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/customers/")
    assert "/login/" in page.url  # anonymous → sign-in page

    page.fill("input[name=username]", "wang.sales")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/customers/$"))
    assert page.locator("table.customers").is_visible()

    page.click("nav.mainnav >> text=New person")
    page.wait_for_url(re.compile(r"/customers/new/person/$"))
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=contact-mobile]", "139 1234 5678")
    page.click("button:has-text('Create customer file')")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert page.locator("h1").inner_text() == "王小明"
    assert "139 1234 5678" in page.locator("#contacts").inner_text()
    # The blank "add" form is fetched when its fold opens, then posts in place.
    page.click("#contacts-add > summary")
    page.locator("input[name=contacts-add-value]").fill("wxm@example.com")
    page.select_option("select[name=contacts-add-type]", "email")
    page.click("#contacts-add button[type=submit]")
    page.locator("#contacts >> text=wxm@example.com").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "kehu-customer-page.png"), full_page=True)

    page.goto(f"{live_server.url}/customers/")
    page.locator("#id_q").press_sequentially("wxm", delay=60)
    # htmx swaps the results table in place and keeps the URL in step.
    page.wait_for_url(re.compile(r"q=wxm"))
    results = page.locator("#results")
    results.locator("text=王小明").wait_for()
    assert "张三" not in results.inner_text()
    assert "王晓梅" in results.inner_text()  # same initials: wxm
    page.screenshot(path=str(SCREENSHOTS / "kehu-list-search.png"), full_page=True)

    page.fill("#id_q", "")
    page.locator("#id_q").press("Enter")
    page.locator("#results >> text=张三").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "kehu-list.png"), full_page=True)
