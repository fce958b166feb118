"""Importing customers, orders, payments and communications from CSV or XLSX."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kehu.quality.importing import background
from kehu.quality.importing.engine import run_import
from kehu.quality.models import ImportRun, ImportStatus
from kehu.quality.selectors import import_runs_visible_to
from kehu.web.forms.imports import KIND_CHOICES, ImportForm, max_upload_bytes
from kehu.web.views.common import ensure_writer

RECENT_RUNS = 20
ERRORS_SHOWN = 1000


def _labelled(runs: list[ImportRun]) -> list[ImportRun]:
    labels = dict(KIND_CHOICES)
    for run in runs:
        run.kind_label = labels.get(run.kind, run.kind)
    return runs


def _runs_of(user):
    """Import reports quote cell values; who sees which run is the quality app's rule."""
    return import_runs_visible_to(user).defer("errors")


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    ensure_writer(request.user)
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if background.in_background(upload.size):
                run = background.start(actor=request.user, kind=form.cleaned_data["kind"], handle=upload.file,
                                       file_name=upload.name, options=form.options())
                return redirect("web:import-run", run.pk)
            report = run_import(
                actor=request.user, kind=form.cleaned_data["kind"], handle=upload.file, file_name=upload.name,
                options=form.options(),
            )
    else:
        form = ImportForm()
    context = {
        "form": form, "report": report, "errors": [error.as_list() for error in report.errors[:ERRORS_SHOWN]] if report else [],
        "runs": _labelled(list(_runs_of(request.user)[:RECENT_RUNS])), "max_bytes": max_upload_bytes(),
        "background_bytes": settings.KEHU_IMPORT_BACKGROUND_BYTES,
        "columns": form.columns(),
    }
    return render(request, "web/imports/import.html", context)


@login_required
@require_GET
def import_run_view(request: HttpRequest, item: int) -> HttpResponse:
    ensure_writer(request.user)
    run = _labelled([get_object_or_404(_runs_of(request.user).defer(None), pk=item)])[0]
    return render(request, "web/imports/run.html", {
        "run": run, "errors": run.errors[:ERRORS_SHOWN], "progress": background.progress_of(run)})


@login_required
@require_GET
def import_progress_view(request: HttpRequest, item: int) -> HttpResponse:
    """The progress bar of a running import, polled by its page; once the run has ended the
    page reloads to show the report."""
    ensure_writer(request.user)
    run = get_object_or_404(_runs_of(request.user), pk=item)
    progress = background.progress_of(run)
    response = render(request, "web/imports/_progress.html", {"run": run, "progress": progress})
    if progress["status"] != ImportStatus.RUNNING:
        response["HX-Refresh"] = "true"
    return response
