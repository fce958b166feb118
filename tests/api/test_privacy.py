"""Masking of sensitive fields, the audited reveal, consents, data-subject requests and the
access export, and the audit of every file view."""

from __future__ import annotations

import pytest

from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer
from tests.api.conftest import ApiClient, activity_state, fields_of

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
SECRETS = {"id_number": ID_NUMBER, "health_notes": "糖尿病二型", "beliefs": "某宗教信徒", "blood_type": "AB"}
CONSENT = {"purpose": "sensitive", "notice_version": "notice-2026-01", "channel": "paper", "evidence": "柜台签字"}


@pytest.fixture
def secret_file(sales) -> int:
    """A file with every sensitive field filled in, written through the API."""
    client = ApiClient(sales)
    customer_id = client.post("/customers", {"kind": "person", "name": "周敏", "profile": {"employer": "云帆"}}).json()["id"]
    refused = client.patch(f"/customers/{customer_id}", {"profile": {"health_notes": "x"}})
    assert fields_of(refused) == {
        "profile.health_notes": ["Sensitive information needs the customer's separate consent on file first."]
    }
    assert client.post(f"/customers/{customer_id}/consents", CONSENT).status_code == 201
    response = client.patch(f"/customers/{customer_id}", {"profile": SECRETS})
    assert response.status_code == 200, response.content
    return customer_id


def _leaks(content: bytes) -> list[str]:
    text = content.decode()
    return [value for value in SECRETS.values() if value != "AB" and value in text] + (
        ["blood_type"] if '"blood_type": "AB"' in text or '"blood_type":"AB"' in text else []
    )


def test_sensitive_fields_never_leave_unmasked(sales, manager, analyst, secret_file):
    for user in (sales, manager, analyst):
        client = ApiClient(user)
        detail = client.get(f"/customers/{secret_file}")
        person = detail.json()["person"]
        assert person["id_number"] == "110***********002X"
        assert (person["health_notes"], person["beliefs"], person["blood_type"]) == ("******", "******", "******")
        assert person["employer"] == "云帆"
        for response in (
            detail,
            client.get("/customers"),
            client.get("/customers", q=ID_NUMBER),  # found by the number, not showing it
            client.get("/customers", q="周敏"),
            client.patch(f"/customers/{secret_file}", {"notes": "回访"}),
            client.patch(f"/customers/{secret_file}", {"profile": {"id_number": "110105194912310021"}}),
            client.patch(f"/customers/{secret_file}", {"profile": {"blood_type": "糖尿病二型"}}),
        ):
            assert not _leaks(response.content), (response.request["PATH_INFO"], response.content)
    found = ApiClient(sales).get("/customers", q=ID_NUMBER).json()["items"]
    assert [item["id"] for item in found] == [secret_file]


def test_an_invalid_sensitive_value_is_not_echoed_in_the_error(sales, secret_file):
    response = ApiClient(sales).patch(f"/customers/{secret_file}", {"profile": {"blood_type": "秘密的值"}})
    assert response.status_code == 422
    assert "秘密的值" not in response.content.decode()
    assert list(fields_of(response)) == ["profile.blood_type"]


def test_reveal_is_audited_and_refused_to_analysts(sales, analyst, outsider, secret_file):
    client = ApiClient(sales)
    revealed = client.post(f"/customers/{secret_file}/reveal", {"fields": ["id_number", "health_notes"],
                                                                "reason": "办理保险理赔需要核对"})
    assert revealed.status_code == 200, revealed.content
    assert revealed.json()["values"] == {"id_number": ID_NUMBER, "health_notes": "糖尿病二型"}
    event = AuditEvent.objects.get(action="privacy.reveal")
    assert (event.actor, event.customer_id, event.changes["fields"]) == (sales, secret_file, ["id_number", "health_notes"])
    assert ID_NUMBER not in str(event.changes)
    clients = {"analyst": ApiClient(analyst), "outsider": ApiClient(outsider)}
    before = activity_state(), AuditEvent.objects.filter(action="privacy.reveal").count()
    body = {"fields": ["health_notes"], "reason": "看看而已看看"}
    denied = clients["analyst"].post(f"/customers/{secret_file}/reveal", body)
    assert denied.status_code == 403 and ID_NUMBER not in denied.content.decode()
    assert clients["outsider"].post(f"/customers/{secret_file}/reveal", body).status_code == 404
    for bad, field in (({"fields": ["health_notes"], "reason": "x"}, "reason"),
                       ({"fields": ["employer"], "reason": "核对资料核对"}, "fields.0"),
                       ({"fields": [], "reason": "核对资料核对"}, "fields")):
        assert field in fields_of(client.post(f"/customers/{secret_file}/reveal", bad)), bad
    assert (activity_state(), AuditEvent.objects.filter(action="privacy.reveal").count()) == before


def test_every_detail_read_is_audited_but_lists_are_not(sales, customer):
    client = ApiClient(sales)
    client.get("/customers")
    client.get(f"/customers/{customer.pk}/interactions")
    assert not AuditEvent.objects.filter(action="customer.view").exists()
    client.get(f"/customers/{customer.pk}")
    client.get(f"/customers/{customer.pk}")
    views = AuditEvent.objects.filter(action="customer.view")
    assert [(e.actor, e.customer_id, e.object_id) for e in views] == [(sales, customer.pk, str(customer.pk))] * 2


def test_consent_withdrawal(sales, secret_file):
    client = ApiClient(sales)
    base = f"/customers/{secret_file}/consents"
    [consent] = client.get(base).json()
    assert (consent["purpose"], consent["active"], consent["recorded_by"]["username"]) == ("sensitive", True, "sales")
    withdrawn = client.post(f"{base}/{consent['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    again = client.post(f"{base}/{consent['id']}/withdraw")
    assert again.status_code == 422 and list(fields_of(again)) == ["withdrawn_at"]
    for body, field in (({**CONSENT, "purpose": "spying"}, "purpose"), ({**CONSENT, "notice_version": ""}, "notice_version"),
                        ({**CONSENT, "channel": "telepathy"}, "channel")):
        assert field in fields_of(client.post(base, body)), body
    # Without the consent, sensitive fields can no longer be written.
    assert "profile.beliefs" in fields_of(client.patch(f"/customers/{secret_file}", {"profile": {"beliefs": "无"}}))


def test_subject_requests_export_and_deletion(sales, manager, secret_file):
    boss, client = ApiClient(manager), ApiClient(sales)
    base = f"/customers/{secret_file}/subject-requests"
    access = boss.post(base, {"kind": "access", "details": "客户来电索取资料"})
    assert access.status_code == 201 and access.json()["overdue"] is False
    export = boss.get(f"/customers/{secret_file}/subject-export")
    assert export.status_code == 200, export.content
    data = export.json()
    assert data["profile"]["id_number"] == ID_NUMBER  # it is their own data
    assert data["customer"]["name"] == "周敏" and data["consents"][0]["purpose"] == "sensitive"
    event = AuditEvent.objects.get(action="privacy.export")
    assert (event.actor, event.customer_id) == (manager, secret_file)
    refused = client.get(f"/customers/{secret_file}/subject-export")
    assert refused.status_code == 403 and not _leaks(refused.content)
    assert boss.post(f"{base}/{access.json()['id']}/close", {"outcome": "已寄出"}).json()["status"] == "done"
    again = boss.post(f"{base}/{access.json()['id']}/close", {"outcome": "again"})
    assert list(fields_of(again)) == ["status"]
    deletion = boss.post(base, {"kind": "deletion"}).json()
    assert [r["kind"] for r in client.get(base).json()] == ["deletion", "access"]
    assert list(fields_of(boss.post(f"{base}/{deletion['id']}/close", {"outcome": ""}))) == ["outcome"]
    closed = boss.post(f"{base}/{deletion['id']}/close", {"outcome": "已删除"})
    assert closed.status_code == 200
    anonymised = Customer.objects.get(pk=secret_file)
    assert anonymised.name.startswith("— #")
    assert boss.get("/subject-requests", status="open").json()["count"] == 0
    assert boss.get("/subject-requests").json()["count"] == 2
