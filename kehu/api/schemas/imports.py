"""Imports of CSV / XLSX files: the report of one upload, and past runs."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import Page, PageQuery, text
from kehu.api.schemas.customers import UserRef
from kehu.quality.importing.engine import IMPORTERS

ImportKind = Literal[tuple(IMPORTERS)]


class ImportForm(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    dry_run: bool = Field(False, description="Check every row, write nothing.")
    skip_bad_rows: bool = Field(False, description="Import the good rows and report the bad; default: all or nothing.")
    mapping: text(10000) = Field("", description='JSON object renaming file columns to fields: {"手机": "phone"}.')
    background: bool = Field(False, description=(
        "Answer at once (202) with the run, and import after the response; follow it with "
        "GET /api/imports/runs/{id} (status, rows, total_rows, percent)."))


class RowErrorOut(Schema):
    row: int = Field(description="The row number as a spreadsheet shows it (the header is row 1).")
    column: str
    value: str
    reason: str


class ImportReportOut(Schema):
    kind: ImportKind
    dry_run: bool
    rows: int = Field(description="Data rows read.")
    created: int = Field(description="Records written (0 when nothing was committed).")
    skipped_existing: int = Field(description="Rows whose record already exists (re-imports are safe).")
    failed: int = Field(description="Rows with at least one error.")
    committed: bool = Field(description="false: nothing was written (a dry run, or all-or-nothing with bad rows).")
    errors: list[RowErrorOut] = Field(description="The first 1,000 row errors.")


class ImportRunOut(Schema):
    id: int
    kind: str
    file_name: str
    actor: UserRef | None
    dry_run: bool
    skip_bad_rows: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    rows: int
    created: int
    skipped_existing: int
    failed: int
    committed: bool
    status: Literal["running", "finished", "interrupted"] = Field(
        description="running: a background import still going; interrupted: the server stopped before it finished.")
    total_rows: int | None = Field(description="Data rows in the file, counted before a background import.")
    percent: int | None = Field(description="How far a background import has got (100 when finished).")


class ImportRunDetail(ImportRunOut):
    errors: list[RowErrorOut] = Field(description="The first 1,000 row errors kept with the run.")


class ImportRunPage(Page[ImportRunOut]):
    pass


class ImportRunQuery(PageQuery):
    kind: ImportKind | None = None
