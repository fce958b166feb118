"""Searching and exporting the audit log: administrators and auditors only, on every surface."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.audit.selectors import AuditFilters, audit_events
from kehu.customers.selectors import visible_to
from kehu.customers.services import customer_update, profile_update
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db
LOG, EXPORT, API, API_EXPORT = "/audit/", "/audit/export.csv", "/api/audit-events", "/api/audit-events/export"


@pytest.fixture
def history(sales, manager):
    customer = make_person(sales, consents=[SENSITIVE_CONSENT])
    customer_update(actor=sales, customer=customer, changes={"status": "dormant"})
    profile_update(actor=sales, customer=customer, values={"id_number": "11010519491231002X"})
    other = make_person(manager, "李四", contact_points=[])
    return customer, other


def test_auditor_reads_the_log_on_the_page_and_the_api(client, auditor, history):
    customer, _other = history
    client.force_login(auditor)
    page = client.get(LOG, {"customer": customer.pk})
    assert page.status_code == 200
    body = page.content.decode()
    assert "customer.update" in body and "11010519491231002X" not in body
    data = client.get(API, {"customer_id": customer.pk}).json()
    assert data["count"] == 3
    assert [item["action"] for item in data["items"]] == ["profile.update", "customer.update", "customer.create"]
    assert data["items"][1]["actor"] == "sales" and data["items"][1]["changes"] == {"status": ["active", "dormant"]}


def test_auditor_opens_no_customer_file(client, auditor, history):
    customer, _other = history
    assert not visible_to(auditor).exists()
    client.force_login(auditor)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    assert client.get(f"/api/customers/{customer.pk}").status_code == 404
    assert client.get("/api/customers").json()["count"] == 0
    assert client.get("/")["Location"] == LOG


@pytest.mark.parametrize("persona", ["sales", "manager", "analyst", "service_agent"])
def test_other_roles_are_refused_everywhere(client, history, persona, request, capsys):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = AuditEvent.objects.count()
    for url in (LOG, EXPORT, API, API_EXPORT):
        assert client.get(url).status_code == 403, url
    with pytest.raises(CommandError, match="administrators and auditors"):
        call_command("audit", "export", "--user", user.username)
    assert AuditEvent.objects.count() == before  # nothing was exported, so nothing recorded


def test_filters(admin, history, sales, manager):
    customer, other = history
    ids = lambda **f: [e.action for e in audit_events(viewer=admin, filters=AuditFilters(**f))]  # noqa: E731
    assert ids(actor="manager") == ["customer.create"]
    assert ids(action="customer.update") == ["customer.update"]
    assert sorted(ids(action="customer.")) == ["customer.create", "customer.create", "customer.update"]
    assert ids(customer_id=other.pk) == ["customer.create"]
    today = timezone.localdate()  # the archive's dates are local dates
    assert len(ids(since=today, until=today)) == AuditEvent.objects.count() == 5  # with the admin's two-factor
    assert ids(until=today.replace(year=today.year - 1)) == []


def test_bad_filters_are_explained_and_change_nothing(client, auditor, history, settings):
    client.force_login(auditor)
    before = AuditEvent.objects.count()
    page = client.get(LOG, {"since": "2026-05-02", "until": "2026-05-01"})
    assert page.status_code == 400 and "The end date is before the start date." in page.content.decode()
    assert client.get(LOG, {"since": "yesterday"}).status_code == 400
    assert client.get(LOG, {"actor": "nobody"}).status_code == 400
    response = client.get(API, {"until": "2026-05-01", "since": "2026-05-02"})
    assert response.status_code == 422 and "end date" in response.content.decode()
    assert client.get(API, {"since": "not-a-date"}).status_code == 422
    assert client.get(API_EXPORT, {"actor": "nobody"}).status_code == 422
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(LOG, {"actor": "nobody"})
    assert chinese.status_code == 400 and "没有这个用户名的用户。" in chinese.content.decode()
    assert AuditEvent.objects.count() == before


def test_export_is_csv_and_is_itself_audited(client, auditor, history):
    customer, _other = history
    client.force_login(auditor)
    response = client.get(EXPORT, {"customer": customer.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["action"] for row in rows] == ["profile.update", "customer.update", "customer.create"]
    assert json.loads(rows[1]["changes"]) == {"status": ["active", "dormant"]}
    assert "11010519491231002X" not in text
    recorded = AuditEvent.objects.filter(action="audit.export").get()
    assert recorded.actor == auditor and recorded.changes["filters"] == {"customer_id": str(customer.pk)}
    api = client.get(API_EXPORT, {"action": "audit."})
    assert [row["action"] for row in csv.DictReader(io.StringIO(b"".join(api.streaming_content).decode("utf-8-sig")))] == [
        "audit.export", "audit.export"]


def test_command_searches_and_exports(admin, history, tmp_path, capsys):
    customer, _other = history
    call_command("audit", "search", "--customer", str(customer.pk), "--limit", "2")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["action"] for line in lines] == ["profile.update", "customer.update"]
    target = tmp_path / "audit.csv"
    call_command("audit", "export", "--action", "customer.", "--output", str(target))
    assert len(list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))) == 3
    assert AuditEvent.objects.filter(action="audit.export").count() == 1
    with pytest.raises(CommandError, match="use a date"):
        call_command("audit", "search", "--since", "31/12/2026")
    with pytest.raises(CommandError, match="end date"):
        call_command("audit", "search", "--since", "2026-05-02", "--until", "2026-05-01")
