"""Each scoring run's dashboard figures, stored per owner and team.

A dashboard adds up the few thousand cells its viewer may see (`ownership_scope`, the rule
of `visible_to`) instead of grouping a million snapshots on every request. The cells are
built when a run ends, from its snapshots, which record each customer's owner and team as
read in the run's transaction. Two later events would make them wrong; both are handled:

- A customer changes owner or team. Every such change goes through `customer_update`, which
  stamps `updated_at`, so `movers` finds them in the `updated_at` index. A dashboard takes
  them out of the cells under their old key and counts them again where `visible_to` puts
  them now: a read, no write. Past DRIFT_LIMIT movers (or RECENT_LIMIT customers changed
  in any way), `refresh` gives the run's snapshots the new owners and builds the cells again.
- A customer is deleted: its snapshots go with it, but the cells still count it. A
  `customer.delete` audit event newer than the cells' mark makes the next dashboard `refresh`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Aggregate, Count, F, Max, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from kehu.accounts.models import User
from kehu.audit.models import AuditEvent
from kehu.core.sql import one_of
from kehu.customers.models import Customer
from kehu.customers.selectors import NOBODY, ownership_scope, visible_to
from kehu.insights import cube
from kehu.insights.choices import TierChangeCause
from kehu.insights.models import CustomerScore, DashboardCell, DashboardMove, ScoringRun, TierChange

# A change stamped shortly before the owners were read but committed after it is still found.
STAMP_MARGIN = datetime.timedelta(minutes=10)
# Movers corrected on read; more and the cells are built again with the new owners.
DRIFT_LIMIT = 5_000
# Customers changed in any way since the cells were built, read per request to find the movers.
RECENT_LIMIT = 20_000
MOVE_KEYS = ("from_tier_id", "to_tier_id")


@dataclass(frozen=True)
class ViewerFigures:
    """What one viewer's dashboard sums: the cube (see kehu.insights.cube) and the tier moves
    ((tier before, tier after, customers) — stored moves are the run's recorded tier changes)."""

    cube: list[dict[str, Any]]
    moves: list[tuple[int | None, int | None, int]]


def build(run: ScoringRun, owners_read_at: datetime.datetime, groups: list[dict[str, Any]] | None = None,
          moves: list[dict[str, Any]] | None = None) -> None:
    """(Re)write the run's cells and moves from its snapshots, whose owners were read at
    `owners_read_at`; `groups` and `moves`, when given, are those already counted by the run
    from its arrays (`snapshots.dashboard_groups`, `snapshots.dashboard_moves`)."""
    mark = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    if groups is None:
        groups = cube.count(CustomerScore.objects.filter(as_of=run.as_of), cube.OWNER_KEYS + cube.CUBE_KEYS)
    if moves is None:
        moves = _counted_moves(run)
    DashboardCell.objects.filter(run=run).delete()
    DashboardMove.objects.filter(run=run).delete()
    DashboardCell.objects.bulk_create([DashboardCell(run=run, **group) for group in groups], batch_size=1000)
    DashboardMove.objects.bulk_create([DashboardMove(run=run, **move) for move in moves], batch_size=1000)
    run.cells_built_at, run.cells_audit_mark = owners_read_at, mark
    run.save(update_fields=["cells_built_at", "cells_audit_mark"])


def _counted_moves(run: ScoringRun) -> list[dict[str, Any]]:
    """The run's tier changes per owner and team as its snapshots record them: one join,
    grouped (a correlated lookup per change was planned as a scan per change while the
    planner's statistics still predated the run)."""
    return list(CustomerScore.objects.filter(as_of=run.as_of, customer__tier_changes__as_of=run.as_of,
                                             customer__tier_changes__cause=TierChangeCause.SCORING)
                .values(*cube.OWNER_KEYS, from_tier_id=F("customer__tier_changes__from_tier_id"),
                        to_tier_id=F("customer__tier_changes__to_tier_id"))
                .annotate(n=Count("*")).order_by())


def refresh(run: ScoringRun) -> ScoringRun:
    """Give the run's snapshots their customers' owners and teams as they are now, and build
    the cells again. Run by one process at a time (the run's row is locked); a request that
    waited while another rebuilt them does not rebuild them again."""
    seen = run.cells_built_at
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if run.cells_built_at != seen:
            return run
        read_at = timezone.now()
        scores = CustomerScore.objects.filter(as_of=run.as_of)
        if run.cells_built_at is not None:  # else a run scored before cells existed: all of them
            scores = scores.filter(customer__updated_at__gte=run.cells_built_at - STAMP_MARGIN)
        customer = Customer.objects.filter(pk=OuterRef("customer_id"))
        scores.update(owner_id=Subquery(customer.values("owner_id")[:1]),
                      team_id=Subquery(customer.values("team_id")[:1]))
        build(run, read_at)
    return run


def _tier_changes(run: ScoringRun) -> QuerySet[TierChange]:
    return TierChange.objects.filter(as_of=run.as_of, cause=TierChangeCause.SCORING)


def _stale(run: ScoringRun) -> bool:
    """No cells yet, or a customer deleted since they were built."""
    return run.cells_built_at is None or AuditEvent.objects.filter(
        action="customer.delete", pk__gt=run.cells_audit_mark or 0).exists()


def movers(run: ScoringRun) -> list[int] | None:
    """Customers whose owner or team is no longer the one their snapshot was counted under;
    None when there are more than DRIFT_LIMIT, or more than RECENT_LIMIT customers changed
    at all since the cells were built (then a rebuild is cheaper than reading them per request).

    Read from the customers' side, through the `updated_at` index: joined from the snapshots'
    side, SQLite walked the run's million rows to find one customer (0.6 s)."""
    since = run.cells_built_at - STAMP_MARGIN
    recent = list(Customer.objects.filter(updated_at__gte=since).order_by()
                  .values_list("pk", "owner_id", "team_id")[:RECENT_LIMIT + 1])
    if len(recent) > RECENT_LIMIT:
        return None
    counted_under = {pk: (owner, team) for pk, owner, team in CustomerScore.objects.filter(
        as_of=run.as_of, customer_id__in=one_of([pk for pk, _owner, _team in recent]))
        .values_list("customer_id", "owner_id", "team_id")}
    ids = [pk for pk, owner, team in recent if pk in counted_under and counted_under[pk] != (owner, team)]
    return None if len(ids) > DRIFT_LIMIT else ids


def figures_for(viewer: User, run: ScoringRun) -> ViewerFigures:
    """The run's figures over the customers `viewer` may see now."""
    if _stale(run):
        run = refresh(run)
    scope = ownership_scope(viewer)
    if scope is NOBODY:
        return ViewerFigures([], [])
    cells = DashboardCell.objects.filter(run=run)
    moves = DashboardMove.objects.filter(run=run)
    if scope is None:  # sees everyone: who owns whom changes nothing
        return ViewerFigures(cube.combine([(1, cube.add_up(cells))]), _pairs(moves, Sum("n")))
    ids = movers(run)
    if ids is None:
        run = refresh(run)
        ids = []
    cube_parts = [(1, cube.add_up(cells.filter(scope)))]
    move_parts = [(1, _pairs(moves.filter(scope), Sum("n")))]
    if ids:
        # Each set of ids is read first and sent back as one parameter: nested as subqueries
        # over a few thousand ids, SQLite scanned the run's snapshots for each count (0.3 s).
        scores = CustomerScore.objects.filter(as_of=run.as_of)
        counted_before = list(scores.filter(scope, customer_id__in=one_of(ids)).values_list("customer_id", flat=True))
        visible_now = list(visible_to(viewer).filter(pk__in=one_of(ids)).values_list("pk", flat=True))
        for sign, who in ((-1, counted_before), (1, visible_now)):
            if who:
                cube_parts.append((sign, cube.count(scores.filter(customer_id__in=one_of(who)))))
                move_parts.append((sign, _pairs(_tier_changes(run).filter(customer_id__in=one_of(who)), Count("*"))))
    return ViewerFigures(cube.combine(cube_parts), _net_pairs(move_parts))


def _pairs(rows: QuerySet, total: Aggregate) -> list[tuple[int | None, int | None, int]]:
    """(tier before, tier after, `total`) per pair in stored moves or tier changes."""
    return list(rows.values(*MOVE_KEYS).annotate(total=total).values_list(*MOVE_KEYS, "total").order_by())


def _net_pairs(parts: list[tuple[int, list[tuple[int | None, int | None, int]]]]) -> list[tuple[int | None, int | None, int]]:
    totals: dict[tuple[int | None, int | None], int] = {}
    for sign, pairs in parts:
        for old, new, n in pairs:
            totals[(old, new)] = totals.get((old, new), 0) + sign * n
    return [(old, new, n) for (old, new), n in totals.items() if n]
