"""Co-purchase neighbours computed by `kehu score`, against the hand-worked shop of affinity_fixtures."""

from __future__ import annotations

import math

import pytest

from kehu.insights import affinity
from kehu.insights.config import AffinitySettings, ScoringConfig, cutoff_of
from kehu.insights.models import ItemAffinity
from kehu.insights.services import scoring_run
from tests.insights.affinity_fixtures import AS_OF, build

pytestmark = pytest.mark.django_db
SETTINGS = AffinitySettings(min_support=2, top_k=10)


@pytest.fixture
def shop(db):
    return build()


def _table(kind: str) -> dict[tuple[str, str], ItemAffinity]:
    return {(row.item, row.other): row for row in ItemAffinity.objects.filter(as_of=AS_OF, kind=kind)}


def test_category_neighbours_match_the_hand_computation(shop):
    run = scoring_run(as_of=AS_OF, config=ScoringConfig(affinity=SETTINGS))
    rows = _table("category")
    assert set(rows) == {("护肤", "彩妆"), ("彩妆", "护肤")}  # 护肤–茶叶 has lift 0.75, the rest too little support
    forward, backward = rows["护肤", "彩妆"], rows["彩妆", "护肤"]
    assert (forward.both, forward.item_buyers, forward.other_buyers, forward.rank) == (3, 6, 3, 1)
    assert forward.confidence == pytest.approx(0.5) and forward.lift == pytest.approx(1.5)
    assert (backward.both, backward.item_buyers, backward.other_buyers) == (3, 3, 6)
    assert backward.confidence == pytest.approx(1.0) and backward.lift == pytest.approx(1.5)
    assert forward.cosine == pytest.approx(3 / math.sqrt(18), abs=1e-6) == backward.cosine
    assert run.diagnostics["affinity"]["category"] == {"buyers": 9, "items": 4, "pairs": 2, "left_out_customers": 0,
                                                       "neighbours": 2, "sampled_every": 1}
    assert run.parameters["affinity"] == {"min_support": 2, "top_k": 10, "max_items_per_customer": 100,
                                          "sample_customers": 100_000}


def test_product_neighbours_use_product_ids(shop):
    scoring_run(as_of=AS_OF, config=ScoringConfig(affinity=SETTINGS))
    a, b = str(shop["A"].pk), str(shop["B"].pk)
    rows = _table("product")
    assert set(rows) == {(a, b), (b, a)}
    assert rows[a, b].confidence == pytest.approx(0.5) and rows[a, b].lift == pytest.approx(1.5)


def test_refunded_cancelled_and_later_orders_do_not_count(shop):
    results = {r.kind: r for r in affinity.compute(cutoff_of(AS_OF), SETTINGS)}
    # Counting C7's refunded 护肤+彩妆, C8's cancelled 彩妆 or C9's July order would change every figure:
    # with them n(护肤) = 8, n(彩妆) = 5, both = 5.
    pair = next(n for n in results["category"].neighbours if (n.item, n.other) == ("护肤", "彩妆"))
    assert (pair.both, pair.item_buyers, pair.other_buyers) == (3, 6, 3)
    assert results["category"].buyers == 9 and results["product"].buyers == 9


def test_minimum_support_and_top_k(shop):
    strict = {r.kind: r for r in affinity.compute(cutoff_of(AS_OF), AffinitySettings(min_support=4))}
    assert strict["category"].neighbours == [] and strict["category"].items == 2  # only 护肤 (6) and 茶叶 (4)
    loose = {r.kind: r for r in affinity.compute(cutoff_of(AS_OF), AffinitySettings(min_support=1, top_k=1))}
    ranks = {(n.item, n.rank) for n in loose["category"].neighbours}
    assert all(rank == 1 for _item, rank in ranks) and len(ranks) == len({item for item, _rank in ranks})
    # With support 1, 香水's strongest neighbour: 彩妆 (1 of 2 香水 buyers, n(彩妆) = 3 → lift 1.5)
    # beats 护肤 (lift 0.75).
    best = {n.item: n for n in loose["category"].neighbours}
    assert best["香水"].other == "彩妆" and best["香水"].lift == pytest.approx(1.5)


def test_customers_with_too_many_items_are_left_out(shop):
    results = {r.kind: r for r in affinity.compute(cutoff_of(AS_OF), AffinitySettings(min_support=2,
                                                                                         max_items_per_customer=2))}
    # C3 bought three categories: without them N = 8, n(护肤) = 5, n(彩妆) = 2, both = 2 → lift (2/5) / (2/8) = 1.6.
    category = results["category"]
    assert category.left_out_customers == 1 and category.buyers == 8
    pair = next(n for n in category.neighbours if (n.item, n.other) == ("护肤", "彩妆"))
    assert (pair.both, pair.item_buyers, pair.other_buyers) == (2, 5, 2) and pair.lift == pytest.approx(1.6)


def test_re_running_a_date_replaces_its_neighbours(shop):
    config = ScoringConfig(affinity=SETTINGS)
    scoring_run(as_of=AS_OF, config=config)
    first = sorted(ItemAffinity.objects.values_list("kind", "item", "other", "rank", "both", "lift"))
    scoring_run(as_of=AS_OF, config=config)
    assert sorted(ItemAffinity.objects.values_list("kind", "item", "other", "rank", "both", "lift")) == first
    assert ItemAffinity.objects.count() == 4


def test_older_dates_are_dropped_but_the_current_one_is_kept(shop):
    import datetime

    config = ScoringConfig(affinity=SETTINGS)
    scoring_run(as_of=AS_OF, config=config)
    earlier = AS_OF - datetime.timedelta(days=30)
    scoring_run(as_of=earlier, config=config)  # a backfill: the current run's neighbours stay
    assert set(ItemAffinity.objects.values_list("as_of", flat=True)) == {AS_OF, earlier}
    later = AS_OF + datetime.timedelta(days=1)
    scoring_run(as_of=later, config=config)
    assert set(ItemAffinity.objects.values_list("as_of", flat=True)) == {AS_OF, later}


def test_an_empty_archive_has_no_neighbours(db):
    run = scoring_run(as_of=AS_OF)
    assert not ItemAffinity.objects.exists()
    assert run.diagnostics["affinity"]["product"]["buyers"] == 0


def test_settings_are_validated():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        ScoringConfig(affinity=AffinitySettings(min_support=0, top_k=101)).validate()
    assert set(error.value.message_dict) == {"affinity.min_support", "affinity.top_k"}


def test_a_large_base_is_counted_over_every_nth_customer(shop):
    assert affinity.sampling_step(12, AffinitySettings(sample_customers=6)) == 2
    assert affinity.sampling_step(13, AffinitySettings(sample_customers=6)) == 3
    assert affinity.sampling_step(10**6, AffinitySettings(sample_customers=None)) == 1
    results = {r.kind: r for r in affinity.compute(cutoff_of(AS_OF), AffinitySettings(min_support=1, sample_customers=6),
                                                   customers=12)}
    buyers = [shop[name].pk for name in ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C10", "C11")]
    assert results["category"].sampled_every == 2
    assert results["category"].buyers == sum(1 for pk in buyers if pk % 2 == 0)
