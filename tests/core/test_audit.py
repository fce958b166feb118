"""The audit log: a hash chain that shows edits, removals and truncation; masked sensitive values."""

import pytest
from django.core.management import call_command

from kehu.audit.models import AuditEvent
from kehu.audit.services import redact_payloads, verify_chain
from kehu.customers.services import customer_update, profile_update
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(sales):
    customer = make_person(sales, consents=[SENSITIVE_CONSENT])
    customer_update(actor=sales, customer=customer, changes={"status": "dormant"})
    profile_update(actor=sales, customer=customer, values={"health_notes": "CANARY 哮喘", "id_number": "11010519491231002X"})
    return customer


def test_intact_chain_verifies(history, capsys):
    assert verify_chain().ok and verify_chain().events == 3
    call_command("audit", "verify")
    assert "Audit log intact: 3 events" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", [
    lambda: AuditEvent.objects.filter(action="customer.update").update(action="customer.view"),
    lambda: AuditEvent.objects.filter(action="customer.update").update(changes={"status": ["active", "lost"]}),
    lambda: AuditEvent.objects.filter(action="customer.update").delete(),
    lambda: AuditEvent.objects.filter(action="profile.update").delete(),  # the newest one
    lambda: AuditEvent.objects.filter(action="customer.create").update(actor=None),
])
def test_any_tampering_is_detected(history, tamper, capsys):
    tamper()
    assert not verify_chain().ok
    with pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "TAMPERED" in capsys.readouterr().out


def test_sensitive_values_are_masked_in_the_log(history):
    event = AuditEvent.objects.get(action="profile.update")
    assert event.changes["health_notes"] == ["", "******"]
    assert event.changes["id_number"] == ["", "110***********002X"]
    assert "CANARY" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_redaction_keeps_the_chain_verifiable(history):
    assert redact_payloads(customer_id=history.pk) == 3
    assert verify_chain().ok
    assert "张三" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
