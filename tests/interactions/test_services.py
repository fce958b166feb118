import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehu.customers.services import relationship_add
from kehu.interactions.models import Interaction
from kehu.interactions.services import interaction_history, interaction_log, interaction_update
from kehu.service.models import ServiceRecord
from kehu.service.services import service_record_create, service_record_update
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db


def test_log_a_call_with_the_organisations_key_person(sales):
    org = make_organization(sales)
    buyer = make_person(sales, "采购王", contact_points=[])
    relationship_add(actor=sales, from_customer=buyer, to_customer=org, type="key_person_of", role="purchasing")
    call = interaction_log(
        actor=sales, customer=org, people=[buyer],
        values={"channel": "phone", "direction": "outbound", "duration_minutes": 12, "subject": "续约",
                "content": "谈续约价格", "outcome": "interested", "customer_needs": "希望年付折扣",
                "next_step": "发报价", "next_contact_on": timezone.localdate() + datetime.timedelta(days=3)},
    )
    assert list(call.staff.all()) == [sales] and list(call.people.all()) == [buyer]


def test_people_must_be_linked(sales, customer):
    stranger = make_person(sales, "路人", contact_points=[])
    with pytest.raises(ValidationError) as excinfo:
        interaction_log(actor=sales, customer=customer, people=[stranger], values={"channel": "phone"})
    assert "people" in excinfo.value.message_dict
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(("values", "field"), [
    ({"channel": "telepathy"}, "channel"),
    ({"channel": "phone", "occurred_at": timezone.now() + datetime.timedelta(days=1)}, "occurred_at"),
    ({"channel": "phone", "occurred_at": "not a time"}, "occurred_at"),
    ({"channel": "phone", "duration_minutes": -3}, "duration_minutes"),
    ({"channel": "phone", "mood": "good"}, "mood"),
])
def test_bad_communications(sales, customer, values, field):
    with pytest.raises(ValidationError) as excinfo:
        interaction_log(actor=sales, customer=customer, values=values)
    assert field in excinfo.value.message_dict
    assert not Interaction.objects.exists()


def test_edit_history_is_kept(sales, customer):
    call = interaction_log(actor=sales, customer=customer, values={"channel": "phone", "content": "first"})
    interaction_update(actor=sales, interaction=call, values={"content": "corrected"})
    history = list(interaction_history(call))
    assert [h.action for h in history] == ["interaction.create", "interaction.update"]
    assert history[1].changes["content"] == ["first", "corrected"]


def test_outsider_cannot_log(outsider, customer):
    with pytest.raises(PermissionDenied):
        interaction_log(actor=outsider, customer=customer, values={"channel": "phone"})


def test_service_visit(sales, service_agent, customer):
    record = service_record_create(actor=sales, customer=customer, values={
        "kind": "repair", "product": "净水器", "problem": "漏水", "technician": sales})
    service_record_update(actor=sales, record=record, values={
        "status": "done", "diagnosis": "密封圈老化", "parts": "密封圈", "cost": "35.00",
        "completed_on": timezone.localdate()})
    record.refresh_from_db()
    assert record.status == "done" and str(record.cost) == "35.00"
    with pytest.raises(ValidationError):
        service_record_update(actor=sales, record=record, values={"completed_on": "2000-01-01"})
    with pytest.raises(ValidationError):
        service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "", "cost": "-1"})
    assert ServiceRecord.objects.count() == 1


def test_update_who_took_part(sales, teammate):
    org = make_organization(sales)
    buyer = make_person(sales, "采购王", contact_points=[])
    stranger = make_person(sales, "路人", contact_points=[])
    relationship_add(actor=sales, from_customer=buyer, to_customer=org, type="key_person_of")
    call = interaction_log(actor=sales, customer=org, values={"channel": "visit"})
    interaction_update(actor=sales, interaction=call, values={}, staff=[sales, teammate], people=[buyer])
    assert set(call.staff.all()) == {sales, teammate} and list(call.people.all()) == [buyer]
    with pytest.raises(ValidationError):
        interaction_update(actor=sales, interaction=call, values={}, people=[stranger])
    with pytest.raises(ValidationError):
        interaction_update(actor=sales, interaction=call, values={}, staff=[])
    assert list(call.people.all()) == [buyer]
    history = list(interaction_history(call))
    assert history[-1].changes["people"] == [[], [buyer.pk]]
