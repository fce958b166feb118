import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.audit.models import AuditEvent
from kehu.privacy.masking import mask, reveal
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(sales):
    return make_person(
        sales,
        profile={"health_notes": "哮喘", "id_number": "11010519491231002X"},
        consents=[SENSITIVE_CONSENT],
    )


def test_masks():
    assert mask("id_number", "11010519491231002X") == "110***********002X"
    assert mask("health_notes", "哮喘") == "******"
    assert mask("health_notes", "") == ""


def test_reveal_with_reason_is_audited(sales, patient):
    values = reveal(actor=sales, customer=patient, fields=["health_notes"], reason="客户来电核对过敏史")
    assert values == {"health_notes": "哮喘"}
    event = AuditEvent.objects.get(action="privacy.reveal")
    assert (
        event.changes == {"fields": ["health_notes"], "reason": "客户来电核对过敏史"} and event.actor == sales
    )


def test_reveal_needs_reason_role_and_sensitive_fields(sales, analyst, patient):
    with pytest.raises(ValidationError):
        reveal(actor=sales, customer=patient, fields=["health_notes"], reason="")
    with pytest.raises(ValidationError):
        reveal(actor=sales, customer=patient, fields=["hobbies"], reason="just looking around")
    with pytest.raises(PermissionDenied):
        reveal(actor=analyst, customer=patient, fields=["health_notes"], reason="analysis of allergies")
    assert not AuditEvent.objects.filter(action="privacy.reveal").exists()
