"""The "what happens with this customer" half of the customer page.

Key figures, insights (tier, RFM, CLV, churn risk), the timeline with the quick-log form,
orders, money and after-sales service.
Every part reads a bounded number of rows, so the page costs the same number of queries
for a customer with five events or fifty thousand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.permissions import may_configure
from kehu.customers.models import Customer
from kehu.customers.selectors import key_people_of
from kehu.insights.recommendations import preferences_of
from kehu.insights.selectors import current_run, insight_of, tier_history
from kehu.interactions.models import Interaction
from kehu.sales.choices import AGEING_BUCKETS
from kehu.sales.models import ZERO, ConsumptionProfile
from kehu.sales.selectors import ageing_of, open_receivables_of, orders_of
from kehu.service.models import ServiceRecord
from kehu.timeline.selectors import BadCursor, timeline_page
from kehu.web.forms.activity import InteractionForm, TimelineFilterForm, now_local
from kehu.web.forms.insights import TierOverrideForm
from kehu.web.forms.sales import CreditIncidentForm

TIMELINE_LIMIT = 20  # more than each card below shows: they reuse the timeline's rows
ORDERS_PER_CARD = 5
RECENT_SERVICE = 3
RECENT_INCIDENTS = 5
OPEN_RECEIVABLES_SHOWN = 8
TIER_CHANGES_SHOWN = 10
MAX_OFFSET_PAGE = 1000


@dataclass(frozen=True)
class SmallPage:
    """An offset page that never counts: one query for the rows plus one to know if there are more."""

    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def small_page(queryset, raw_page: str | None, per_page: int) -> SmallPage:
    try:
        number = min(max(int(raw_page or 1), 1), MAX_OFFSET_PAGE)
    except ValueError:
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return SmallPage(rows[:per_page], number, len(rows) > per_page)


def organization_terms(customer: Customer) -> tuple[Decimal | None, int | None, str]:
    """(credit limit, payment terms in days, payment terms text) from the organisation profile."""
    if customer.is_person:
        return None, None, ""
    try:
        organization = customer.organization
    except ObjectDoesNotExist:
        return None, None, ""
    return organization.credit_limit, organization.payment_terms_days, organization.payment_terms


def key_figures(customer: Customer, *, today: datetime.date) -> dict[str, Any]:
    profile = ConsumptionProfile.objects.filter(customer=customer).first()
    latest = (
        Interaction.objects.filter(customer=customer)
        .order_by("-occurred_at", "-id")
        .values("occurred_at", "next_contact_on")
        .first()
    )
    # Balances from the open receivables (one query): the stored profile's overdue figure
    # only changes when something is written, but debts fall due while nothing happens.
    ageing = ageing_of(customer, today=today)
    outstanding = sum(ageing.values(), ZERO)
    overdue = outstanding - ageing["current"]
    credit_limit, terms_days, terms = organization_terms(customer)
    last_order = timezone.localdate(profile.last_order_at) if profile and profile.last_order_at else None
    next_contact = latest["next_contact_on"] if latest else None
    return {
        "profile": profile,
        "order_count": profile.order_count if profile else 0,
        "total_spend": profile.total_spend if profile else ZERO,
        "average_order_value": profile.average_order_value if profile else ZERO,
        "last_order_on": last_order,
        "days_since_last_order": (today - last_order).days if last_order else None,
        "last_contact_at": latest["occurred_at"] if latest else None,
        "next_contact_on": next_contact,
        "next_contact_overdue": bool(next_contact and next_contact < today),
        "outstanding": outstanding,
        "overdue": overdue,
        "credit_limit": credit_limit,
        "over_limit": credit_limit is not None and outstanding > credit_limit,
        "payment_terms_days": terms_days,
        "payment_terms": terms,
        "ageing": _ageing_rows(ageing, outstanding),
    }


def _ageing_rows(ageing: dict[str, Any], outstanding: Decimal) -> list[dict[str, Any]]:
    rows = []
    for key, label, _low, _high in AGEING_BUCKETS:
        amount = ageing[key]
        percent = int(amount * 100 / outstanding) if outstanding else 0
        rows.append({"key": key, "label": label, "amount": amount, "percent": percent})
    return rows


def people_choices(request: HttpRequest, customer: Customer) -> list[Customer]:
    """An organisation's key people the viewer may see, for "who took part"."""
    if customer.is_person:
        return []
    return [view.other for view in key_people_of(viewer=request.user, organization=customer)]


def interaction_form(request: HttpRequest, customer: Customer, data=None) -> InteractionForm:
    form = InteractionForm(
        data, prefix="log", people=people_choices(request, customer), initial={"occurred_at": now_local()}
    )
    # Open the file, start typing. kehu.js focuses it on wide screens only: native
    # autofocus would scroll a phone past the contact points to the middle of the page.
    form.fields["content"].widget.attrs["data-autofocus"] = True
    return form


def timeline_context(request: HttpRequest, customer: Customer, params=None) -> dict[str, Any]:
    """One page of the timeline for the filter in `params` (a QueryDict), or an error to show."""
    return timeline_and_latest(request, customer, params)[0]


def timeline_and_latest(request: HttpRequest, customer: Customer, params=None) -> tuple[dict[str, Any], dict[str, list]]:
    """`timeline_context`, and each source's newest rows when the page is the unfiltered
    first one (the cards of the full page reuse them; an empty dict otherwise)."""
    params = params if params is not None else request.GET
    form = TimelineFilterForm(params if any(k in params for k in ("kind", "since", "until", "cursor")) else None)
    context: dict[str, Any] = {"filter_form": form, "entries": [], "next_cursor": None, "timeline_error": "",
                               "filtered": form.is_bound}
    if form.is_bound and not form.is_valid():
        return context, {}
    data = form.cleaned_data if form.is_bound else {}
    since, until = form.bounds() if form.is_bound else (None, None)
    try:
        page = timeline_page(
            customer=customer, kinds=data.get("kind") or [], since=since, until=until,
            cursor=data.get("cursor") or None, limit=TIMELINE_LIMIT,
        )
    except BadCursor:
        context["timeline_error"] = _("This page of the timeline no longer exists. Start again from the top.")
        context["bad_cursor"] = True
        return context, {}
    # One query for every communication's staff on the page, none per entry.
    prefetch_related_objects([e.item for e in page.entries if e.kind == "interaction"], "staff")
    context["entries"] = page.entries
    context["next_cursor"] = page.next_cursor
    context["more_query"] = form.query(cursor=page.next_cursor) if form.is_bound else _cursor_query(page.next_cursor)
    return context, ({} if form.is_bound else page.fetched)


def _cursor_query(cursor: str | None) -> str:
    query = QueryDict(mutable=True)
    if cursor:
        query["cursor"] = cursor
    return query.urlencode()


def money_context(customer: Customer) -> dict[str, Any]:
    return {
        "open_receivables": list(open_receivables_of(customer)[:OPEN_RECEIVABLES_SHOWN]),
        "incidents": list(customer.credit_incidents.select_related("recorded_by").order_by("-occurred_on", "-id")[
            :RECENT_INCIDENTS]),
        "incident_form": CreditIncidentForm(prefix="incident"),
    }


def orders_context(request: HttpRequest, customer: Customer, latest: dict[str, list] | None = None) -> dict[str, Any]:
    raw_page = request.GET.get("orders_page")
    newest = (latest or {}).get("order")
    if newest is not None and raw_page in (None, "", "1"):
        # The timeline read up to TIMELINE_LIMIT + 1 orders, newest first: enough to tell
        # whether the card has a second page.
        return {"orders": SmallPage(newest[:ORDERS_PER_CARD], 1, len(newest) > ORDERS_PER_CARD)}
    return {"orders": small_page(orders_of(customer), raw_page, ORDERS_PER_CARD)}


def service_context(customer: Customer, latest: dict[str, list] | None = None) -> dict[str, Any]:
    newest = (latest or {}).get("service")
    if newest is not None:
        return {"service_records": newest[:RECENT_SERVICE]}
    records = ServiceRecord.objects.filter(customer=customer).select_related("technician", "order")
    return {"service_records": list(records.order_by("-reported_at", "-id")[:RECENT_SERVICE])}


def insight_context(request: HttpRequest, customer: Customer, latest: dict[str, list] | None = None) -> dict[str, Any]:
    """The Insights card: the latest snapshot, the tier in force and the tier history.

    Three queries whatever the history: the run, the snapshot, the open override (the
    visibility check is the page's own; the last tier changes come with the timeline's
    rows when the page has them; the form's tier list is one more for who may override).
    """
    run = current_run()
    insight = insight_of(viewer=request.user, customer_id=customer.pk, run=run)
    can_override = may_configure(request.user)
    newest_changes = (latest or {}).get("tier_change")
    return {
        "insight": insight,
        "scoring_run": run,
        "prediction_days": (run.parameters or {}).get("prediction_days") if run else None,
        "tier_changes": (newest_changes[:TIER_CHANGES_SHOWN] if newest_changes is not None
                         else tier_history(viewer=request.user, customer_id=customer.pk, limit=TIER_CHANGES_SHOWN)),
        "can_override_tier": can_override,
        "override_form": TierOverrideForm(prefix="tier") if can_override else None,
    }


def preferences_context(request: HttpRequest, customer: Customer, context: dict[str, Any]) -> dict[str, Any]:
    """The Preferences card: favourite categories, the next-purchase estimate and recommendations.

    Reuses the run, the profile and the snapshot the page has read (and its visibility
    check): three more queries — the customer's products, their neighbours, product names.
    """
    insight = context.get("insight")
    if insight is None:
        return {"preferences": None}
    return {"preferences": preferences_of(
        viewer=request.user, customer_id=customer.pk, run=context.get("scoring_run"),
        profile=context["figures"]["profile"], score=insight.score, today=context["today"], preloaded=True)}


def customer360_context(
    request: HttpRequest, customer: Customer, state: dict[str, Any] | None = None
) -> dict[str, Any]:
    state = state or {}
    today = timezone.localdate()
    context: dict[str, Any] = {"figures": key_figures(customer, today=today), "today": today}
    timeline, latest = timeline_and_latest(request, customer)
    context.update(timeline)
    context.update(insight_context(request, customer, latest))
    context.update(preferences_context(request, customer, context))
    context.update(orders_context(request, customer, latest))
    context.update(money_context(customer))
    context.update(service_context(customer, latest))
    context["log_form"] = interaction_form(request, customer)
    context.update(state)
    return context
