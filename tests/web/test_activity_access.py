"""Every activity page under a customer: anonymous → sign-in, outsider → 404, staff and managers → 200."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kehu.service.services import service_record_create
from tests.web.activity_helpers import make_call, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity_urls(sales, customer) -> list[str]:
    order = make_order(sales, customer, "SO-ACL")
    call = make_call(sales, customer, "机密通话")
    record = service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "机密故障"})
    pk = customer.pk
    return [
        reverse("web:timeline", args=[pk]) + "?kind=order",
        reverse("web:interaction-edit", args=[pk, call.pk]),
        reverse("web:order-list", args=[pk]),
        reverse("web:order-create", args=[pk]),
        reverse("web:order-detail", args=[pk, order.pk]),
        reverse("web:payment-create", args=[pk]),
        reverse("web:receivable-create", args=[pk]),
        reverse("web:service-list", args=[pk]),
        reverse("web:service-create", args=[pk]),
        reverse("web:service-edit", args=[pk, record.pk]),
    ]


def test_anonymous_is_sent_to_sign_in(client, activity_urls):
    for url in activity_urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["sales", "teammate", "manager", "admin"])
def test_owner_teammate_and_managers_open_every_page(request, client, activity_urls, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in activity_urls:
        assert client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline").status_code == 200, url


def test_outsider_gets_404_and_sees_nothing(client, outsider, activity_urls):
    client.force_login(outsider)
    for url in activity_urls:
        response = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
        body = response.content.decode()
        assert response.status_code == 404, url
        assert "SO-ACL" not in body and "机密" not in body, url
