"""POST /api/imports/{kind}: multipart upload → the import report; GET /api/imports: past runs."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehu.customers.models import Customer
from kehu.quality.models import ImportRun
from tests.api.conftest import ApiClient, fields_of

pytestmark = pytest.mark.django_db

BAD_ROWS = {101, 502, 1000}  # 1-based data rows with an impossible phone number


def _people_csv(rows: int = 1000) -> bytes:
    lines = ["姓名,手机,gender"]
    for index in range(1, rows + 1):
        phone = "12345" if index in BAD_ROWS else f"139{index:08d}"
        lines.append(f"客户{index},{phone},{'female' if index % 2 else 'male'}")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _upload(client: ApiClient, kind: str, content: bytes, name: str = "people.csv", **form):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **form}
    return client.client.post(f"/api/imports/{kind}", data, headers=client.headers)


MAPPING = json.dumps({"姓名": "name", "手机": "phone"})


def test_skip_mode_imports_997_of_1000(sales):
    client = ApiClient(sales)
    response = _upload(client, "customers", _people_csv(), skip_bad_rows="true", mapping=MAPPING)
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["rows"], report["created"], report["failed"], report["committed"]) == (1000, 997, 3, True)
    # Spreadsheet row numbers: the header is row 1.
    assert sorted({e["row"] for e in report["errors"]}) == sorted(n + 1 for n in BAD_ROWS)
    assert {(e["column"], e["value"]) for e in report["errors"]} == {("phone", "12345")}
    assert Customer.objects.count() == 997
    again = _upload(client, "customers", _people_csv(), skip_bad_rows="true", mapping=MAPPING).json()
    assert (again["created"], again["skipped_existing"], again["failed"]) == (0, 997, 3)
    assert Customer.objects.count() == 997


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(sales):
    client = ApiClient(sales)
    report = _upload(client, "customers", _people_csv(), mapping=MAPPING).json()
    assert (report["rows"], report["created"], report["failed"], report["committed"]) == (1000, 0, 3, False)
    assert Customer.objects.count() == 0
    dry = _upload(client, "customers", _people_csv(20), mapping=MAPPING, dry_run="true").json()
    assert (dry["dry_run"], dry["committed"], dry["failed"]) == (True, False, 0)
    assert Customer.objects.count() == 0
    good = _upload(client, "customers", _people_csv(20), mapping=MAPPING).json()
    assert (good["created"], good["committed"]) == (20, True)
    assert Customer.objects.count() == 20


@pytest.mark.parametrize(
    ("kind", "content", "name", "form", "field"),
    [
        ("customers", b"phone\n13900000001\n", "people.csv", {}, "file"),  # no name column
        ("customers", b"\xff\xfe\x00garbage", "people.csv", {}, "file"),
        ("customers", b"", "people.csv", {}, "file"),
        ("customers", b"name\nx\n", "people.pdf", {}, "file"),
        ("customers", b"not a zip", "people.xlsx", {}, "file"),
        ("customers", b"name\nx\n", "people.csv", {"mapping": "{not json"}, "mapping"),
        ("customers", b"name\nx\n", "people.csv", {"mapping": "[1]"}, "mapping"),
        ("customers", b"name\nx\n", "people.csv", {"dry_run": "perhaps"}, "dry_run"),
        ("letters", b"name\nx\n", "people.csv", {}, "kind"),
    ],
)
def test_unusable_uploads_are_422_with_the_reason(sales, kind, content, name, form, field):
    response = _upload(ApiClient(sales), kind, content, name, **form)
    assert response.status_code == 422, response.content
    assert field in fields_of(response), fields_of(response)
    assert Customer.objects.count() == 0


def test_upload_without_a_file_is_422(sales):
    client = ApiClient(sales)
    response = client.client.post("/api/imports/customers", {"dry_run": "true"}, headers=client.headers)
    assert response.status_code == 422 and "file" in fields_of(response)


def test_too_large_a_file_is_refused(sales, settings):
    settings.KEHU_IMPORT_MAX_BYTES = 1024
    response = _upload(ApiClient(sales), "customers", b"name\n" + b"x\n" * 2000)
    assert fields_of(response) == {"file": ["The file is larger than 1.0\xa0KB."]}
    assert Customer.objects.count() == 0


def test_past_runs_are_the_callers_own_unless_manager(sales, teammate, manager):
    _upload(ApiClient(sales), "customers", _people_csv(5), mapping=MAPPING)
    _upload(ApiClient(teammate), "customers", b"name,phone\nA,12345\n")
    mine = ApiClient(sales).get("/imports").json()
    assert [(r["actor"]["username"], r["created"]) for r in mine["items"]] == [("sales", 5)]
    theirs = ApiClient(teammate).get("/imports").json()["items"]
    assert [(r["actor"]["username"], r["failed"], r["committed"]) for r in theirs] == [("teammate", 1, False)]
    everyone = ApiClient(manager).get("/imports").json()
    assert everyone["count"] == 2
    run_id = theirs[0]["id"]
    detail = ApiClient(teammate).get(f"/imports/runs/{run_id}").json()
    assert detail["errors"][0]["row"] == 2 and detail["errors"][0]["column"] == "phone"
    assert ApiClient(sales).get(f"/imports/runs/{run_id}").status_code == 404
    assert ApiClient(manager).get(f"/imports/runs/{run_id}").status_code == 200
    assert ImportRun.objects.count() == 2
