"""Large uploads are imported after the request, with a progress bar; cut-off runs say so."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from kehu.customers.models import Customer
from kehu.quality.importing import background
from kehu.quality.importing.reader import estimate_rows
from kehu.quality.models import ImportRun, ImportStatus

URL = "/import/"
GOOD = "name,phone,code\n王五,13700001111,C-1\n赵四,13700002222,C-2\n"
ONE_BAD = "name,phone,code\n王五,13700001111,C-1\n,12345,C-2\n"


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def every_upload_in_background(settings):
    settings.KEHU_IMPORT_BACKGROUND_BYTES = 0


@pytest.mark.django_db
def test_small_upload_is_imported_in_the_request(client, sales):
    client.force_login(sales)
    response = client.post(URL, {"file": upload(GOOD), "kind": "customers", "mode": "all"})
    assert response.status_code == 200 and response.context["report"].committed


@pytest.mark.django_db
def test_large_upload_answers_with_the_run_page(client, sales, every_upload_in_background):
    client.force_login(sales)
    response = client.post(URL, {"file": upload(ONE_BAD), "kind": "customers", "mode": "skip"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:import-run", args=[run.pk])
    assert run.status == ImportStatus.FINISHED and run.total_rows == 2 and run.created == 1 and run.failed == 1
    page = client.get(response["Location"]).content.decode()
    assert 'class="table importerrors"' in page and "hx-trigger" not in page
    assert not list(background._folder().iterdir()), "the copy of the upload is removed"


@pytest.mark.django_db(transaction=True)
def test_the_import_really_runs_in_another_thread(client, sales, every_upload_in_background, monkeypatch):
    import threading

    monkeypatch.undo()  # the real launcher, not the suite's inline one
    # The test database (SQLite in memory, shared cache) locks whole tables, so the thread
    # waits until the request has finished writing its session: a real server's file
    # database (WAL, busy timeout) needs no such pause.
    request_done, real_import = threading.Event(), background.run_import
    seen_thread = []

    def import_after_the_request(**kwargs):
        seen_thread.append(threading.current_thread().name)
        request_done.wait(30)
        return real_import(**kwargs)

    monkeypatch.setattr(background, "run_import", import_after_the_request)
    client.force_login(sales)
    response = client.post(URL, {"file": upload(GOOD), "kind": "customers", "mode": "all"})
    run = ImportRun.objects.get()  # read before the thread starts writing, for the same reason
    request_done.set()
    assert response.status_code == 302
    background.wait(run.pk, timeout=60)
    assert seen_thread == [f"kehu-import-{run.pk}"]
    run.refresh_from_db()
    assert run.status == ImportStatus.FINISHED and run.committed and run.created == 2
    assert Customer.objects.filter(number__in=["C-1", "C-2"]).count() == 2


@pytest.mark.django_db
def test_progress_is_polled_until_the_run_ends(client, sales, teammate):
    run = ImportRun.objects.create(kind="orders", file_name="big.csv", actor=sales, status=ImportStatus.RUNNING,
                                   total_rows=200)
    background._progress[run.pk] = background.Progress(rows=50, total=200)
    try:
        client.force_login(sales)
        page = client.get(reverse("web:import-run", args=[run.pk])).content.decode()
        assert 'value="25"' in page and reverse("web:import-progress", args=[run.pk]) in page
        polled = client.get(reverse("web:import-progress", args=[run.pk]))
        assert "50 of about 200 rows read (25%)" in polled.content.decode() and "HX-Refresh" not in polled
        client.force_login(teammate)
        assert client.get(reverse("web:import-progress", args=[run.pk])).status_code == 404
    finally:
        background._progress.pop(run.pk, None)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FINISHED)
    client.force_login(sales)
    assert client.get(reverse("web:import-progress", args=[run.pk]))["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_runs_cut_off_by_a_restart_are_marked_interrupted(client, sales):
    run = ImportRun.objects.create(kind="orders", file_name="big.csv", actor=sales, status=ImportStatus.RUNNING)
    assert background.mark_interrupted() == 1
    run.refresh_from_db()
    assert run.status == ImportStatus.INTERRUPTED and run.finished_at is not None
    client.force_login(sales)
    assert "was cut off before it finished" in client.get(reverse("web:import-run", args=[run.pk])).content.decode()


@pytest.mark.django_db
def test_a_crash_in_the_thread_is_recorded_on_the_run_in_the_uploaders_language(
        client, sales, every_upload_in_background, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(background, "run_import", broken)
    client.force_login(sales)
    client.post(URL, {"file": upload(GOOD), "kind": "customers", "mode": "all"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.INTERRUPTED
    assert "内部错误" in run.errors[0][3]
    assert not list(background._folder().iterdir())


@pytest.mark.django_db
def test_api_background_upload_answers_202_and_the_run_reports_progress(client, sales):
    client.force_login(sales)
    response = client.post("/api/imports/customers", {"file": upload(GOOD), "background": "true"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "finished" and body["percent"] == 100 and body["total_rows"] == 2 and body["created"] == 2
    detail = client.get(f"/api/imports/runs/{body['id']}").json()
    assert detail["status"] == "finished" and detail["rows"] == 2


def test_estimate_rows(tmp_path):
    csv_file = tmp_path / "a.csv"
    csv_file.write_bytes(b"h\n1\n2\n")
    assert estimate_rows(csv_file, file_name="a.csv") == 2
    csv_file.write_bytes(b"h\n1\n2")
    assert estimate_rows(csv_file, file_name="a.csv") == 2
    book = Workbook()
    for row in (["h"], [1], [2], [3]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(buffer.getvalue())
    assert estimate_rows(xlsx, file_name="a.xlsx") == 3
    assert estimate_rows(tmp_path / "missing.csv", file_name="missing.csv") is None
