"""Tier rules: validation errors, evaluation top-down, overrides and expiry, history, permissions."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.insights import selectors
from kehu.insights.choices import TierSource
from kehu.insights.dashboard import dashboard_of, run_for
from kehu.insights.models import CustomerScore, Tier, TierChange, TierOverride
from kehu.insights.services import (
    scoring_run,
    tier_in_force,
    tier_override_end,
    tier_override_set,
    tiers_define,
)
from tests.insights.conftest import AS_OF

pytestmark = pytest.mark.django_db

GOLD = {"name": "金牌", "conditions": [{"field": "rfm_score_total", "op": ">=", "value": 10}]}
SILVER = {"name": "银牌", "conditions": [{"field": "total_spend", "op": ">=", "value": 300}]}
ORDINARY = {"name": "普通", "conditions": []}


def define(actor, *tiers):
    return tiers_define(actor=actor, tiers=list(tiers))


def errors_of(actor, *tiers) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        define(actor, *tiers)
    return error.value.message_dict


# ---------------------------------------------------------------- validation


def test_empty_tier_list_is_rejected(manager):
    assert errors_of(manager) == {"tiers": ["Define at least one tier."]}


def test_unknown_field_bad_operator_and_bad_values(manager):
    errors = errors_of(
        manager,
        {"name": "A", "conditions": [{"field": "rfm_scor_total", "op": ">=", "value": 12}]},
        {"name": "B", "conditions": [{"field": "clv", "op": "~", "value": 1}]},
        {"name": "C", "conditions": [{"field": "rfm_segment", "op": "==", "value": "heroes"}]},
        {"name": "D", "conditions": [{"field": "total_spend", "op": ">=", "value": "lots"}]},
        {"name": "E", "match": "most", "conditions": [{"field": "clv", "op": "between", "value": [5, 1]}]},
        {"name": "F", "conditions": [{"field": "tags", "op": "has", "value": ""}, "clv > 3"]},
    )
    assert "Unknown field “rfm_scor_total”" in errors["tiers[0].conditions[0].field"][0]
    assert "rfm_score_total" in errors["tiers[0].conditions[0].field"][0]  # the message lists what exists
    assert "Operator “~” does not apply to clv" in errors["tiers[1].conditions[0].op"][0]
    assert "“heroes” is not a value of rfm_segment" in errors["tiers[2].conditions[0].value"][0]
    assert errors["tiers[3].conditions[0].value"] == ["total_spend is compared with a number."]
    assert set(errors) >= {"tiers[4].match", "tiers[4].conditions[0].value", "tiers[5].conditions[0].value",
                           "tiers[5].conditions[1]"}
    assert not Tier.objects.exists()


def test_duplicate_names_are_rejected(manager):
    errors = errors_of(manager, GOLD, {"name": " 金牌 ", "conditions": []}, {"name": "", "conditions": []})
    assert errors == {"tiers[1].name": ["“金牌” is already the name of tier 1."],
                      "tiers[2].name": ["A tier needs a name."]}


@pytest.mark.parametrize(("tiers", "blocked"), [
    # a catch-all in the middle takes everyone below it
    ([ORDINARY, GOLD], 1),
    # ≥ 5000 can never be reached under ≥ 1000
    ([{"name": "a", "conditions": [{"field": "clv", "op": ">=", "value": 1000}]},
      {"name": "b", "conditions": [{"field": "clv", "op": ">=", "value": 5000}]}], 1),
    # the same rule twice
    ([GOLD, {"name": "again", "conditions": GOLD["conditions"]}], 1),
    # "any" above covers one of two "all" conditions
    ([{"name": "a", "match": "any", "conditions": [{"field": "rfm_segment", "op": "in", "value": ["champions", "loyal"]},
                                                    {"field": "clv", "op": ">", "value": 9}]},
      {"name": "b", "conditions": [{"field": "rfm_segment", "op": "==", "value": "loyal"},
                                   {"field": "order_count", "op": ">=", "value": 3}]}], 1),
])
def test_overlapping_tiers_that_can_never_match_are_rejected(manager, tiers, blocked):
    errors = errors_of(manager, *tiers)
    assert list(errors) == [f"tiers[{blocked}]"]
    assert "can never match" in errors[f"tiers[{blocked}]"][0]


def test_narrower_tier_first_is_fine(manager):
    define(manager,
           {"name": "a", "conditions": [{"field": "clv", "op": ">=", "value": 5000}]},
           {"name": "b", "conditions": [{"field": "clv", "op": ">=", "value": 1000}]},
           {"name": "c", "conditions": [{"field": "clv", "op": "<", "value": 1000}, {"field": "kind", "op": "==",
                                                                                    "value": "person"}]},
           ORDINARY)
    assert [t.name for t in selectors.tier_list()] == ["a", "b", "c", "普通"]


def test_only_managers_define_tiers(sales, analyst):
    for actor in (sales, analyst):
        with pytest.raises(PermissionDenied):
            define(actor, GOLD)
    assert not Tier.objects.exists()


def test_redefining_keeps_identity_and_retires_the_missing(admin):
    gold, silver, ordinary = define(admin, GOLD, SILVER, ORDINARY)
    again = define(admin, {"name": "金牌", "conditions": [{"field": "rfm_score_total", "op": ">=", "value": 12}]},
                   ORDINARY)
    assert [t.pk for t in again] == [gold.pk, ordinary.pk]
    silver.refresh_from_db()
    assert not silver.active
    assert AuditEvent.objects.filter(action="insights.tier_retire", object_id=str(silver.pk)).exists()
    assert AuditEvent.objects.filter(action="insights.tier_save", object_id=str(gold.pk)).count() == 2


# ---------------------------------------------------------------- evaluation and history


def test_tiers_evaluated_top_down_with_reason(base, shop, manager):
    define(manager, GOLD, SILVER, ORDINARY)
    run = scoring_run(as_of=AS_OF)
    tiers = {s.customer.name: s for s in CustomerScore.objects.filter(run=run).select_related("customer")}
    # totals A/B 11 → 金牌; D spent 1050 (R+F+M = 7) → 银牌; E 400 → 银牌; C 50 and F (no orders) → 普通
    assert {n: s.tier.name for n, s in tiers.items()} == {
        "A": "金牌", "B": "金牌", "C": "普通", "D": "银牌", "E": "银牌", "F": "普通"}
    assert tiers["A"].tier_reason(run.parameters) == "金牌: rfm_score_total >= 10"
    assert tiers["F"].tier_reason(run.parameters) == "普通: *"
    assert tiers["A"].tier_source == TierSource.RULE
    assert run.counts["tier"] == {"普通": 2, "金牌": 2, "银牌": 2}
    # the first run is the baseline of the history: no million "changes"
    assert not TierChange.objects.exists()
    # a customer who appears later enters a tier: that is recorded
    shop.customer("G")
    scoring_run(as_of=AS_OF + datetime.timedelta(days=1))
    assert list(TierChange.objects.values_list("customer__name", "from_tier", "to_name")) == [("G", None, "普通")]


def test_profile_fields_and_tags_in_rules(base, manager):
    from kehu.customers.models import Tag

    vip = Tag.objects.create(name="VIP")
    base["C"].tags.add(vip)
    base["F"].custom_fields = {"level": 7}
    base["F"].save()
    define(manager,
           {"name": "tagged", "conditions": [{"field": "tags", "op": "has", "value": "VIP"}]},
           {"name": "custom", "conditions": [{"field": "custom_fields.level", "op": ">=", "value": 5}]},
           {"name": "people", "conditions": [{"field": "kind", "op": "==", "value": "person"},
                                             {"field": "status", "op": "in", "value": ["active", "prospect"]}]})
    run = scoring_run(as_of=AS_OF)
    got = dict(CustomerScore.objects.filter(run=run).values_list("customer__name", "tier__name"))
    assert got == {"A": "people", "B": "people", "C": "tagged", "D": "people", "E": "people", "F": "custom"}


def test_tier_changes_are_recorded_once_per_date(base, shop, manager):
    define(manager, GOLD, SILVER, ORDINARY)
    later = AS_OF + datetime.timedelta(days=15)
    scoring_run(as_of=AS_OF)
    shop.order(base["C"], AS_OF + datetime.timedelta(days=5), 2000)
    scoring_run(as_of=later)
    first = sorted(TierChange.objects.filter(as_of=later).values_list("customer__name", "from_name", "to_name"))
    scoring_run(as_of=later)  # idempotent: the same changes, not twice
    changes = sorted(TierChange.objects.filter(as_of=later).values_list("customer__name", "from_name", "to_name"))
    # C's big order lifts C to the top; scores are relative, so B (A's twin without A's July order) slips
    assert changes == first == [("B", "金牌", "银牌"), ("C", "普通", "金牌")]
    assert TierChange.objects.get(as_of=later, customer=base["C"]).reason == "金牌: rfm_score_total >= 10"
    assert CustomerScore.objects.filter(as_of=later).count() == 6
    history = selectors.tier_history(viewer=manager, customer_id=base["C"].pk)
    assert [(c.from_name, c.to_name) for c in history] == [("普通", "金牌")]


def test_backfilling_an_earlier_date_records_no_changes(base, manager):
    define(manager, GOLD, SILVER, ORDINARY)
    scoring_run(as_of=AS_OF)
    before = TierChange.objects.count()
    scoring_run(as_of=AS_OF - datetime.timedelta(days=200))
    assert TierChange.objects.count() == before


def _moves(manager, as_of) -> set[tuple[str, str, int]]:
    movement = dashboard_of(viewer=manager, run=run_for(as_of)).movement
    assert movement.up + movement.down == sum(t.customers for t in movement.transitions)
    return {(t.from_name, t.to_name, t.customers) for t in movement.transitions}


def _snapshot_moves(before: datetime.date, after: datetime.date) -> set[tuple[str, str, int]]:
    """Tier moves between two dates, counted here customer by customer."""
    tiers = {day: dict(CustomerScore.objects.filter(as_of=day).values_list("customer_id", "tier__name"))
             for day in (before, after)}
    pairs = Counter((tiers[before].get(c) or "", t or "") for c, t in tiers[after].items()
                    if tiers[before].get(c) != t)
    return {(old, new, n) for (old, new), n in pairs.items()}


def test_dashboard_movement_of_a_backfilled_date_compares_the_snapshots(base, shop, manager):
    define(manager, GOLD, SILVER, ORDINARY)
    middle, later = AS_OF + datetime.timedelta(days=10), AS_OF + datetime.timedelta(days=15)
    scoring_run(as_of=AS_OF)
    shop.order(base["C"], AS_OF + datetime.timedelta(days=5), 2000)  # seen from the middle date on
    shop.order(base["E"], AS_OF + datetime.timedelta(days=12), 3000)  # seen only by the later run
    scoring_run(as_of=later)
    assert _moves(manager, later) == _snapshot_moves(AS_OF, later)  # the changes the run recorded
    scoring_run(as_of=middle)  # a backfill between the two records no changes ...
    # ... yet its movement against the run before it is there, read off the two snapshots
    assert _moves(manager, middle) == _snapshot_moves(AS_OF, middle) == {("普通", "金牌", 1), ("金牌", "银牌", 1)}
    # and the later run now follows the backfilled one: its recorded changes (against AS_OF)
    # no longer describe that step, so it compares the snapshots too
    movement = dashboard_of(viewer=manager, run=run_for(later)).movement
    assert movement.previous_as_of == middle
    assert _moves(manager, later) == _snapshot_moves(middle, later) != set()


# ---------------------------------------------------------------- overrides


@pytest.fixture
def today_base(shop):
    today = timezone.localdate()
    big, small = shop.customer("big"), shop.customer("small")
    for days in (3, 40, 90):
        shop.order(big, today - datetime.timedelta(days=days), 500)
    shop.order(small, today - datetime.timedelta(days=20), 20)
    return {"big": big, "small": small}


def test_override_wins_until_it_expires(today_base, manager):
    gold, silver, ordinary = define(manager, GOLD, SILVER, ORDINARY)
    small = today_base["small"]
    scoring_run(as_of=timezone.localdate() - datetime.timedelta(days=1))  # the baseline
    assert tier_in_force(small.pk) == ordinary
    override = tier_override_set(actor=manager, customer=small, tier=gold, reason="战略客户",
                                 expires_at=timezone.now() + datetime.timedelta(days=30))
    assert tier_in_force(small.pk) == gold
    change = TierChange.objects.filter(customer=small).order_by("-id").first()
    assert (change.from_name, change.to_name, change.cause, change.actor) == ("普通", "金牌", "override", manager)
    # the next run keeps the override and does not record the move twice
    scoring_run()
    score = CustomerScore.objects.get(customer=small, as_of=timezone.localdate())
    assert (score.tier, score.rule_tier, score.tier_source) == (gold, ordinary, "override")
    assert score.tier_reason({}) == "战略客户" and score.override == override
    assert TierChange.objects.filter(customer=small, to_tier=gold).count() == 1
    # time passes: the override lapses, the page falls back at once, the next run records the move back
    TierOverride.objects.filter(pk=override.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    insight = selectors.insight_of(viewer=manager, customer_id=small.pk)
    assert insight.tier == ordinary and insight.override is None and insight.tier_reason == "普通: *"
    scoring_run()
    last = TierChange.objects.filter(customer=small).order_by("-id").first()
    assert (last.from_name, last.to_name, last.cause) == ("金牌", "普通", "scoring")
    assert CustomerScore.objects.get(customer=small, as_of=timezone.localdate()).tier == ordinary


def test_new_override_replaces_the_open_one_and_can_be_ended(today_base, manager):
    gold, silver, ordinary = define(manager, GOLD, SILVER, ORDINARY)
    small = today_base["small"]
    scoring_run()
    first = tier_override_set(actor=manager, customer=small, tier=gold, reason="a")
    second = tier_override_set(actor=manager, customer=small, tier=silver, reason="b")
    first.refresh_from_db()
    assert first.ended_at is not None and second.ended_at is None
    tier_override_end(actor=manager, override=second, reason="done")
    assert tier_in_force(small.pk) == ordinary
    moves = list(TierChange.objects.filter(customer=small).exclude(cause="scoring").order_by("id")
                 .values_list("to_name", "cause"))
    assert moves == [("金牌", "override"), ("银牌", "override"), ("普通", "override_ended")]
    with pytest.raises(ValidationError):
        tier_override_end(actor=manager, override=second)
    assert AuditEvent.objects.filter(action__startswith="insights.tier_override", customer_id=small.pk).count() == 3


def test_override_validation_and_permissions(today_base, manager, sales, admin):
    gold, silver, ordinary = define(manager, GOLD, SILVER, ORDINARY)
    small = today_base["small"]
    with pytest.raises(ValidationError) as error:
        tier_override_set(actor=manager, customer=small, tier=gold, reason="  ",
                          expires_at=timezone.now() - datetime.timedelta(days=1))
    assert set(error.value.message_dict) == {"reason", "expires_at"}
    define(manager, GOLD, ORDINARY)  # 银牌 retired
    with pytest.raises(ValidationError) as error:
        tier_override_set(actor=manager, customer=small, tier=silver, reason="x")
    assert list(error.value.message_dict) == ["tier"]
    with pytest.raises(PermissionDenied):
        tier_override_set(actor=sales, customer=small, tier=gold, reason="x")
    assert not TierOverride.objects.exists()
    assert tier_override_set(actor=admin, customer=small, tier=gold, reason="x").created_by == admin


# ---------------------------------------------------------------- selectors


def test_selectors_respect_visibility(today_base, manager, outsider, sales):
    define(manager, GOLD, SILVER, ORDINARY)
    big = today_base["big"]
    big.owner = sales
    big.team = sales.team
    big.save()
    scoring_run()
    insight = selectors.insight_of(viewer=manager, customer_id=big.pk)
    assert insight.score.order_count == 3 and insight.tier is not None
    assert selectors.insight_of(viewer=outsider, customer_id=big.pk) is None
    assert selectors.scores_for(viewer=outsider, customer_ids=[big.pk]) == {}
    assert set(selectors.scores_for(viewer=sales, customer_ids=[big.pk])) == {big.pk}
    assert selectors.tier_history(viewer=outsider, customer_id=big.pk) == []
    assert list(selectors.customers_in_tier(viewer=outsider, tier=insight.tier)) == []
    assert selectors.scoring_runs(viewer=outsider) == [] and len(selectors.scoring_runs(viewer=manager)) == 1


def test_retiring_a_tier_ends_its_overrides(today_base, manager):
    gold, silver, ordinary = define(manager, GOLD, SILVER, ORDINARY)
    small = today_base["small"]
    scoring_run()
    override = tier_override_set(actor=manager, customer=small, tier=silver, reason="试用")
    define(manager, GOLD, ORDINARY)
    override.refresh_from_db()
    assert override.ended_at is not None and override.ended_by == manager
    assert tier_in_force(small.pk) == ordinary
    last = TierChange.objects.filter(customer=small).order_by("-id").first()
    assert (last.from_name, last.to_name, last.cause, last.reason) == ("银牌", "普通", "override_ended",
                                                                       "Tier “银牌” was retired.")


def test_reading_a_customers_figures_is_a_fixed_number_of_queries(today_base, manager, django_assert_max_num_queries):
    define(manager, GOLD, SILVER, ORDINARY)
    scoring_run()
    big = today_base["big"]
    # visibility, current run, the snapshot (unique index), the override
    with django_assert_max_num_queries(4):
        insight = selectors.insight_of(viewer=manager, customer_id=big.pk)
    assert insight.score is not None and insight.tier_reason
    ids = list(CustomerScore.objects.values_list("customer_id", flat=True))
    with django_assert_max_num_queries(2):
        assert set(selectors.scores_for(viewer=manager, customer_ids=ids)) == set(ids)
