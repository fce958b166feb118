"""A customer's recommendations from the stored neighbours (shop of affinity_fixtures)."""

from __future__ import annotations

import pytest
from django.utils import translation

from kehu.insights.config import AffinitySettings, ScoringConfig
from kehu.insights.models import ScoringRun
from kehu.insights.recommendations import preferences_of
from kehu.insights.services import scoring_run
from kehu.sales.models import ConsumptionProfile
from tests.insights.affinity_fixtures import AS_OF, Basket, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales, outsider):
    shop = build(C4=sales)
    scoring_run(as_of=AS_OF, config=ScoringConfig(affinity=AffinitySettings(min_support=2)))
    return shop


def test_a_customer_gets_what_buyers_of_their_items_also_bought(world, sales):
    found = preferences_of(viewer=sales, customer_id=world["C4"].pk)
    assert found.as_of == AS_OF and found.min_support == 2 and found.favourite_categories == ["护肤"]
    [category] = found.categories
    assert (category.name, category.because_of, category.both, category.source_buyers) == ("彩妆", "护肤", 3, 6)
    assert category.confidence == pytest.approx(0.5) and category.lift == pytest.approx(1.5)
    assert category.reason() == "Bought by 50% of customers who bought 护肤 (1.5× as often as customers overall)."
    [product] = found.products
    assert (product.product_id, product.name, product.category, product.because_of) == (
        world["B"].pk, "彩妆B", "彩妆", "护肤A")
    with translation.override("zh-hans"):
        assert category.reason() == "购买过“护肤”的客户中有 50% 也购买了它（比例是全体客户的 1.5 倍）。"


def test_nothing_already_bought_and_nothing_without_a_neighbour(world, manager):
    for name in ("C1", "C2", "C3"):  # they bought both 护肤 and 彩妆
        found = preferences_of(viewer=manager, customer_id=world[name].pk)
        assert found.categories == [] and found.products == []
    for name in ("C5", "C6", "C7"):  # 香水 and 茶叶 have no neighbour with lift above 1 (C7's 护肤 was refunded)
        found = preferences_of(viewer=manager, customer_id=world[name].pk)
        assert found.categories == [] and found.products == []


def test_refunded_purchases_are_not_what_the_customer_bought(world, manager):
    # Bought A (护肤) and had B (彩妆) refunded, after the run: B is still worth suggesting.
    shop = Basket.__new__(Basket)
    shop.count, shop.products = 900, {"A": world["A"], "B": world["B"]}
    later = shop.customer("后来的客户")
    shop.order(later, "2025-07-10", "A")
    shop.order(later, "2025-07-11", "B", status="refunded")
    from kehu.sales import stats

    stats.refresh_profiles([later.pk])
    found = preferences_of(viewer=manager, customer_id=later.pk)
    assert [c.name for c in found.categories] == ["彩妆"] and [p.product_id for p in found.products] == [world["B"].pk]


def test_inactive_products_are_not_suggested(world, manager):
    world["B"].active = False
    world["B"].save()
    found = preferences_of(viewer=manager, customer_id=world["C4"].pk)
    assert [c.name for c in found.categories] == ["彩妆"] and found.products == []


def test_no_purchases_and_no_run(world, manager):
    found = preferences_of(viewer=manager, customer_id=world["C12"].pk)
    assert found.categories == [] and found.products == [] and found.next_purchase.basis == "no_purchases"
    ScoringRun.objects.all().delete()
    found = preferences_of(viewer=manager, customer_id=world["C4"].pk)
    assert found.as_of is None and found.categories == [] and found.next_purchase.basis in ("too_few", "model")


def test_another_teams_customer_is_not_found(world, outsider, sales):
    assert preferences_of(viewer=outsider, customer_id=world["C4"].pk) is None
    assert preferences_of(viewer=sales, customer_id=world["C4"].pk) is not None


def test_a_page_that_has_read_the_rest_pays_three_queries(world, sales, django_assert_num_queries):
    run = ScoringRun.current()
    profile = ConsumptionProfile.objects.get(customer=world["C4"])
    with django_assert_num_queries(3):  # the customer's products, their neighbours, the products' names
        found = preferences_of(viewer=sales, customer_id=world["C4"].pk, run=run, profile=profile, score=None,
                               preloaded=True)
    assert [c.name for c in found.categories] == ["彩妆"]


def test_a_long_history_is_read_from_its_latest_orders(world, manager, monkeypatch):
    from kehu.insights import recommendations

    # C2 bought A (护肤) on 2025-02-01, then B (彩妆) on 2025-04-01. Reading only the latest order, B is
    # their product: A is then suggested because of B (the page's read stays bounded whatever the history).
    monkeypatch.setattr(recommendations, "RECENT_ORDERS", 1)
    assert recommendations.bought_products(world["C2"].pk) == {world["B"].pk}
    found = preferences_of(viewer=manager, customer_id=world["C2"].pk)
    assert found.categories == []  # categories come from the whole history (the profile): both bought
    assert [(p.product_id, p.because_of) for p in found.products] == [(world["A"].pk, "彩妆B")]
