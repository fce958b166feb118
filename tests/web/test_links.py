"""Contact points, important dates and relationships, edited in place on the customer page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kehu.customers.models import ContactPoint, ImportantDate, Relationship
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "contacts"}


def test_add_contact_point_with_htmx_returns_the_block(client, sales, customer):
    client.force_login(sales)
    response = client.post(
        reverse("web:contacts-add", args=[customer.pk]),
        {"contacts-add-type": "phone", "contacts-add-value": "(0571) 8888-6666", "contacts-add-preferred": "on"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="contacts"' in body and "<html" not in body
    assert "0571 8888 6666" in body and "Preferred" in body
    assert 'hx-swap-oob="true"' in body  # the completeness card refreshes too
    assert customer.contact_points.filter(type="phone", value="+8657188886666", preferred=True).exists()


def test_plain_post_fallback_redirects_back_to_the_block(client, sales, customer):
    client.force_login(sales)
    response = client.post(
        reverse("web:contacts-add", args=[customer.pk]),
        {"contacts-add-type": "email", "contacts-add-value": "zs@example.com"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer-detail", args=[customer.pk]) + "#contacts"


@pytest.mark.parametrize(
    "data",
    [
        {"contacts-add-type": "mobile", "contacts-add-value": "12345"},
        {"contacts-add-type": "fax", "contacts-add-value": "123"},
        {"contacts-add-type": "mobile", "contacts-add-value": "138 0013 8000"},  # already on file
        {"contacts-add-type": "qq", "contacts-add-value": "abc"},
    ],
)
def test_bad_contact_point_is_a_field_error_in_place(client, sales, customer, data):
    client.force_login(sales)
    response = client.post(reverse("web:contacts-add", args=[customer.pk]), data, **HTMX)
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert customer.contact_points.count() == 1
    # Without htmx the whole page comes back with the form open and the error shown.
    page = client.post(reverse("web:contacts-add", args=[customer.pk]), data)
    assert page.status_code == 200 and '<details id="contacts-add" open' in page.content.decode()


def test_edit_and_delete_contact_point(client, sales, customer):
    client.force_login(sales)
    point = customer.contact_points.get()
    edit_url = reverse("web:contacts-edit", args=[customer.pk, point.pk])
    form = client.get(edit_url, **HTMX).content.decode()
    assert f"contacts-{point.pk}-value" in form
    client.post(edit_url, {f"contacts-{point.pk}-type": "mobile", f"contacts-{point.pk}-value": "13900001111",
                           f"contacts-{point.pk}-do_not_contact": "on"}, **HTMX)
    point.refresh_from_db()
    assert point.value == "+8613900001111" and point.do_not_contact
    response = client.post(reverse("web:contacts-delete", args=[customer.pk, point.pk]), **HTMX)
    assert response.status_code == 200 and not ContactPoint.objects.filter(pk=point.pk).exists()


def test_contact_point_of_another_customer_is_404(client, sales, customer, pool_customer):
    client.force_login(sales)
    other_point = pool_customer.contact_points.get()
    response = client.post(reverse("web:contacts-delete", args=[customer.pk, other_point.pk]))
    assert response.status_code == 404 and ContactPoint.objects.filter(pk=other_point.pk).exists()


def test_important_dates_solar_and_lunar(client, sales, customer):
    client.force_login(sales)
    url = reverse("web:dates-add", args=[customer.pk])
    client.post(url, {"dates-add-kind": "birthday", "dates-add-calendar": "lunar", "dates-add-month": "8",
                      "dates-add-day": "15"})
    response = client.post(url, {"dates-add-kind": "anniversary", "dates-add-calendar": "solar",
                                 "dates-add-month": "2", "dates-add-day": "30"}, **HTMX)
    assert 'class="errorlist"' in response.content.decode()
    assert list(ImportantDate.objects.values_list("calendar", "month", "day")) == [("lunar", 8, 15)]
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "Lunar" in page and "08-15" in page


def test_relationships_show_from_both_ends_and_link_to_each_other(client, sales, customer):
    child = make_person(sales, "张小三", contact_points=[])
    client.force_login(sales)
    response = client.post(
        reverse("web:relationship-add", args=[child.pk]),
        {"rel-type": "~parent_of", "rel-other_number": customer.number},
    )
    assert response.status_code == 302
    link = Relationship.objects.get()
    assert (link.from_customer, link.to_customer, link.type) == (customer, child, "parent_of")
    child_page = client.get(reverse("web:customer-detail", args=[child.pk])).content.decode()
    parent_page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "Child of" in child_page and reverse("web:customer-detail", args=[customer.pk]) in child_page
    assert "Parent of" in parent_page and reverse("web:customer-detail", args=[child.pk]) in parent_page
    client.post(reverse("web:relationship-delete", args=[child.pk, link.pk]))
    assert not Relationship.objects.exists()


def test_relationship_errors_are_field_errors(client, sales, outsider, customer):
    hidden = make_person(outsider, "赵六", contact_points=[])
    company = make_organization(sales)
    client.force_login(sales)
    url = reverse("web:relationship-add", args=[customer.pk])
    cases = [
        ({"rel-type": "friend", "rel-other_number": hidden.number}, "No such customer"),  # invisible
        ({"rel-type": "friend", "rel-other_id": str(hidden.pk)}, "No such customer"),
        ({"rel-type": "friend"}, "Choose a customer"),
        ({"rel-type": "overlord_of", "rel-other_number": company.number}, "Select a valid choice"),
        ({"rel-type": "spouse", "rel-other_number": company.number}, "Family relationships link two people"),
    ]
    for data, message in cases:
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert message in response.content.decode(), data
    assert not Relationship.objects.exists()


def test_picker_lists_visible_customers_only(client, sales, outsider, customer, pool_customer):
    make_person(outsider, "张三丰", contact_points=[])
    client.force_login(sales)
    response = client.get(reverse("web:customer-pick"), {"pick_q": "zs", "field": "rel-other_id", "exclude": "0"})
    body = response.content.decode()
    assert 'name="rel-other_id"' in body and f'value="{customer.pk}"' in body and "张三丰" not in body
    response = client.get(reverse("web:customer-pick"), {"q": "zs", "exclude": str(customer.pk)})
    assert f'value="{customer.pk}"' not in response.content.decode()
    response = client.get(reverse("web:customer-pick"), {"q": "zs", "field": '"><script>'})
    assert "<script>" not in response.content.decode()


def test_linked_relative_invisible_to_viewer_is_not_a_link(client, sales, outsider, manager, customer):
    relative = make_person(outsider, "张父", contact_points=[])
    from kehu.customers.services import family_member_add

    family_member_add(actor=manager, customer=customer, values={"relation": "parent", "name": "张父",
                                                                 "linked_customer": relative})
    client.force_login(sales)
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "张父" in page and reverse("web:customer-detail", args=[relative.pk]) not in page


def test_family_block_is_404_for_organisations(client, sales):
    company = make_organization(sales)
    client.force_login(sales)
    response = client.post(reverse("web:family-add", args=[company.pk]), {"family-add-relation": "child",
                                                                           "family-add-name": "x"})
    assert response.status_code == 404


def test_blank_forms_are_folded_and_built_when_opened(client, sales, customer):
    client.force_login(sales)
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    form_url = reverse("web:block-form", args=[customer.pk, "contacts", "add"])
    assert f'hx-get="{form_url}"' in page and 'name="contacts-add-value"' not in page
    fragment = client.get(form_url, **HTMX)
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert '<details id="contacts-add" open' in body and 'name="contacts-add-value"' in body
    # Without htmx: the whole page, that form open.
    full = client.get(form_url).content.decode()
    assert "<html" in full and '<details id="contacts-add" open' in full and 'name="family-add-name"' not in full


@pytest.mark.parametrize("block, which, kind", [
    ("contacts", "nope", "person"), ("orders", "add", "person"),
    ("family", "add", "organization"), ("relationships", "key", "person"),
])
def test_a_form_the_customer_has_not_is_404(client, sales, customer, block, which, kind):
    client.force_login(sales)
    target = customer if kind == "person" else make_organization(sales, "杭州云帆科技有限公司")
    assert client.get(reverse("web:block-form", args=[target.pk, block, which]), **HTMX).status_code == 404


def test_blank_forms_follow_the_customer_rules(client, analyst, sales, customer):
    client.force_login(analyst)  # may read, may not write
    assert client.get(reverse("web:block-form", args=[customer.pk, "contacts", "add"])).status_code == 403
    client.force_login(sales)
    organization = make_organization(sales, "杭州云帆科技有限公司")
    body = client.get(reverse("web:block-form", args=[organization.pk, "relationships", "key"]), **HTMX).content.decode()
    assert '<details id="relationships-key" open' in body and 'name="key-title"' in body
