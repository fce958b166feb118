"""Payments (automatic and chosen allocation), invoices, credit incidents."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.sales.models import CreditIncident, Payment, Receivable
from kehu.sales.services import receivable_create
from tests.conftest import make_person
from tests.web.activity_helpers import ago, make_order

pytestmark = pytest.mark.django_db


def payment_url(customer) -> str:
    return reverse("web:payment-create", args=[customer.pk])


def now_text() -> str:
    return timezone.localtime(ago(0)).strftime("%Y-%m-%dT%H:%M")


def two_invoices(actor, customer):
    today = timezone.localdate()
    old = receivable_create(actor=actor, customer=customer, number="INV-OLD", amount="100",
                            issued_on=today - datetime.timedelta(days=60), due_on=today - datetime.timedelta(days=30))
    new = receivable_create(actor=actor, customer=customer, number="INV-NEW", amount="50", issued_on=today,
                            due_on=today + datetime.timedelta(days=30))
    return old, new


def test_payment_is_allocated_oldest_due_first(client, sales, customer):
    old, new = two_invoices(sales, customer)
    client.force_login(sales)
    page = client.get(payment_url(customer)).content.decode()
    assert "INV-OLD" in page and "INV-NEW" in page
    response = client.post(payment_url(customer), {"amount": "120", "received_at": now_text(), "method": "transfer",
                                                   "reference": "TX-1"})
    assert response.status_code == 302 and response["Location"].endswith("#money")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.paid_amount, new.paid_amount) == (Decimal("100"), Decimal("20"))


def test_payment_allocated_to_chosen_invoices(client, sales, customer):
    old, new = two_invoices(sales, customer)
    client.force_login(sales)
    response = client.post(payment_url(customer), {
        "amount": "50", "received_at": now_text(), "method": "cash", f"alloc_{new.pk}": "50",
    })
    assert response.status_code == 302
    new.refresh_from_db()
    old.refresh_from_db()
    assert (old.paid_amount, new.paid_amount) == (Decimal("0"), Decimal("50"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "1000"}, "amount"),  # more than is owed
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"received_at": "yesterday-ish"}, "received_at"),
        ({"received_at": "2999-01-01T09:00"}, "received_at"),
        ({"method": "gold"}, "method"),
        ({"amount": "30", "alloc_OLD": "500"}, "alloc_OLD"),  # more than the invoice's outstanding
        ({"amount": "30", "alloc_OLD": "10"}, "__all__"),  # allocations do not add up
    ],
)
def test_bad_payment_is_a_field_error_and_nothing_is_written(client, sales, customer, data, field):
    old, _new = two_invoices(sales, customer)
    client.force_login(sales)
    post = {"amount": "10", "received_at": now_text(), "method": "cash"}
    post.update({k.replace("OLD", str(old.pk)): v for k, v in data.items()})
    response = client.post(payment_url(customer), post)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors.get(field.replace("OLD", str(old.pk))), errors
    assert "Nothing was saved" in response.content.decode()
    assert not Payment.objects.exists() and Receivable.objects.filter(paid_amount__gt=0).count() == 0


def test_duplicate_payment_reference_is_a_field_error(client, sales, customer):
    two_invoices(sales, customer)
    client.force_login(sales)
    data = {"amount": "10", "received_at": now_text(), "method": "cash", "reference": "TX-9"}
    assert client.post(payment_url(customer), data).status_code == 302
    response = client.post(payment_url(customer), data)
    assert response.context["form"].errors.get("reference") and Payment.objects.count() == 1


def test_create_invoice_and_its_errors(client, sales, customer):
    client.force_login(sales)
    url = reverse("web:receivable-create", args=[customer.pk])
    today = timezone.localdate()
    good = {"number": "INV-1", "amount": "300", "issued_on": today.isoformat(),
            "due_on": (today + datetime.timedelta(days=30)).isoformat(), "description": "服务费"}
    assert client.post(url, good).status_code == 302
    for change, field in (({"due_on": (today - datetime.timedelta(days=1)).isoformat(), "number": "INV-2"}, "due_on"),
                          ({"number": "INV-1"}, "number"), ({"amount": "0", "number": "INV-3"}, "amount"),
                          ({"issued_on": "2025-02-30", "number": "INV-4"}, "issued_on")):
        response = client.post(url, {**good, **change})
        assert response.status_code == 200 and response.context["form"].errors.get(field), change
    assert Receivable.objects.count() == 1
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert "INV-1" in page and "¥300.00" in page


def test_credit_incidents_in_place_and_plain(client, sales, customer):
    client.force_login(sales)
    url = reverse("web:credit-incident-add", args=[customer.pk])
    data = {"incident-occurred_on": "2025-03-01", "incident-description": "逾期三个月未付", "incident-amount": "5000"}
    response = client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="money")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="money"' in body and "逾期三个月未付" in body and "<html" not in body
    bad = client.post(url, {"incident-occurred_on": "someday", "incident-description": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and bad.content.decode().count('class="errorlist"') >= 2
    plain = client.post(url, {"incident-occurred_on": "2025-04-01", "incident-description": "退票"})
    assert plain.status_code == 302 and plain["Location"].endswith("#money")
    page = client.post(url, {"incident-occurred_on": "x", "incident-description": "y"})
    assert page.status_code == 200 and "<details open" in page.content.decode()
    assert CreditIncident.objects.count() == 2


def test_money_of_invisible_customers_is_404_and_analyst_is_403(client, sales, outsider, analyst, customer):
    hidden = make_person(outsider, "赵六", contact_points=[])
    make_order(outsider, hidden, "SO-H")
    client.force_login(sales)
    for url in (payment_url(hidden), reverse("web:receivable-create", args=[hidden.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("web:credit-incident-add", args=[hidden.pk]),
                       {"incident-occurred_on": "2025-01-01", "incident-description": "x"}).status_code == 404
    client.force_login(analyst)
    assert client.get(payment_url(customer)).status_code == 403
    assert client.post(payment_url(hidden), {"amount": "1", "received_at": now_text(), "method": "cash"}).status_code == 403
    assert not Payment.objects.exists() and not CreditIncident.objects.exists()
