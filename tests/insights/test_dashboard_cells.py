"""Stored dashboard cells give the figures a live count over `visible_to` gives — after
customers change owner or team, after deletions, past the drift limit, for every viewer."""

from __future__ import annotations

import pytest
from django.db.models import Count

from kehu.customers.selectors import visible_to
from kehu.customers.services import customer_delete, customer_update
from kehu.insights import cube, dashboard_cells
from kehu.insights.dashboard import run_for, visible_scores
from kehu.insights.models import CustomerScore, DashboardCell, DashboardMove, TierChange
from tests.dashboard_fixtures import build
from tests.insights_fixtures import scored

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(sales, outsider):
    return build(sales=sales, outsider=outsider)


def live(viewer, run):
    """The figures counted from the snapshots the viewer may see now (what the cells replace)."""
    changes = TierChange.objects.filter(as_of=run.as_of, cause="scoring",
                                        customer_id__in=visible_to(viewer).values("pk"))
    moves = {(old, new, n) for old, new, n in changes.values_list("from_tier_id", "to_tier_id")
             .annotate(n=Count("*")).order_by()}
    return cube.combine([(1, cube.count(visible_scores(viewer=viewer, run=run)))]), moves


def stored(viewer, run):
    figures = dashboard_cells.figures_for(viewer, run)
    return figures.cube, set(figures.moves)


def assert_same_for(run, *viewers):
    for viewer in viewers:
        assert stored(viewer, run) == live(viewer, run), viewer.username


def customers_in(viewer, run) -> int:
    return sum(group["n"] for group in stored(viewer, run)[0])


def test_cells_are_built_once_and_match_every_viewer(archive, manager, sales, outsider):
    run = run_for(None)
    assert run.cells_built_at is None  # the fixture writes snapshots directly
    assert_same_for(run, manager, sales, outsider)
    run.refresh_from_db()
    assert run.cells_built_at is not None and DashboardCell.objects.filter(run=run).count() == 5
    assert [customers_in(v, run) for v in (manager, sales, outsider)] == [5, 4, 3]


def test_a_customer_handed_to_another_owner_is_counted_where_it_is_now(archive, manager, sales, outsider):
    run = dashboard_cells.refresh(run_for(None))  # built
    c1, _c2, c3, _c4, _c5 = archive["customers"]
    before = c3.updated_at
    customer_update(actor=manager, customer=c3, changes={"owner": sales})  # South → North, team follows
    c3.refresh_from_db()
    assert c3.updated_at > before  # what `movers` relies on
    assert dashboard_cells.movers(run) == [c3.pk]
    assert_same_for(run, manager, sales, outsider)
    assert [customers_in(v, run) for v in (manager, sales, outsider)] == [5, 5, 2]
    customer_update(actor=manager, customer=c1, changes={"owner": None})  # into the pool: everyone sees it
    assert_same_for(run, manager, sales, outsider)
    assert [customers_in(v, run) for v in (sales, outsider)] == [5, 3]


def test_a_team_move_alone_changes_who_sees_it(archive, manager, sales, outsider):
    run = dashboard_cells.refresh(run_for(None))
    c2 = archive["customers"][1]
    customer_update(actor=manager, customer=c2, changes={"team": outsider.team})  # still owned by sales
    assert_same_for(run, manager, sales, outsider)
    assert [customers_in(v, run) for v in (sales, outsider)] == [4, 4]


def test_a_deleted_customer_leaves_the_cells(archive, manager, sales, outsider):
    run = dashboard_cells.refresh(run_for(None))
    customer_delete(actor=manager, customer=archive["customers"][0])
    assert_same_for(run, manager, sales, outsider)
    assert [customers_in(v, run) for v in (manager, sales, outsider)] == [4, 3, 3]


@pytest.mark.parametrize("limit", ["DRIFT_LIMIT", "RECENT_LIMIT"])
def test_past_the_drift_limit_the_snapshots_take_the_new_owners(archive, manager, sales, outsider, monkeypatch,
                                                                limit):
    run = dashboard_cells.refresh(run_for(None))
    c3 = archive["customers"][2]
    customer_update(actor=manager, customer=c3, changes={"owner": sales})
    monkeypatch.setattr(dashboard_cells, limit, 0)
    assert dashboard_cells.movers(run) is None
    assert_same_for(run, sales, outsider, manager)
    run.refresh_from_db()
    monkeypatch.undo()
    assert dashboard_cells.movers(run) == []
    assert CustomerScore.objects.get(as_of=run.as_of, customer=c3).owner_id == sales.pk


def test_a_scoring_run_builds_its_cells(manager, sales, outsider, customer):
    run, _tiers = scored(manager, sales, customer)
    assert run.cells_built_at is not None and DashboardCell.objects.filter(run=run).exists()
    score = CustomerScore.objects.get(as_of=run.as_of, customer=customer)
    assert (score.owner_id, score.team_id) == (customer.owner_id, customer.team_id)
    assert_same_for(run, manager, sales, outsider)


def test_cells_counted_in_the_run_equal_a_count_of_its_snapshots(shop, manager, sales, outsider):
    """The run groups its cells from its arrays (snapshots.dashboard_groups), not from the rows
    it wrote: every figure of every cell must be what the database counts from those rows."""
    import datetime
    import random

    from kehu.insights.models import ScoringRun
    from kehu.insights.services import scoring_run, tiers_define
    from tests.insights_fixtures import GOLD, ORDINARY, SILVER

    tiers_define(actor=manager, tiers=[GOLD, SILVER, ORDINARY])
    rng = random.Random(7)
    owners = [(sales, sales.team), (outsider, outsider.team), (None, None), (None, outsider.team)]
    for i in range(240):
        owner, team = rng.choice(owners)
        customer = shop.customer(f"客户{i}", owner=owner, team=team)
        for _ in range(rng.choice((0, 1, 2, 3, 6))):
            shop.order(customer, datetime.date(2025, 6, 30) - datetime.timedelta(days=rng.randrange(700)),
                       round(rng.uniform(5, 3000), 2))
    scoring_run(actor=manager, as_of=datetime.date(2025, 3, 31))
    run = scoring_run(actor=manager, as_of=datetime.date(2025, 6, 30))  # with tier moves from the first
    keys = cube.OWNER_KEYS + cube.CUBE_KEYS
    stored_cells = cube.add_up(DashboardCell.objects.filter(run=run), keys)
    counted = cube.count(CustomerScore.objects.filter(as_of=run.as_of), keys)
    assert len(stored_cells) > 20 and cube.combine([(1, stored_cells)], keys) == cube.combine([(1, counted)], keys)
    assert ScoringRun.objects.get(pk=run.pk).diagnostics and any(c["clv_ge_3"] for c in stored_cells)
    move_keys = (*cube.OWNER_KEYS, "from_tier_id", "to_tier_id", "n")
    stored_moves = sorted(DashboardMove.objects.filter(run=run).values_list(*move_keys), key=str)
    assert len(stored_moves) > 3 and stored_moves == sorted(
        (tuple(m[k] for k in move_keys) for m in dashboard_cells._counted_moves(run)), key=str)


def test_a_request_that_waited_for_a_rebuild_does_not_rebuild_again(archive):
    seen_before = run_for(None)  # what a second request read before the first one rebuilt
    dashboard_cells.refresh(seen_before)
    cells = set(DashboardCell.objects.values_list("pk", flat=True))
    dashboard_cells.refresh(seen_before)
    assert set(DashboardCell.objects.values_list("pk", flat=True)) == cells
