"""The import page: upload, dry run by default, report with row errors, past runs, bad files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kehu.customers.models import Customer
from kehu.quality.models import ImportRun

pytestmark = pytest.mark.django_db
URL = "/import/"


def upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


GOOD = "name,phone,code\n王五,13700001111,C-1\n赵四,13700002222,C-2\n"
ONE_BAD = "name,phone,code\n王五,13700001111,C-1\n,12345,C-2\n"


def test_url_and_form_defaults(client, sales):
    assert reverse("web:import") == URL
    client.force_login(sales)
    response = client.get(URL)
    form = response.context["form"]
    assert form["dry_run"].value() is True and form["mode"].value() == "all"
    body = response.content.decode()
    assert "customer_code" in body and 'enctype="multipart/form-data"' in body


def test_dry_run_reports_and_writes_nothing(client, sales):
    client.force_login(sales)
    before = Customer.objects.count()
    response = client.post(URL, {"file": upload(GOOD), "kind": "customers", "dry_run": "on", "mode": "all"})
    report = response.context["report"]
    assert response.status_code == 200 and report.rows == 2 and report.created == 2 and not report.committed
    assert "Dry run: nothing written" in response.content.decode()
    assert Customer.objects.count() == before
    assert ImportRun.objects.get().dry_run


def test_import_for_real_and_see_the_run(client, sales):
    client.force_login(sales)
    response = client.post(URL, {"file": upload(GOOD), "kind": "customers", "mode": "all"})
    assert response.context["report"].committed
    assert Customer.objects.filter(number__in=["C-1", "C-2"]).count() == 2
    run = ImportRun.objects.get()
    page = client.get(URL).content.decode()
    assert reverse("web:import-run", args=[run.pk]) in page and "people.csv" in page


def test_row_errors_table_all_or_nothing_and_skip_bad_rows(client, sales):
    client.force_login(sales)
    response = client.post(URL, {"file": upload(ONE_BAD), "kind": "customers", "mode": "all"})
    report = response.context["report"]
    assert report.failed == 1 and not report.committed and not Customer.objects.filter(number="C-1").exists()
    body = response.content.decode()
    assert 'class="table importerrors"' in body and "Nothing imported" in body
    assert '<td class="num mono">3</td>' in body  # the bad row, numbered as a spreadsheet shows it
    response = client.post(URL, {"file": upload(ONE_BAD), "kind": "customers", "mode": "skip"})
    assert response.context["report"].created == 1 and Customer.objects.filter(number="C-1").exists()
    run = ImportRun.objects.filter(failed=1).first()
    detail = client.get(reverse("web:import-run", args=[run.pk])).content.decode()
    assert 'class="table importerrors"' in detail


def test_column_mapping(client, sales):
    client.force_login(sales)
    text = "姓名,手机\n孙七,13700003333\n"
    response = client.post(URL, {"file": upload(text), "kind": "customers", "mode": "all", "mapping": "姓名=name\n手机=phone"})
    assert response.context["report"].committed and Customer.objects.filter(name="孙七").exists()
    response = client.post(URL, {"file": upload(text), "kind": "customers", "mode": "all", "mapping": "姓名 name"})
    assert response.context["form"].errors.get("mapping") and response.context["report"] is None


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("notes.pdf", b"%PDF-1.4"), "Use a .csv or .xlsx file"),
        (SimpleUploadedFile("broken.xlsx", b"not a zip"), "not a readable XLSX"),
        (SimpleUploadedFile("latin.csv", "name\n\udcff".encode("utf-8", "surrogateescape")), ""),
        (SimpleUploadedFile("empty.csv", b""), ""),
    ],
)
def test_wrong_file_is_a_clear_error(client, sales, file, message):
    client.force_login(sales)
    response = client.post(URL, {"file": file, "kind": "customers", "mode": "all"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errorlist"' in body or 'class="alert error"' in body
    assert message in body
    assert not Customer.objects.filter(number__startswith="C-").exists()


def test_too_large_file_is_refused_before_reading(client, sales, settings):
    settings.KEHU_IMPORT_MAX_BYTES = 100
    client.force_login(sales)
    response = client.post(URL, {"file": upload(GOOD * 10), "kind": "customers", "mode": "all"})
    assert response.status_code == 200 and "the limit is 100" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_request_larger_than_django_accepts_is_a_400_page(client, sales, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(sales)
    response = client.post(URL, {"kind": "customers", "mode": "all", "mapping": "a=b\n" * 1000,
                                 "file": upload(GOOD)})
    assert response.status_code == 400 and "Bad request" in response.content.decode()


def test_runs_are_private_to_their_author_except_for_managers(client, sales, teammate, manager, analyst):
    client.force_login(sales)
    client.post(URL, {"file": upload(ONE_BAD), "kind": "customers", "mode": "all"})
    run = ImportRun.objects.get()
    client.force_login(teammate)
    assert client.get(reverse("web:import-run", args=[run.pk])).status_code == 404
    assert "people.csv" not in client.get(URL).content.decode()
    client.force_login(manager)
    assert client.get(reverse("web:import-run", args=[run.pk])).status_code == 200
    client.force_login(analyst)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(GOOD), "kind": "customers"}).status_code == 403
    assert ImportRun.objects.count() == 1


def test_xlsx_upload(client, sales):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "phone"])
    book.active.append(["周八", "13700004444"])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(sales)
    file = SimpleUploadedFile("people.xlsx", buffer.getvalue())
    response = client.post(URL, {"file": file, "kind": "customers", "mode": "all"})
    assert response.context["report"].committed and Customer.objects.filter(name="周八").exists()
