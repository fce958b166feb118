"""In Chromium: open a customer, quick-log a call with Ctrl+Enter, add an order with two lines,
see both on the timeline; filter the timeline and load more."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kehu.accounts.models import Role, Team
from kehu.customers.services import ContactPointData, customer_create, profile_update
from kehu.interactions.models import Interaction
from kehu.sales.models import Order
from kehu.sales.services import product_save
from tests.browser.conftest import SCREENSHOTS, needs_chromium
from tests.conftest import PASSWORD, make_user
from tests.web.activity_helpers import make_call, make_order

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def scene(transactional_db):
    team = Team.objects.create(name="North")
    seller = make_user("wang.sales", Role.SALES, team, display_name="Sales Wang")
    admin = make_user("admin", Role.ADMINISTRATOR)
    product_save(actor=admin, values={"sku": "TEA-LJ", "name": "西湖龙井", "category": "茶叶", "price": Decimal("268")})
    product_save(actor=admin, values={"sku": "CUP-01", "name": "青瓷茶杯", "category": "茶具", "price": Decimal("45")})
    company = customer_create(actor=seller, kind="organization", name="杭州云帆科技有限公司",
                              contact_points=[ContactPointData("phone", "0571 8888 6666")])
    profile_update(actor=seller, customer=company, values={"credit_limit": Decimal("1000"), "payment_terms_days": 30})
    for n in range(24):
        make_call(seller, company, f"历史沟通 {n}", days=n + 2)
    make_order(seller, company, "SO-OLD", days=40)
    return seller, company


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", "wang.sales")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]:has-text('Sign in')")
    page.wait_for_url(re.compile(r"/customers/$"))


def test_quick_log_a_call_and_add_an_order_then_see_both_on_the_timeline(live_server, scene, browser_page):
    from playwright.sync_api import expect

    _seller, company = scene
    page = browser_page
    sign_in(page, live_server.url)
    page.click("text=杭州云帆科技有限公司")
    page.wait_for_url(re.compile(rf"/customers/{company.pk}/$"))
    assert "¥300.00" in page.locator("#figures").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kehu-360.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / "kehu-360-top.png"))

    # The content box has the focus: type and press Ctrl+Enter.
    content = page.locator("#quicklog textarea[name=log-content]")
    assert content.evaluate("el => el === document.activeElement")
    page.keyboard.type("客户询问龙井的批发价，答应明天报价")
    page.select_option("#quicklog select[name=log-outcome]", "interested")
    page.fill("#quicklog input[name=log-next_step]", "发报价单")
    content.focus()
    page.keyboard.press("Control+Enter")
    page.locator("#quicklog .flash").wait_for()
    first = page.locator("#timeline-entries > li.entry").first
    assert "客户询问龙井的批发价" in first.inner_text()
    assert Interaction.objects.filter(customer=company, next_step="发报价单").exists()
    # After the swap the form is fresh and focused again for the next note.
    assert page.locator("#quicklog textarea[name=log-content]").input_value() == ""

    page.click("#orders >> text=New order")
    page.wait_for_url(re.compile(r"/orders/new/$"))
    page.fill("input[name=number]", "SO-2025-001")
    page.select_option("select[name=lines-0-product]", label="西湖龙井 · TEA-LJ")
    assert page.input_value("input[name=lines-0-unit_price]") == "268.00"
    page.fill("input[name=lines-0-quantity]", "2")
    page.click("button:has-text('Add line')")
    page.fill("input[name=lines-1-product_name]", "定制礼盒")
    page.fill("input[name=lines-1-unit_price]", "30")
    assert page.locator("[data-order-total]").inner_text() == "566.00"
    page.screenshot(path=str(SCREENSHOTS / "kehu-order-form.png"), full_page=True)
    page.click("button:has-text('Record order')")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(number="SO-2025-001")
    assert order.total == Decimal("566.00") and order.lines.count() == 2
    page.screenshot(path=str(SCREENSHOTS / "kehu-order-detail.png"), full_page=True)

    page.goto(f"{live_server.url}/customers/{company.pk}/")
    entries = page.locator("#timeline-entries > li.entry")
    assert "SO-2025-001" in entries.nth(0).inner_text()
    assert "客户询问龙井的批发价" in entries.nth(1).inner_text()
    # 300 + 566 outstanding is within the 1000 limit; the figures show both.
    assert "¥866.00" in page.locator("#figures").inner_text()

    # Load more appends the next page in place.
    before = entries.count()
    page.click("#timeline-more a")
    # Locator waits, not wait_for_function: the page's CSP forbids evaluating strings.
    expect(entries.nth(before)).to_be_attached()
    # Filter to orders only.
    page.locator("#timeline .chip:has-text('Order') input").check()
    expect(page.locator("#timeline-entries > li.entry.interaction")).to_have_count(0)
    assert page.locator("#timeline-entries > li.entry.order").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "kehu-timeline-orders.png"))

    # The call's own page: edit it and see the history.
    call = Interaction.objects.get(next_step="发报价单")
    page.goto(f"{live_server.url}/customers/{company.pk}/communications/{call.pk}/")
    page.fill("input[name=edit-next_step]", "发正式报价单")
    page.locator("textarea[name=edit-content]").focus()
    page.keyboard.press("Control+Enter")
    page.locator(".history >> text=发正式报价单").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "kehu-communication.png"), full_page=True)

    page.goto(f"{live_server.url}/customers/{company.pk}/payments/new/")
    page.screenshot(path=str(SCREENSHOTS / "kehu-payment.png"), full_page=True)
    page.click("nav.mainnav >> text=Import")
    page.set_input_files("input[name=file]", files=[{"name": "people.csv", "mimeType": "text/csv",
                                                     "buffer": "name,phone\n钱九,13700005555\n,123\n".encode()}])
    page.click("button:has-text('Run import')")
    page.locator("#report").wait_for()
    assert "Dry run" in page.locator("#report").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "kehu-import.png"), full_page=True)


def test_phone_layout_of_the_customer_page(live_server, scene, browser_page):
    _seller, company = scene
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/{company.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(SCREENSHOTS / "kehu-360-phone.png"))
