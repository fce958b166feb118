"""The Insights dashboard: what a manager opens every morning, charts with their figures.

Open to every role: the figures are counted over `visible_to(viewer)`, so a salesperson sees
their team's share and a manager the whole archive. `?as_of=YYYY-MM-DD` picks an earlier
completed scoring run; a malformed or unknown date is said so on the page (400 / 404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kehu.accounts.permissions import may_configure
from kehu.insights.dashboard import (
    CLV_EDGES,
    Dashboard,
    UnknownRun,
    completed_runs,
    parse_as_of,
    run_for,
)
from kehu.segments.selectors import dashboard_for
from kehu.web import charts

RISK_COLORS = {"high": "#c92a2a", "medium": "#e8590c", "none": "#2f9e44"}
MOVEMENT_COLORS = {"up": "#2f9e44", "down": "#c92a2a", "unchanged": "#adb5bd"}


def money(value: Decimal | float | None, places: int = 0) -> str:
    return "—" if value is None else f"¥{float(value):,.{places}f}"


def _short(amount: int) -> str:
    """Bucket edges in few characters: 300, 3k, 30k, 1M."""
    if amount >= 1_000_000:
        return f"{amount // 1_000_000}M"
    if amount >= 1_000:
        return f"{amount // 1_000}k"
    return str(amount)


def clv_bucket_label(low: Decimal, high: Decimal | None) -> str:
    if high is None:
        return _("¥%(low)s and more") % {"low": _short(int(low))}
    return f"¥{_short(int(low))}–{_short(int(high))}"


def chart_context(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard's figures as chart geometry (and the labels the tables reuse)."""
    no_tier = _("No tier matched")
    tier_rows = [charts.Row(t.name or no_tier, t.customers, f"{t.customers:,} · {t.percent}%", t.color)
                 for t in dashboard.tiers]
    movement = dashboard.movement
    movement_rows = ([charts.Row(label, count, f"{count:,}", MOVEMENT_COLORS[key]) for key, label, count in (
        ("up", _("Moved up"), movement.up), ("down", _("Moved down"), movement.down),
        ("unchanged", _("Unchanged"), movement.unchanged))] if movement else [])
    clv_labels = [clv_bucket_label(b.low, b.high) for b in dashboard.clv_buckets]
    clv_rows = [charts.Row(label, b.customers, f"{b.customers:,}") for label, b in zip(clv_labels, dashboard.clv_buckets,
                                                                                        strict=True)]
    risk_rows = [charts.Row(r.label, r.customers, f"{r.customers:,}", RISK_COLORS[r.risk]) for r in dashboard.churn_levels]
    segment_rows = [charts.Row(g.label, float(g.revenue), money(g.revenue)) for g in dashboard.rfm_segments if g.key]
    class_rows = [charts.Row(g.label, float(g.revenue), money(g.revenue), "#0c8599") for g in dashboard.value_classes
                  if g.key]
    scores = [str(n) for n in (5, 4, 3, 2, 1)]
    return {
        "tier_chart": charts.bar_chart(tier_rows),
        "movement_chart": charts.bar_chart(movement_rows) if movement_rows else None,
        "rfm_chart": charts.heatmap(dashboard.rfm_grid, scores, list(reversed(scores))),
        "rfm_rows": list(zip(scores, dashboard.rfm_grid, strict=True)),
        "clv_chart": charts.column_chart(clv_rows),
        "clv_rows": list(zip(clv_labels, dashboard.clv_buckets, strict=True)),
        "risk_chart": charts.bar_chart(risk_rows),
        "segment_chart": charts.bar_chart(segment_rows),
        "class_chart": charts.bar_chart(class_rows),
        "clv_edges": CLV_EDGES,
    }


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"runs": completed_runs(), "can_configure": may_configure(user), "error": ""}
    raw = request.GET.get("as_of")
    try:
        run = run_for(parse_as_of(raw))
    except ValidationError as error:
        context.update(error=error.messages[0], asked=raw)
        return render(request, "web/insights/dashboard.html", context, status=400)
    except UnknownRun as error:
        context.update(error=str(error), asked=raw)
        return render(request, "web/insights/dashboard.html", context, status=404)
    if run is not None:
        dashboard = dashboard_for(viewer=user, run=run)
        context.update(dashboard=dashboard, run=run, **chart_context(dashboard))
    return render(request, "web/insights/dashboard.html", context)
