"""Sensitive data and privacy on the web: reveal, consent (同意), data-subject requests.

Reveals are kept for *that response only*: the revealed values are rendered into the
profile card returned by the reveal POST and remembered nowhere (no session, no cache).
Reloading the page masks them again; a second look is a second, audited reveal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.permissions import may_configure
from kehu.audit.services import audit
from kehu.core import ratelimit
from kehu.customers.models import Consent, Customer
from kehu.customers.selectors import customer_get, visible_to
from kehu.customers.services import consent_record, consent_withdraw
from kehu.privacy.export import subject_html, subject_json
from kehu.privacy.masking import may_reveal, reveal
from kehu.privacy.models import DataSubjectRequest, RequestKind, RequestStatus
from kehu.privacy.services import overdue_requests, request_close, request_open
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.privacy import ConsentForm, RequestCloseForm, RequestOpenForm, RevealForm
from kehu.web.pagination import paginate
from kehu.web.ratelimits import rate_limited
from kehu.web.views.common import ensure_writer, vary_on_htmx, wants_fragment
from kehu.web.views.detail import detail_context
from kehu.web.views.sensitive import (
    consent_card_context,
    present_sensitive,
    profile_card_context,
    request_card_context,
)

CARDS = {
    "profile": ("web/customers/_profile.html", profile_card_context),
    "consents": ("web/customers/_consents.html", consent_card_context),
    "requests": ("web/customers/_requests.html", request_card_context),
}


def card_response(request: HttpRequest, customer_pk: int, card: str, *, state: dict[str, Any] | None = None,
                  done: bool = False) -> HttpResponse:
    """The card as an htmx fragment, a redirect back (plain POST done) or the page with it."""
    customer = customer_get(viewer=request.user, pk=customer_pk)
    if wants_fragment(request):
        template, builder = CARDS[card]
        context: dict[str, Any] = {"customer": customer}
        context.update(builder(request, customer, state))
        return vary_on_htmx(render(request, template, context))
    if done:
        return redirect(f"{reverse('web:customer-detail', args=[customer.pk])}#{card}")
    return render(request, "web/customers/detail.html", detail_context(request, customer, {card: state or {}}))


def ensure_privacy_role(user) -> None:
    if not may_configure(user):
        raise PermissionDenied(_("Only administrators and archive managers handle data-subject requests."))


# --- Reveal -------------------------------------------------------------------------


@login_required
@require_POST
def reveal_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    if not may_reveal(request.user):
        raise PermissionDenied(_("Your role cannot reveal sensitive information."))
    form = RevealForm(request.POST, kind=customer.kind, present=present_sensitive(customer), prefix="reveal")
    if form.is_valid():
        try:
            values = reveal(actor=request.user, customer=customer, fields=form.cleaned_data["fields"],
                            reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            # Shown in this response only; see the module docstring.
            state = {"revealed": values}
            response = card_response(request, pk, "profile", state=state)
            response["Cache-Control"] = "no-store"
            return response
    return card_response(request, pk, "profile", state={"reveal_form": form})


# --- Consent --------------------------------------------------------------------------


@login_required
@require_POST
def consent_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    form = ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        try:
            consent_record(actor=request.user, customer=customer, data=form.data_object())
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            return card_response(request, pk, "consents", done=True)
    return card_response(request, pk, "consents", state={"consent_form": form})


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_writer(request.user)
    consent = get_object_or_404(Consent, pk=item, customer=customer)
    consent.customer = customer
    try:
        consent_withdraw(actor=request.user, consent=consent)
    except ValidationError as error:
        return card_response(request, pk, "consents", state={"consent_error": " ".join(error.messages)})
    return card_response(request, pk, "consents", done=True)


# --- Data-subject requests --------------------------------------------------------------


@login_required
@require_POST
def request_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(viewer=request.user, pk=pk)
    ensure_privacy_role(request.user)
    form = RequestOpenForm(request.POST, prefix="dsr")
    if form.is_valid():
        try:
            request_open(actor=request.user, customer=customer, kind=form.cleaned_data["kind"],
                         details=form.cleaned_data["details"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            return card_response(request, pk, "requests", done=True)
    return card_response(request, pk, "requests", state={"request_form": form})


def _names(rows: list[DataSubjectRequest], viewer) -> dict[int, Customer]:
    ids = {row.customer_id for row in rows}
    return {c.pk: c for c in visible_to(viewer).filter(pk__in=ids)} if ids else {}


@login_required
@require_GET
def request_list_view(request: HttpRequest) -> HttpResponse:
    ensure_privacy_role(request.user)
    show = request.GET.get("show", "open")
    rows = DataSubjectRequest.objects.select_related("recorded_by")
    if show == "open":
        rows = rows.filter(status=RequestStatus.OPEN)
    elif show != "all":
        show = "open"
        rows = rows.filter(status=RequestStatus.OPEN)
    rows = rows.annotate(
        open_first=Case(When(status=RequestStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("open_first", "due_on", "pk")
    page = paginate(rows, request.GET.get("page"))
    today = timezone.localdate()
    customers = _names(page.items, request.user)
    for row in page.items:
        row.customer = customers.get(row.customer_id)
        row.overdue = row.status == RequestStatus.OPEN and row.due_on < today
    context = {"page": page, "show": show, "overdue_count": overdue_requests(today).count(), "today": today}
    return render(request, "web/privacy/requests.html", context)


def _request_row(request: HttpRequest, item: int) -> DataSubjectRequest:
    ensure_privacy_role(request.user)
    return get_object_or_404(DataSubjectRequest.objects.select_related("recorded_by"), pk=item)


@login_required
@require_http_methods(["GET", "POST"])
def request_close_view(request: HttpRequest, item: int) -> HttpResponse:
    row = _request_row(request, item)
    row.customer = visible_to(request.user).filter(pk=row.customer_id).first()
    closed = row.status != RequestStatus.OPEN
    form = RequestCloseForm(request.POST if request.method == "POST" else None, request_row=row)
    notice = ""
    if request.method == "POST" and closed:
        notice = _("This request is already closed.")
    elif request.method == "POST" and form.is_valid():
        try:
            request_close(actor=request.user, request=row, outcome=form.cleaned_data["outcome"],
                          rejected=form.cleaned_data["rejected"])
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Request closed."))
            return redirect("web:privacy-requests")
    context = {"row": row, "form": form, "closed": closed, "notice": notice, "deletion": row.kind == RequestKind.DELETION,
               "overdue": not closed and row.due_on < timezone.localdate()}
    return render(request, "web/privacy/request.html", context)


@login_required
@require_GET
@rate_limited(ratelimit.EXPORT)
def request_export_view(request: HttpRequest, item: int, fmt: str) -> HttpResponse:
    """The person's copy of their data (access requests), each download audited."""
    row = _request_row(request, item)
    if fmt not in ("json", "html") or row.kind != RequestKind.ACCESS:
        raise Http404(_("Only access requests have a copy to download."))
    customer = customer_get(viewer=request.user, pk=row.customer_id)
    if fmt == "json":
        body, content_type, suffix = subject_json(customer), "application/json; charset=utf-8", "json"
    else:
        body, content_type, suffix = subject_html(customer), "text/html; charset=utf-8", "html"
    audit(actor=request.user, action="privacy.export", target=row, customer_id=customer.pk,
          changes={"format": suffix, "request": row.pk})
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kehu-{customer.number}-request-{row.pk}.{suffix}"'
    response["Cache-Control"] = "no-store"
    return response
