"""The customer page's Preferences card: next purchase, recommendations; visibility; both languages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from kehu.insights.config import AffinitySettings, ScoringConfig
from kehu.insights.services import scoring_run
from tests.insights.affinity_fixtures import AS_OF, build

pytestmark = pytest.mark.django_db


def detail(customer) -> str:
    return reverse("web:customer-detail", args=[customer.pk])


def card(response) -> str:
    body = response.content.decode()
    start = body.index('id="preferences"')
    return re.sub(r"\s+", " ", body[start: body.index("</section>", start)])


@pytest.fixture
def world(sales):
    shop = build(C4=sales, C12=sales)
    scoring_run(as_of=AS_OF, config=ScoringConfig(affinity=AffinitySettings(min_support=2)))
    return shop


def test_the_card_shows_the_estimate_and_the_recommendations(client, sales, world):
    client.force_login(sales)
    response = client.get(detail(world["C4"]))
    assert response.status_code == 200
    html = card(response)
    assert "Preferences and needs" in html and "as of 2025-06-30" in html
    assert "Favourite categories</dt><dd>护肤</dd>" in html
    # One purchase (2025-05-01): the BG/NBD gap or, without a fit on so small a base, no estimate; either way the
    # basis is said in words.
    assert "Only 1 purchase" in html
    assert "<strong>彩妆</strong>" in html and "<strong>彩妆B</strong>" in html
    assert escape("Bought by 50% of customers who bought 护肤 (1.5× as often as customers overall).") in html
    assert escape("Bought by 50% of customers who bought 护肤A (1.5× as often as customers overall).") in html
    assert "at least 2 customers" in html
    for name in ("C1", "C2", "C3", "C10", "C11"):  # other customers are never named
        assert world[name].name not in html.replace("C4", "")


def test_no_purchases(client, sales, world):
    client.force_login(sales)
    html = card(client.get(detail(world["C12"])))
    assert "No purchases yet, so there is nothing to estimate from." in html
    assert "None: no category is bought clearly more often" in html


def test_before_any_run(client, sales):
    shop = build(C4=sales)
    client.force_login(sales)
    html = card(client.get(detail(shop["C4"])))
    assert "Recommendations appear after the first scoring run." in html
    assert "no purchase-rate model has been fitted yet" in html


def test_the_card_in_chinese(client, sales, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(sales)
    html = card(client.get(detail(world["C4"])))
    assert "偏好与需求" in html and "偏好品类" in html and "下次购买" in html and "推荐品类" in html and "推荐商品" in html
    assert escape("购买过“护肤”的客户中有 50% 也购买了它（比例是全体客户的 1.5 倍）。") in html
    assert "仅有 1 次购买" in html and "至少 2 位客户" in html


def test_another_teams_customer_is_a_404(client, outsider, world):
    client.force_login(outsider)
    assert client.get(detail(world["C4"])).status_code == 404


def test_overdue_estimate_is_marked(client, sales, world):
    from kehu.sales import stats
    from tests.insights.affinity_fixtures import Basket

    shop = Basket.__new__(Basket)
    shop.count, shop.products = 800, {"A": world["A"]}
    regular = shop.customer("老顾客", owner=sales)
    for day in ("2025-01-01", "2025-01-11", "2025-01-21"):
        shop.order(regular, day, "A")
    stats.refresh_profiles([regular.pk])
    client.force_login(sales)
    html = card(client.get(detail(regular)))
    assert "2025-01-31" in html and 'class="badge danger">Overdue by' in html
    assert "usual 10 days between purchases" in html
