"""/api/imports: upload a CSV or XLSX file of customers, orders, payments or communications,
and read past runs.

The upload runs the same engine as `kehu import` and the web page: all-or-nothing by
default, or skip bad rows; a dry run checks every row and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from kehu.accounts.models import User
from kehu.accounts.permissions import may_write_customers
from kehu.api import present
from kehu.api.errors import ApiValidationError
from kehu.api.lookups import actor_of
from kehu.api.paging import page_of
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, PathId
from kehu.api.schemas.imports import (
    ImportForm,
    ImportKind,
    ImportReportOut,
    ImportRunDetail,
    ImportRunPage,
    ImportRunQuery,
)
from kehu.quality.importing import background
from kehu.quality.importing.engine import ImportOptions, run_import
from kehu.quality.models import ImportRun
from kehu.quality.selectors import import_runs_visible_to

router = Router(tags=["imports"])

ERRORS_SHOWN = 1000
MAX_MAPPING = 200


def _max_bytes() -> int:
    return int(settings.KEHU_IMPORT_MAX_BYTES)


def _mapping(raw: str) -> dict[str, str]:
    if not raw.strip():
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    valid = isinstance(mapping, dict) and len(mapping) <= MAX_MAPPING and all(
        isinstance(value, str) and len(key) <= 200 and len(value) <= 200 and "\x00" not in key + value
        for key, value in mapping.items()
    )
    if not valid:
        raise ApiValidationError([("mapping", _('Give a JSON object of file column → field, e.g. {"手机": "phone"}.'))])
    return mapping


@router.post("/imports/{kind}", response={200: ImportReportOut, 202: ImportRunDetail, **AUTH_ERRORS})
def upload(
    request: HttpRequest,
    kind: ImportKind,
    file: File[UploadedFile],
    form: Form[ImportForm],
) -> dict[str, Any]:
    actor = actor_of(request)
    if not may_write_customers(actor):
        raise PermissionDenied(_("Your role cannot import."))
    if file.size is not None and file.size > _max_bytes():
        limit = filesizeformat(_max_bytes())
        raise ApiValidationError([("file", _("The file is larger than %(limit)s.") % {"limit": limit})])
    options = ImportOptions(dry_run=form.dry_run, skip_bad_rows=form.skip_bad_rows, mapping=_mapping(form.mapping))
    if form.background:
        run = background.start(actor=actor, kind=kind, handle=file.file, file_name=file.name or "", options=options)
        run.refresh_from_db()  # an import run in line (tests) has already finished
        return Status(202, {**_run_out(run), "errors": _errors_of(run)})
    report = run_import(actor=actor, kind=kind, handle=file.file, file_name=file.name or "", options=options)
    if report.fatal:
        # Nothing was read: the file as a whole is unusable (format, encoding, columns).
        raise ApiValidationError([("file", report.fatal)])
    return {
        "kind": report.kind, "dry_run": report.dry_run, "rows": report.rows,
        "created": report.created if report.committed else 0, "skipped_existing": report.skipped_existing,
        "failed": report.failed, "committed": report.committed,
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason} for e in report.errors[:ERRORS_SHOWN]
        ],
    }


def _runs_of(user: User) -> Any:
    return import_runs_visible_to(user).order_by("-started_at", "-id")


def _run_out(run: ImportRun) -> dict[str, Any]:
    return {
        "id": run.pk, "kind": run.kind, "file_name": run.file_name, "actor": present.user_ref(run.actor),
        "dry_run": run.dry_run, "skip_bad_rows": run.skip_bad_rows, "started_at": run.started_at,
        "finished_at": run.finished_at, "rows": run.rows, "created": run.created,
        "skipped_existing": run.skipped_existing, "failed": run.failed, "committed": run.committed,
        **background.progress_of(run),
    }


def _errors_of(run: ImportRun) -> list[dict[str, Any]]:
    return [
        {"row": row, "column": column, "value": value, "reason": reason}
        for row, column, value, reason in run.errors[:ERRORS_SHOWN]
    ]


@router.get("/imports", response={200: ImportRunPage, **AUTH_ERRORS})
def list_runs(request: HttpRequest, query: Query[ImportRunQuery]) -> dict[str, Any]:
    runs = _runs_of(actor_of(request)).defer("errors")
    if query.kind:
        runs = runs.filter(kind=query.kind)
    return page_of(runs, query, _run_out)


@router.get("/imports/runs/{run_id}", response={200: ImportRunDetail, **OBJECT_ERRORS})
def get_run(request: HttpRequest, run_id: PathId) -> dict[str, Any]:
    run = _runs_of(actor_of(request)).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return {**_run_out(run), "errors": _errors_of(run)}
