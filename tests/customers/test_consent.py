"""Consent rules: sensitive data needs separate consent; children need a guardian; withdrawal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.customers.models import Consent, Customer, PersonProfile, SearchTerm
from kehu.customers.services import (
    ConsentData,
    consent_record,
    consent_withdraw,
    erase_sensitive_without_consent,
    profile_update,
)
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db
CHILD_BIRTHDAY = timezone.localdate() - datetime.timedelta(days=365 * 8)


def test_sensitive_field_without_consent_is_refused_and_nothing_written(sales):
    with pytest.raises(ValidationError) as excinfo:
        make_person(sales, profile={"health_notes": "高血压"})
    assert "profile.health_notes" in excinfo.value.message_dict
    assert not Customer.objects.exists()


def test_sensitive_update_needs_consent_then_works(sales, customer):
    with pytest.raises(ValidationError):
        profile_update(actor=sales, customer=customer, values={"beliefs": "佛教"})
    consent_record(actor=sales, customer=customer, data=SENSITIVE_CONSENT)
    profile_update(actor=sales, customer=customer, values={"beliefs": "佛教"})
    assert PersonProfile.objects.get(pk=customer.pk).beliefs == "佛教"


def test_child_needs_guardian_consent(sales):
    with pytest.raises(ValidationError) as excinfo:
        make_person(sales, "小明", profile={"birthday": CHILD_BIRTHDAY})
    assert "profile.birthday" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        make_person(sales, "小明", profile={"birthday": CHILD_BIRTHDAY}, consents=[ConsentData("service", "v1", "paper")])
    child = make_person(sales, "小明", profile={"birthday": CHILD_BIRTHDAY},
                        consents=[ConsentData("service", "v1", "paper", guardian_name="王大明（父亲）")])
    assert child.consents.get().guardian_name == "王大明（父亲）"


def test_bad_consent_data(sales, customer):
    for data in (ConsentData("gossip", "v1", "paper"), ConsentData("marketing", "", "paper"),
                 ConsentData("marketing", "v1", "pigeon")):
        with pytest.raises(ValidationError):
            consent_record(actor=sales, customer=customer, data=data)
    assert not Consent.objects.exists()


def test_regranting_replaces_and_withdrawal_is_audited(sales, customer):
    first = consent_record(actor=sales, customer=customer, data=ConsentData("marketing", "v1", "online"))
    second = consent_record(actor=sales, customer=customer, data=ConsentData("marketing", "v2", "online"))
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.active
    consent_withdraw(actor=sales, consent=second)
    with pytest.raises(ValidationError):
        consent_withdraw(actor=sales, consent=second)
    assert AuditEvent.objects.filter(action="consent.withdraw", customer_id=customer.pk).count() == 1


def test_withdrawing_sensitive_consent_leads_to_erasure(sales):
    person = make_person(sales, profile={"health_notes": "过敏", "id_number": "11010519491231002X"},
                         consents=[SENSITIVE_CONSENT])
    assert SearchTerm.objects.filter(customer=person, term__startswith="#id:").exists()
    assert erase_sensitive_without_consent(actor=None) == 0
    consent_withdraw(actor=sales, consent=person.consents.get())
    profile_update(actor=sales, customer=person, values={"hobbies": "登山"})  # other fields stay editable
    assert erase_sensitive_without_consent(actor=None) == 1
    profile = PersonProfile.objects.get(pk=person.pk)
    assert (profile.health_notes, profile.id_number, profile.id_number_index, profile.hobbies) == ("", "", "", "登山")
    assert not SearchTerm.objects.filter(customer=person, term__startswith="#id:").exists()
