"""After-sales service records and the product catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.sales.models import Product
from kehu.sales.services import product_save
from kehu.service.models import ServiceRecord
from kehu.service.services import service_record_create
from tests.conftest import make_person
from tests.web.activity_helpers import ago, make_order

pytestmark = pytest.mark.django_db


def record_data(**values) -> dict:
    data = {"kind": "repair", "status": "open", "reported_at": timezone.localtime(ago(0)).strftime("%Y-%m-%dT%H:%M"),
            "problem": "开不了机", "product": "扫地机器人"}
    data.update(values)
    return data


def test_create_and_update_service_record(client, sales, customer):
    order = make_order(sales, customer, "SO-1")
    client.force_login(sales)
    form = client.get(reverse("web:service-create", args=[customer.pk])).content.decode()
    assert "SO-1" in form
    response = client.post(reverse("web:service-create", args=[customer.pk]), record_data(order=str(order.pk)))
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.order == order and record.problem == "开不了机"
    edit = reverse("web:service-edit", args=[customer.pk, record.pk])
    assert "开不了机" in client.get(edit).content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(edit, record_data(status="done", diagnosis="电池老化", parts="电池", result="更换电池",
                                             completed_on=today, cost="120"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.result, record.cost) == ("done", "更换电池", Decimal("120.00"))
    page = client.get(reverse("web:customer-detail", args=[customer.pk])).content.decode()
    assert 'id="service"' in page and "更换电池" in page and "电池老化" in page


@pytest.mark.parametrize(
    ("values", "field"),
    [({"problem": ""}, "problem"), ({"cost": "-1"}, "cost"), ({"reported_at": "noon"}, "reported_at"),
     ({"completed_on": "2000-01-01"}, "completed_on"), ({"kind": "magic"}, "kind")],
)
def test_bad_service_record_is_a_field_error(client, sales, customer, values, field):
    client.force_login(sales)
    response = client.post(reverse("web:service-create", args=[customer.pk]), record_data(**values))
    assert response.status_code == 200 and response.context["form"].errors.get(field)
    assert not ServiceRecord.objects.exists()


def test_order_of_another_customer_cannot_be_chosen(client, sales, customer, pool_customer):
    other = make_order(sales, pool_customer, "SO-OTHER")
    client.force_login(sales)
    response = client.post(reverse("web:service-create", args=[customer.pk]), record_data(order=str(other.pk)))
    assert response.status_code == 200 and response.context["form"].errors.get("order")
    assert not ServiceRecord.objects.exists()


def test_service_records_of_invisible_customers_are_404(client, sales, outsider, analyst, customer):
    hidden = make_person(outsider, "赵六", contact_points=[])
    secret = service_record_create(actor=outsider, customer=hidden, values={"kind": "repair", "problem": "机密"})
    client.force_login(sales)
    for url in (reverse("web:service-list", args=[hidden.pk]), reverse("web:service-edit", args=[customer.pk, secret.pk]),
                reverse("web:service-edit", args=[hidden.pk, secret.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("web:service-edit", args=[customer.pk, secret.pk]), record_data()).status_code == 404
    client.force_login(analyst)
    assert client.get(reverse("web:service-list", args=[hidden.pk])).status_code == 200
    assert client.post(reverse("web:service-create", args=[hidden.pk]), record_data()).status_code == 403
    assert ServiceRecord.objects.get().problem == "机密"


def test_everyone_views_the_catalogue_managers_edit_it(client, sales, manager, analyst):
    product_save(actor=manager, values={"sku": "TEA-1", "name": "龙井", "category": "茶", "price": Decimal("88")})
    for persona in (sales, analyst):
        client.force_login(persona)
        body = client.get(reverse("web:product-list"), {"q": "龙"}).content.decode()
        assert "龙井" in body and reverse("web:product-create") not in body
        assert client.get(reverse("web:product-create")).status_code == 403
        assert client.post(reverse("web:product-create"), {"sku": "X", "name": "X", "price": "1"}).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("web:product-create"), {"sku": "CUP-1", "name": "茶杯", "price": "20", "active": "on"}
                       ).status_code == 302
    duplicate = client.post(reverse("web:product-create"), {"sku": "CUP-1", "name": "又一个", "price": "5"})
    assert duplicate.status_code == 200 and duplicate.context["form"].errors.get("sku")
    negative = client.post(reverse("web:product-create"), {"sku": "NEG", "name": "负", "price": "-5"})
    assert negative.context["form"].errors.get("price")
    cup = Product.objects.get(sku="CUP-1")
    assert client.post(reverse("web:product-edit", args=[cup.pk]), {"sku": "CUP-1", "name": "茶杯", "price": "25"}
                       ).status_code == 302
    cup.refresh_from_db()
    assert cup.price == Decimal("25.00") and not cup.active
    assert Product.objects.count() == 2
    assert client.get(reverse("web:product-edit", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, sales, customer):
    for url in (reverse("web:product-list"), reverse("web:import"), reverse("web:service-list", args=[customer.pk]),
                reverse("web:order-create", args=[customer.pk]), reverse("web:payment-create", args=[customer.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
