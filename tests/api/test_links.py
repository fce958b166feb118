"""Contact points, family members, important dates and relationships of a file."""

from __future__ import annotations

import pytest

from kehu.customers.models import ContactPoint, FamilyMember, ImportantDate, Relationship
from tests.api.conftest import ApiClient, database_state, fields_of
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(sales) -> ApiClient:
    return ApiClient(sales)


def test_contact_point_lifecycle(client, customer):
    base = f"/customers/{customer.pk}/contact-points"
    created = client.post(base, {"type": "mobile", "value": "+86 139 0000 1111", "label": "work", "best_time": "evening"})
    assert created.status_code == 201, created.content
    point = created.json()
    assert (point["value"], point["display"], point["best_time"]) == ("+8613900001111", "139 0000 1111", "evening")
    updated = client.patch(f"{base}/{point['id']}", {"do_not_contact": True, "label": None})
    assert updated.status_code == 200
    assert (updated.json()["do_not_contact"], updated.json()["label"]) == (True, "")
    assert len(client.get(base).json()) == 2
    # The new number is searchable at once.
    assert [c["id"] for c in client.get("/customers", q="13900001111").json()["items"]] == [customer.pk]
    assert client.delete(f"{base}/{point['id']}").status_code == 204
    assert not ContactPoint.objects.filter(pk=point["id"]).exists()


def test_contact_point_errors(client, customer):
    base = f"/customers/{customer.pk}/contact-points"
    point = customer.contact_points.get()
    before = database_state()
    duplicate = client.post(base, {"type": "mobile", "value": "138 0013 8000"})  # same number as the fixture's
    assert duplicate.status_code == 422
    assert fields_of(duplicate) == {"value": ["This customer already has this contact point."]}
    other = client.post(base, {"type": "mobile", "value": "139 0000 2222"}).json()
    again = client.patch(f"{base}/{other['id']}", {"value": "13800138000"})
    assert fields_of(again) == {"value": ["This customer already has this contact point."]}
    before = database_state()
    assert fields_of(client.post(base, {"type": "mobile", "value": "12345"})) == {
        "value": ["“12345” is not a valid phone number."]
    }
    assert set(fields_of(client.post(base, {"type": "qq", "value": "12"}))) == {"value"}
    assert set(fields_of(client.post(base, {"value": "x"}))) == {"type"}
    assert set(fields_of(client.patch(f"{base}/{point.pk}", {"value": "not a phone"}))) == {"value"}
    assert database_state() == before
    assert ContactPoint.objects.get(pk=point.pk).value == "+8613800138000"


def test_family_member_lifecycle_and_links(client, sales, customer, outsider):
    base = f"/customers/{customer.pk}/family-members"
    child_file = make_person(sales, "张小宝", contact_points=[])
    created = client.post(base, {"relation": "child", "linked_customer_id": child_file.pk, "education": "primary"})
    assert created.status_code == 201, created.content
    member = created.json()
    assert (member["linked_customer_id"], member["name"]) == (child_file.pk, "")
    updated = client.patch(f"{base}/{member['id']}", {"name": "宝宝", "birthday": "2018-01-02"})
    assert (updated.json()["name"], updated.json()["birthday"]) == ("宝宝", "2018-01-02")
    hidden = make_person(outsider, "孙七", contact_points=[])
    before = database_state()
    for linked_id in (hidden.pk, 987654):
        response = client.patch(f"{base}/{member['id']}", {"linked_customer_id": linked_id})
        assert fields_of(response) == {"linked_customer_id": ["No such customer."]}
    assert fields_of(client.post(base, {"relation": "child"})) == {
        "name": ["Give a name or link the family member's own customer file."]
    }
    assert set(fields_of(client.post(base, {"relation": "cousin", "name": "x"}))) == {"relation"}
    assert database_state() == before
    assert client.delete(f"{base}/{member['id']}").status_code == 204
    assert not FamilyMember.objects.exists()


def test_organisations_have_no_family_members(client, sales):
    org = make_organization(sales)
    response = client.post(f"/customers/{org.pk}/family-members", {"relation": "child", "name": "x"})
    assert fields_of(response) == {"relation": ["Only people have family members."]}


def test_important_date_lifecycle_and_calendar_rules(client, customer):
    base = f"/customers/{customer.pk}/important-dates"
    created = client.post(base, {"kind": "birthday", "calendar": "lunar", "month": 8, "day": 15, "label": "农历生日"})
    assert created.status_code == 201, created.content
    date_id = created.json()["id"]
    before = database_state()
    for bad in (
        {"kind": "custom", "month": 2, "day": 30},
        {"kind": "custom", "calendar": "lunar", "month": 1, "day": 31},
        {"kind": "custom", "month": 3, "day": 1, "leap_month": True},
        {"kind": "custom", "year": 2023, "month": 2, "day": 29},
    ):
        response = client.post(base, bad)
        assert response.status_code == 422, bad
        assert set(fields_of(response)) == {"day"}, bad
    for bad, field in (({"kind": "custom", "month": 13, "day": 1}, "month"),
                       ({"kind": "custom", "month": 1, "day": 1, "year": 10**6}, "year"),
                       ({"kind": "custom", "month": 1}, "day")):
        assert set(fields_of(client.post(base, bad))) == {field}, bad
    assert set(fields_of(client.patch(f"{base}/{date_id}", {"day": 31, "calendar": "lunar"}))) == {"day"}
    assert database_state() == before
    assert client.patch(f"{base}/{date_id}", {"day": 16}).json()["day"] == 16
    assert client.post(base, {"kind": "anniversary", "month": 2, "day": 29}).status_code == 201
    assert client.delete(f"{base}/{date_id}").status_code == 204
    assert ImportantDate.objects.count() == 1


def test_relationship_rules(client, sales, customer):
    org = make_organization(sales)
    other_org = make_organization(sales, "云帆子公司")
    base = f"/customers/{customer.pk}/relationships"
    before = database_state()
    cases = [
        ({"other_customer_id": customer.pk, "type": "friend"}, "other_customer_id"),
        ({"other_customer_id": org.pk, "type": "spouse"}, "type"),
        ({"other_customer_id": org.pk, "type": "subsidiary_of"}, "type"),
        ({"other_customer_id": org.pk, "type": "key_person_of", "direction": "incoming"}, "type"),
        ({"other_customer_id": org.pk, "type": "friend", "role": "owner"}, "role"),
        ({"other_customer_id": org.pk, "type": "boss_of"}, "type"),
        ({"other_customer_id": org.pk, "type": "friend", "direction": "sideways"}, "direction"),
    ]
    for body, field in cases:
        response = client.post(base, body)
        assert response.status_code == 422, body
        assert field in fields_of(response), (body, fields_of(response))
    assert database_state() == before
    link = client.post(base, {"other_customer_id": org.pk, "type": "key_person_of", "role": "executive"})
    assert link.status_code == 201 and link.json()["label"] == "Key person of"
    again = client.post(base, {"other_customer_id": org.pk, "type": "key_person_of"})
    assert again.status_code == 422 and list(fields_of(again)) == ["type"]  # this pair already has this type
    sub = client.post(f"/customers/{other_org.pk}/relationships", {"other_customer_id": org.pk, "type": "subsidiary_of"})
    assert sub.status_code == 201
    # Deleting from the other end works too, and a link id of another file is 404.
    assert client.delete(f"/customers/{customer.pk}/relationships/{sub.json()['id']}").status_code == 404
    assert client.delete(f"/customers/{org.pk}/relationships/{link.json()['id']}").status_code == 204
    assert Relationship.objects.count() == 1


def test_sub_resources_of_a_missing_customer_are_404(client):
    for path in ("contact-points", "family-members", "important-dates", "relationships"):
        assert client.get(f"/customers/987654/{path}").status_code == 404
        assert client.delete(f"/customers/987654/{path}/1").status_code == 404
