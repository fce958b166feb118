"""Who may open which page: anonymous → sign-in, outsider → 404, owner/teammate/manager → 200."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kehu.customers.models import ContactPoint, Customer

pytestmark = pytest.mark.django_db


def customer_urls(customer: Customer) -> list[str]:
    point = ContactPoint.objects.filter(customer=customer).first()
    return [
        reverse("web:customer-detail", args=[customer.pk]),
        reverse("web:customer-edit", args=[customer.pk]),
        reverse("web:contacts-edit", args=[customer.pk, point.pk]),
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(client, customer):
    urls = [
        *customer_urls(customer),
        reverse("web:customer-list"),
        reverse("web:person-create"),
        reverse("web:organization-create"),
        reverse("web:customer-pick") + "?q=zs",
        reverse("web:custom-field-list"),
        reverse("web:api-token-list"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_root_redirects_to_the_list(client, sales):
    client.force_login(sales)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("web:customer-list")


@pytest.mark.parametrize("persona", ["sales", "teammate", "manager", "admin"])
def test_owner_teammate_and_managers_open_the_file(request, client, customer, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in customer_urls(customer):
        assert client.get(url).status_code == 200, url


def test_outsider_gets_404_on_every_customer_page(client, outsider, customer):
    client.force_login(outsider)
    for url in customer_urls(customer):
        response = client.get(url)
        assert response.status_code == 404, url
        assert customer.name not in response.content.decode()
    point = customer.contact_points.get()
    response = client.post(
        reverse("web:contacts-delete", args=[customer.pk, point.pk]),
    )
    assert response.status_code == 404
    assert ContactPoint.objects.filter(pk=point.pk).exists()


def test_outsider_does_not_see_the_customer_in_list_or_picker(client, outsider, customer, pool_customer):
    client.force_login(outsider)
    body = client.get(reverse("web:customer-list")).content.decode()
    assert customer.name not in body and pool_customer.name in body
    picked = client.get(reverse("web:customer-pick"), {"q": "zs"}).content.decode()
    assert customer.name not in picked


def test_analyst_reads_but_cannot_write(client, analyst, customer):
    client.force_login(analyst)
    detail = client.get(reverse("web:customer-detail", args=[customer.pk]))
    assert detail.status_code == 200
    assert reverse("web:customer-edit", args=[customer.pk]) not in detail.content.decode()
    assert client.get(reverse("web:customer-edit", args=[customer.pk])).status_code == 403
    assert client.get(reverse("web:person-create")).status_code == 403
    count = Customer.objects.count()
    response = client.post(reverse("web:person-create"), {"name": "赵六", "status": "active"})
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    response = client.post(
        reverse("web:contacts-add", args=[customer.pk]),
        {"contacts-add-type": "email", "contacts-add-value": "a@example.com"},
    )
    assert response.status_code == 403
    assert Customer.objects.count() == count
    assert customer.contact_points.count() == 1


def test_staff_cannot_open_custom_field_settings(client, sales):
    client.force_login(sales)
    assert client.get(reverse("web:custom-field-list")).status_code == 403
    assert client.get(reverse("web:custom-field-create")).status_code == 403


def test_unknown_customer_is_a_friendly_404(client, sales):
    client.force_login(sales)
    response = client.get(reverse("web:customer-detail", args=[999999]))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
