"""The dashboard's figures (kehu.insights.dashboard) on a hand-built archive, per viewer."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehu.insights.dashboard import UnknownRun, dashboard_of, parse_as_of, run_for
from kehu.segments.selectors import segment_figures
from kehu.segments.services import segment_create
from tests.dashboard_fixtures import AS_OF, PREVIOUS, build
from tests.insights_fixtures import scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(sales, outsider):
    return build(sales=sales, outsider=outsider)


def figures(viewer, as_of=None):
    return dashboard_of(viewer=viewer, run=run_for(as_of))


def test_manager_sees_every_customer(archive, manager):
    d = figures(manager)
    assert d.as_of == AS_OF
    assert (d.customers, d.buyers, d.revenue, d.clv_total) == (5, 4, Decimal("23840.00"), Decimal("155300.00"))
    assert [(t.name, t.customers, t.percent) for t in d.tiers] == [
        ("金牌", 2, 40.0), ("银牌", 1, 20.0), ("普通", 1, 20.0), ("", 1, 20.0)]
    assert d.rfm_grid == [[0, 0, 0, 1, 1], [0, 0, 1, 0, 0], [0] * 5, [0] * 5, [1, 0, 0, 0, 0]]
    assert [(g.key, g.customers, g.revenue, g.percent) for g in d.rfm_segments] == [
        ("champions", 2, Decimal("23000.00"), 96.5), ("loyal", 1, Decimal("800.00"), 3.4),
        ("lost", 1, Decimal("40.00"), 0.2), ("", 1, Decimal("0.00"), 0.0)]
    assert [(g.key, g.customers, g.revenue) for g in d.value_classes] == [
        ("important_value", 2, Decimal("23000.00")), ("important_keep", 1, Decimal("800.00")),
        ("general_retain", 1, Decimal("40.00")), ("", 1, Decimal("0.00"))]
    # log-spaced buckets [0,100) [100,300) [300,1k) [1k,3k) [3k,10k) [10k,30k) [30k,100k) [100k,300k), ends there
    assert [(b.low, b.high, b.customers) for b in d.clv_buckets] == [
        (0, 100, 1), (100, 300, 1), (300, 1000, 0), (1000, 3000, 0), (3000, 10000, 1), (10000, 30000, 0),
        (30000, 100000, 0), (100000, 300000, 1)]
    assert d.clv_unknown == 0
    assert [(r.risk, r.customers, r.clv) for r in d.churn_levels] == [
        ("high", 1, Decimal("250.00")), ("medium", 2, Decimal("150050.00")), ("none", 2, Decimal("5000.00"))]
    assert [c.name for c in d.at_risk] == ["客户丙", "客户乙", "客户丁"]  # by CLV
    movement = d.movement
    assert (movement.previous_as_of, movement.up, movement.down, movement.unchanged) == (PREVIOUS, 2, 1, 2)
    assert {(t.from_name, t.to_name, t.direction, t.customers) for t in movement.transitions} == {
        ("银牌", "金牌", "up", 1), ("金牌", "银牌", "down", 1), ("", "金牌", "up", 1)}


def test_salesperson_counts_only_what_they_may_see(archive, sales):
    d = figures(sales)  # their two customers and the pool's two, not the South team's 丙
    assert (d.customers, d.buyers, d.revenue, d.clv_total) == (4, 3, Decimal("3840.00"), Decimal("5300.00"))
    assert [(t.name, t.customers) for t in d.tiers] == [("金牌", 1), ("银牌", 1), ("普通", 1), ("", 1)]
    assert d.rfm_grid[0] == [0, 0, 0, 0, 1]
    assert [(g.key, g.revenue) for g in d.rfm_segments][0] == ("champions", Decimal("3000.00"))
    assert [b.customers for b in d.clv_buckets] == [1, 1, 0, 0, 1]
    assert [(r.risk, r.customers) for r in d.churn_levels] == [("high", 1), ("medium", 1), ("none", 2)]
    assert [c.name for c in d.at_risk] == ["客户乙", "客户丁"]
    assert (d.movement.up, d.movement.down, d.movement.unchanged) == (1, 1, 2)


def test_the_other_team_sees_its_own_share(archive, outsider):
    d = figures(outsider)
    assert d.customers == 3 and [c.name for c in d.at_risk] == ["客户丙", "客户丁"]
    assert d.movement.up == 1 and d.movement.down == 0


def test_reasons_are_the_churn_modules_words(archive, manager):
    second = figures(manager).at_risk[1]
    assert second.risk == "high" and second.tier == "银牌"
    assert second.reasons == [
        "No purchase for 200 days: 4.0× their usual 50.0 days between purchases.",
        "Spend in the last 90 days fell 86% against the 90 days before (700.00 → 100.00).",
    ]


def test_an_earlier_run_has_no_movement(archive, manager):
    d = figures(manager, PREVIOUS)
    assert d.customers == 1 and d.movement is None and d.tiers[0].name == "银牌"


def test_figures_take_a_fixed_number_of_queries(archive, manager, sales):
    figures(manager)  # the run's cells are built on first use (the fixture writes snapshots directly)
    for viewer in (manager, sales):
        with CaptureQueriesContext(connection) as queries:
            figures(viewer)
        # run lookup, tiers, deletions since the cells, cells, moves, (salesperson: customers changed
        # since, their snapshots), previous run, at-risk ids with a CLV (and without: here fewer than
        # ten have one), at-risk rows
        assert len(queries) <= 11, [q["sql"][:80] for q in queries]


def test_unknown_and_malformed_dates(archive):
    with pytest.raises(UnknownRun, match="no completed scoring run as of 2025-07-31"):
        run_for(parse_as_of("2025-07-31"))  # that run failed
    for raw in ("2025-02-30", "yesterday", "2025-6-1x"):
        with pytest.raises(ValidationError, match="is not a date"):
            parse_as_of(raw)
    assert parse_as_of("") is None and parse_as_of(None) is None


def test_saved_segments_within_visibility(archive, manager, sales):
    segment_create(actor=manager, values={"name": "流失预警", "conditions": [
        {"field": "churn_risk", "op": "is", "value": "medium"}]})
    run = run_for(None)
    [everyone] = segment_figures(viewer=manager, run=run)
    assert (everyone.name, everyone.customers, everyone.revenue) == ("流失预警", 2, Decimal("20040.00"))
    [theirs] = segment_figures(viewer=sales, run=run)
    assert (theirs.customers, theirs.revenue) == (1, Decimal("40.00"))


def test_real_scoring_run_feeds_the_dashboard(manager, sales, customer):
    run, _tiers = scored(manager, sales, customer)
    d = dashboard_of(viewer=sales, run=run)
    assert d.customers == 1 and d.buyers == 1 and d.tiers[0].name == "银牌"
    assert d.revenue == Decimal("600.00") and sum(sum(row) for row in d.rfm_grid) == 1


# ------------------------------------------------------------------ kehu dashboard


def command(*args: str) -> str:
    out = StringIO()
    call_command("dashboard", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_json_acts_as_the_user(archive, manager, sales):
    data = json.loads(command("--json", "--user", "sales"))
    assert data["as_of"] == "2025-06-30" and data["customers"] == 4
    assert data["available_runs"] == ["2025-06-30", "2025-03-31"]
    assert data["movement"]["up"] == 1 and data["revenue"] == "3840.00"
    assert [c["name"] for c in data["at_risk"]] == ["客户乙", "客户丁"]
    assert json.loads(command("--json", "--user", "manager"))["customers"] == 5


def test_command_text_and_earlier_run(archive, manager):
    text = command("--user", "manager")
    assert text.startswith("Insights dashboard as of 2025-06-30 for manager: 5 customers, 4 with purchases")
    assert "Tier movement since 2025-03-31: 2 up, 1 down, 2 unchanged" in text and "客户丙" in text
    assert "first scoring run" in command("--user", "manager", "--as-of", "2025-03-31")


def test_command_errors(archive, manager):
    with pytest.raises(CommandError, match="is not a date"):
        command("--user", "manager", "--as-of", "31/06/2025")
    with pytest.raises(CommandError, match="no completed scoring run as of 2024-01-01"):
        command("--user", "manager", "--as-of", "2024-01-01")
    with pytest.raises(CommandError, match="No active user"):
        command("--user", "nobody")


def test_command_without_a_run(manager):
    assert "No scoring run yet" in command("--user", "manager")
    assert json.loads(command("--json", "--user", "manager")) == {"as_of": None, "available_runs": []}


def test_at_risk_without_a_clv_come_after_those_with_one_by_spend(archive, manager):
    from kehu.insights.models import CustomerScore

    c1, c2, c3, c4, _c5 = archive["customers"]
    # 甲 at risk with no CLV and the highest spend; 丁 too, with less: after every CLV, by spend
    CustomerScore.objects.filter(customer=c1, as_of=AS_OF).update(clv=None, churn_risk="high")
    CustomerScore.objects.filter(customer=c4, as_of=AS_OF).update(clv=None)
    assert [c.name for c in figures(manager).at_risk] == ["客户丙", "客户乙", "客户甲", "客户丁"]
