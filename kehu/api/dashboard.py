"""GET /api/insights/dashboard: the Insights dashboard's figures, for the caller's customers.

The same figures as the page (kehu.insights.dashboard), counted over `visible_to(caller)`:
open to every signed-in role with the `read` scope (a salesperson gets their share).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from kehu.api.errors import error_body
from kehu.api.lookups import actor_of
from kehu.api.schemas.common import OBJECT_ERRORS
from kehu.api.schemas.dashboard import DashboardOut, DashboardQuery
from kehu.insights.dashboard import UnknownRun, as_data, completed_runs, run_for
from kehu.segments.selectors import dashboard_for

router = Router(tags=["insights"])


@router.get("/insights/dashboard", response={200: DashboardOut, **OBJECT_ERRORS})
def get_dashboard(request: HttpRequest, query: Query[DashboardQuery]) -> Any:
    """Tiers and their movement, the RFM grid and segments, the CLV distribution, churn risk with the most
    valuable customers at risk and why, and revenue per RFM segment, value class and saved segment —
    as of the latest completed scoring run, or `as_of`. 404 when no completed run has that date."""
    viewer = actor_of(request)
    try:
        run = run_for(query.as_of)
    except UnknownRun as error:
        return Status(404, error_body(str(error)))
    dashboard = None
    if run is not None:
        dashboard = dashboard_for(viewer=viewer, run=run)
    return as_data(dashboard, completed_runs())
