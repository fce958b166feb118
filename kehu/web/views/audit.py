"""The audit log: search and export, for administrators and auditors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kehu.audit.export import csv_download
from kehu.audit.selectors import AuditFilters, audit_events, ensure_may_read, known_actions
from kehu.core import ratelimit
from kehu.web.forms.audit import AuditFilterForm
from kehu.web.forms.errors import attach_errors
from kehu.web.pagination import paginate
from kehu.web.ratelimits import rate_limited


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters | None]:
    """The form, and its filters when they are valid (None otherwise: the form shows why)."""
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    try:
        filters.clean()
    except ValidationError as error:
        attach_errors(error, fallback=form)
        return form, None
    return form, filters


@login_required
@require_GET
def audit_log_view(request: HttpRequest) -> HttpResponse:
    ensure_may_read(request.user)
    form, filters = _filters(request)
    page = paginate(audit_events(viewer=request.user, filters=filters), request.GET.get("page")) if filters else None
    context = {"form": form, "page": page, "actions": known_actions()}
    return render(request, "web/audit/log.html", context, status=200 if filters else 400)


@login_required
@require_GET
@rate_limited(ratelimit.EXPORT)
def audit_export_view(request: HttpRequest) -> HttpResponse:
    ensure_may_read(request.user)
    form, filters = _filters(request)
    if filters is None:
        return render(request, "web/audit/log.html", {"form": form, "page": None, "actions": known_actions()},
                      status=400)
    return csv_download(viewer=request.user, filters=filters, via="web")
