"""Creating and editing files through the sectioned forms; every bad input is a field error."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kehu.customers.models import Customer, CustomFieldDefinition, FamilyMember, Relationship
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

VALID_USCC = "91350100M000100Y43"


def person_data(**overrides) -> dict:
    data = {"name": "王小明", "status": "active", "contact-mobile": "139-1234-5678", "contact-email": ""}
    data.update(overrides)
    return data


def field_errors(response, form: str, field: str) -> list[str]:
    return list(getattr(response.context["forms"], form).errors.get(field, []))


def test_create_person_with_profile_tags_and_contacts(client, sales):
    client.force_login(sales)
    response = client.post(
        reverse("web:person-create"),
        person_data(**{
            "tags": "VIP， 老客户、VIP", "profile-gender": "male", "profile-birthday": "1985-06-01",
            "profile-employer": "云帆科技", "contact-email": "Xiaoming@Example.com", "source_channel": "referral",
            "owner": str(sales.pk),
        }),
    )
    customer = Customer.objects.get(name="王小明")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer-detail", args=[customer.pk])
    assert customer.owner == sales and customer.team == sales.team
    assert customer.person.birthday == datetime.date(1985, 6, 1)
    assert sorted(t.name for t in customer.tags.all()) == ["VIP", "老客户"]
    assert {(p.type, p.value) for p in customer.contact_points.all()} == {
        ("mobile", "+8613912345678"), ("email", "xiaoming@example.com"),
    }
    page = client.get(response["Location"]).content.decode()
    assert "139 1234 5678" in page and "云帆科技" in page


def test_sales_can_leave_a_new_file_in_the_pool_but_not_give_it_away(client, sales, teammate):
    client.force_login(sales)
    client.post(reverse("web:person-create"), person_data(owner=""))
    assert Customer.objects.get(name="王小明").owner is None
    response = client.post(reverse("web:person-create"), person_data(name="李雷", owner=str(teammate.pk)))
    assert response.status_code == 200
    assert field_errors(response, "main", "owner")
    assert not Customer.objects.filter(name="李雷").exists()


def test_manager_assigns_any_owner(client, manager, sales):
    client.force_login(manager)
    client.post(reverse("web:person-create"), person_data(owner=str(sales.pk)))
    customer = Customer.objects.get(name="王小明")
    assert customer.owner == sales and customer.team == sales.team


@pytest.mark.parametrize(
    ("data", "form", "field"),
    [
        ({"contact-mobile": "12345"}, "contact", "mobile"),
        ({"contact-mobile": "phone me"}, "contact", "mobile"),
        ({"contact-email": "not-an-email"}, "contact", "email"),
        ({"profile-birthday": "2999-01-01"}, "profile", "birthday"),
        ({"profile-birthday": "31/02/1990"}, "profile", "birthday"),
        ({"name": "名" * 10_000}, "main", "name"),
        ({"name": "   "}, "main", "name"),
        ({"status": "vip"}, "main", "status"),
        ({"profile-gender": "robot"}, "profile", "gender"),
        ({"profile-blood_type": "Z"}, "profile", "blood_type"),
        ({"profile-height_cm": "999"}, "profile", "height_cm"),
        ({"number": "has space"}, "main", "number"),
        ({"owner": "999999"}, "main", "owner"),
        ({"last_verified_on": "yesterday"}, "main", "last_verified_on"),
    ],
)
def test_bad_person_input_is_a_field_error_and_writes_nothing(client, sales, data, form, field):
    client.force_login(sales)
    response = client.post(reverse("web:person-create"), person_data(**data))
    assert response.status_code == 200
    assert field_errors(response, form, field), response.context["forms"].__dict__
    assert "Nothing was saved" in response.content.decode()
    assert not Customer.objects.exists()


def test_duplicate_customer_number_is_a_field_error(client, sales, customer):
    client.force_login(sales)
    response = client.post(reverse("web:person-create"), person_data(number=customer.number))
    assert field_errors(response, "main", "number")
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"profile-credit_code": "91350100M000100Y44"}, "credit_code"),  # wrong check digit
        ({"profile-credit_code": "hello"}, "credit_code"),
        ({"profile-phone": "12"}, "phone"),
        ({"profile-founded_on": "2999-01-01"}, "founded_on"),
        ({"profile-organization_form": "empire"}, "organization_form"),
        ({"profile-registered_capital": "-5"}, "registered_capital"),
        ({"profile-website": "not a url"}, "website"),
    ],
)
def test_bad_organisation_input_is_a_field_error(client, sales, data, field):
    client.force_login(sales)
    response = client.post(
        reverse("web:organization-create"), {"name": "杭州云帆科技有限公司", "status": "active", **data}
    )
    assert response.status_code == 200
    assert field_errors(response, "profile", field)
    assert not Customer.objects.exists()


def test_create_organisation_normalises_credit_code(client, sales):
    client.force_login(sales)
    response = client.post(
        reverse("web:organization-create"),
        {"name": "杭州云帆科技有限公司", "status": "active", "profile-credit_code": VALID_USCC.lower(),
         "profile-phone": "0571-8888 6666", "profile-registered_capital": "500"},
    )
    assert response.status_code == 302
    organization = Customer.objects.get().organization
    assert organization.credit_code == VALID_USCC
    assert organization.phone == "+8657188886666"


def test_required_and_typed_custom_fields(client, sales, manager):
    CustomFieldDefinition.objects.create(key="level", label="Level", field_type="choice", choices=["A", "B"], required=True)
    CustomFieldDefinition.objects.create(key="budget", label="Budget", field_type="number")
    client.force_login(sales)
    response = client.post(reverse("web:person-create"), person_data(**{"cf-budget": "lots"}))
    assert field_errors(response, "custom", "level") and field_errors(response, "custom", "budget")
    response = client.post(reverse("web:person-create"), person_data(**{"cf-level": "C"}))
    assert field_errors(response, "custom", "level")
    assert not Customer.objects.exists()
    response = client.post(reverse("web:person-create"), person_data(**{"cf-level": "B", "cf-budget": "12.5"}))
    assert response.status_code == 302
    assert Customer.objects.get().custom_fields == {"level": "B", "budget": 12.5}


def edit_data(customer: Customer, **overrides) -> dict:
    data = {
        "name": customer.name, "number": customer.number, "status": customer.status,
        "owner": str(customer.owner_id or ""), "tags": "", "notes": "",
    }
    data.update(overrides)
    return data


def test_edit_changes_top_fields_and_profile(client, sales, customer):
    client.force_login(sales)
    url = reverse("web:customer-edit", args=[customer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(customer, name="张三丰", tags="武当", **{"profile-hobbies": "太极"}))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "张三丰" and customer.person.hobbies == "太极"
    assert [t.name for t in customer.tags.all()] == ["武当"]


def test_teammate_keeps_the_owner_when_editing(client, teammate, sales, customer):
    client.force_login(teammate)
    response = client.post(reverse("web:customer-edit", args=[customer.pk]), edit_data(customer, status="dormant"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == "dormant" and customer.owner == sales


def test_edit_with_one_bad_field_changes_nothing(client, sales, customer):
    client.force_login(sales)
    response = client.post(
        reverse("web:customer-edit", args=[customer.pk]),
        edit_data(customer, name="张三丰", **{"profile-birthday": "2999-01-01"}),
    )
    assert response.status_code == 200
    assert field_errors(response, "profile", "birthday")
    customer.refresh_from_db()
    assert customer.name == "张三"


def test_edit_profile_error_from_the_service_rolls_back_top_fields(client, sales, customer):
    client.force_login(sales)
    other = make_person(sales, "王五", contact_points=[])
    response = client.post(
        reverse("web:customer-edit", args=[customer.pk]),
        edit_data(customer, name="张三丰", number=other.number),
    )
    assert field_errors(response, "main", "number")
    customer.refresh_from_db()
    assert customer.name == "张三"


def test_create_person_then_add_family_members(client, sales):
    client.force_login(sales)
    client.post(reverse("web:person-create"), person_data())
    person = Customer.objects.get(name="王小明")
    spouse = make_person(sales, "李娜", contact_points=[])

    inline = client.post(
        reverse("web:family-add", args=[person.pk]),
        {"family-add-relation": "child", "family-add-name": "王小宝", "family-add-birthday": "2015-03-02",
         "family-add-education": "primary"},
    )
    linked = client.post(
        reverse("web:family-link", args=[person.pk]),
        {"family-link-relation": "spouse", "family-link-other_number": spouse.number},
    )
    created = client.post(
        reverse("web:family-new-person", args=[person.pk]),
        {"family-new-relation": "parent", "family-new-name": "王大山", "family-new-mobile": "13700137000"},
    )
    assert {inline.status_code, linked.status_code, created.status_code} == {302}
    members = {m.name: m for m in FamilyMember.objects.filter(customer=person)}
    assert members["王小宝"].linked_customer is None and members["王小宝"].birthday == datetime.date(2015, 3, 2)
    assert members["李娜"].linked_customer == spouse
    father = Customer.objects.get(name="王大山")
    assert members["王大山"].linked_customer == father
    assert father.contact_points.get().value == "+8613700137000"

    page = client.get(reverse("web:customer-detail", args=[person.pk])).content.decode()
    assert reverse("web:customer-detail", args=[spouse.pk]) in page
    assert reverse("web:customer-detail", args=[father.pk]) in page
    assert "王小宝" in page


def test_new_relative_with_bad_phone_creates_nothing(client, sales, customer):
    client.force_login(sales)
    count = Customer.objects.count()
    response = client.post(
        reverse("web:family-new-person", args=[customer.pk]),
        {"family-new-relation": "parent", "family-new-name": "张大山", "family-new-mobile": "12345"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "not a valid phone number" in response.content.decode()
    assert Customer.objects.count() == count and not FamilyMember.objects.exists()


def test_create_organisation_with_key_people(client, sales):
    client.force_login(sales)
    response = client.post(reverse("web:organization-create"), {"name": "杭州云帆科技有限公司", "status": "active"})
    organization = Customer.objects.get(kind="organization")
    assert response.status_code == 302
    boss = make_person(sales, "马云飞", contact_points=[])

    existing = client.post(
        reverse("web:key-person-add", args=[organization.pk]),
        {"key-other_id": str(boss.pk), "key-role": "legal_representative", "key-title": "董事长"},
    )
    new = client.post(
        reverse("web:key-person-new", args=[organization.pk]),
        {"keynew-name": "陈采购", "keynew-mobile": "13600136000", "keynew-role": "purchasing", "keynew-title": "采购经理"},
    )
    assert existing.status_code == 302 and new.status_code == 302
    buyer = Customer.objects.get(name="陈采购")
    links = Relationship.objects.filter(to_customer=organization, type="key_person_of")
    assert {(link.from_customer_id, link.role) for link in links} == {
        (boss.pk, "legal_representative"), (buyer.pk, "purchasing"),
    }
    page = client.get(reverse("web:customer-detail", args=[organization.pk])).content.decode()
    assert "Key people" in page and "马云飞" in page and "陈采购" in page and "Legal representative" in page
    # And the person's page shows the organisation.
    person_page = client.get(reverse("web:customer-detail", args=[boss.pk])).content.decode()
    assert "杭州云帆科技有限公司" in person_page
