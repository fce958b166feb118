"""Orders from the web: dynamic lines, catalogue products, errors on the right line, refund, cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kehu.sales.models import Order, Product, Receivable
from kehu.sales.services import payment_record, product_save
from tests.conftest import make_person
from tests.web.activity_helpers import ago, make_order

pytestmark = pytest.mark.django_db


def order_data(*lines: dict, total: int | None = None, **header) -> dict:
    data = {
        "number": "SO-100", "ordered_at": timezone.localtime(ago(0)).strftime("%Y-%m-%dT%H:%M"), "channel": "store",
        "payment_method": "wechat_pay", "lines-TOTAL_FORMS": str(total if total is not None else len(lines)),
        "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "200",
    }
    data.update(header)
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{key}": value for key, value in line.items()})
    return data


def create_url(customer) -> str:
    return reverse("web:order-create", args=[customer.pk])


def test_order_form_offers_the_catalogue(client, sales, admin, customer):
    product_save(actor=admin, values={"sku": "TEA-1", "name": "龙井", "category": "茶", "price": Decimal("88")})
    client.force_login(sales)
    body = client.get(create_url(customer)).content.decode()
    assert "龙井 · TEA-1" in body and 'id="catalogue-data"' in body and "data-line-template" in body
    assert "lines-__prefix__-quantity" in body


def test_order_with_two_lines_one_from_the_catalogue(client, sales, admin, customer):
    tea = product_save(actor=admin, values={"sku": "TEA-1", "name": "龙井", "category": "茶", "price": Decimal("88")})
    client.force_login(sales)
    response = client.post(create_url(customer), order_data(
        {"product": str(tea.pk), "quantity": "2"},
        {"product_name": "茶杯", "category": "器具", "quantity": "1", "unit_price": "30", "discount": "5"},
        paid_in_full="on",
    ))
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:order-detail", args=[customer.pk, order.pk])
    assert order.total == Decimal("201.00") and order.status == "paid"
    lines = list(order.lines.order_by("id").values_list("product_name", "category", "line_total"))
    assert lines == [("龙井", "茶", Decimal("176.00")), ("茶杯", "器具", Decimal("25.00"))]
    detail = client.get(response["Location"]).content.decode()
    assert "SO-100" in detail and "龙井" in detail and "Paid" in detail


def test_removed_line_rows_leave_gaps_the_form_skips(client, sales, customer):
    client.force_login(sales)
    data = order_data({"product_name": "A", "quantity": "1", "unit_price": "10"}, total=3)
    data.update({"lines-2-product_name": "C", "lines-2-quantity": "2", "lines-2-unit_price": "5"})
    assert client.post(create_url(customer), data).status_code == 302
    assert Order.objects.get().total == Decimal("20.00")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"product_name": "茶", "quantity": "-1", "unit_price": "10"}, "quantity"),
        ({"product_name": "茶", "quantity": "1", "unit_price": "-10"}, "unit_price"),
        ({"product_name": "茶", "quantity": "1"}, "unit_price"),
        ({"product_name": "茶", "quantity": "2", "unit_price": "10", "discount": "50"}, "discount"),
        ({"product_name": "茶", "quantity": "abc", "unit_price": "10"}, "quantity"),
    ],
)
def test_bad_line_is_an_error_on_that_line(client, sales, customer, line, field):
    client.force_login(sales)
    good = {"product_name": "好的", "quantity": "1", "unit_price": "10"}
    response = client.post(create_url(customer), order_data(good, line))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert not forms[0].errors and forms[1].errors.get(field), forms[1].errors
    assert "Nothing was saved" in response.content.decode()
    assert not Order.objects.exists() and not Receivable.objects.exists()


@pytest.mark.parametrize(
    ("header", "field"),
    [({"ordered_at": "31/02/2025"}, "ordered_at"), ({"number": ""}, "number"), ({"channel": "drone"}, "channel"),
     ({"ordered_at": "2999-01-01T00:00"}, "ordered_at")],
)
def test_bad_header_is_a_field_error(client, sales, customer, header, field):
    client.force_login(sales)
    response = client.post(create_url(customer), order_data({"product_name": "茶", "quantity": "1", "unit_price": "1"},
                                                            **header))
    assert response.status_code == 200 and response.context["form"].errors.get(field)
    assert not Order.objects.exists()


def test_order_without_lines_and_duplicate_number(client, sales, customer):
    make_order(sales, customer, "SO-100")
    client.force_login(sales)
    response = client.post(create_url(customer), order_data({"product_name": "", "quantity": "1"}, number="SO-X"))
    assert "at least one line" in response.content.decode()
    response = client.post(create_url(customer), order_data({"product_name": "茶", "quantity": "1", "unit_price": "1"}))
    assert response.status_code == 200 and response.context["form"].errors.get("number")
    assert Order.objects.count() == 1


def test_refund_and_cancel(client, sales, customer):
    paid = make_order(sales, customer, "SO-1", paid_in_full=True)
    unpaid = make_order(sales, customer, "SO-2")
    client.force_login(sales)
    refund = reverse("web:order-refund", args=[customer.pk, paid.pk])
    too_much = client.post(refund, {"refund-amount": "1000", "refund-reason": "退货"})
    assert too_much.status_code == 200 and too_much.context["refund_form"].errors.get("amount")
    assert client.post(refund, {"refund-amount": "abc"}).context["refund_form"].errors.get("amount")
    assert client.post(refund, {"refund-amount": "100", "refund-reason": "退货"}).status_code == 302
    paid.refresh_from_db()
    assert paid.refunded_amount == Decimal("100.00")
    # Money was paid: the order cannot be cancelled, only refunded.
    page = client.get(reverse("web:order-detail", args=[customer.pk, paid.pk])).content.decode()
    assert 'action="' + reverse("web:order-cancel", args=[customer.pk, paid.pk]) not in page
    refused = client.post(reverse("web:order-cancel", args=[customer.pk, paid.pk]), {"cancel-reason": "x"})
    assert refused.status_code == 200 and "refund it instead" in refused.content.decode()
    assert client.post(reverse("web:order-cancel", args=[customer.pk, unpaid.pk]), {"cancel-reason": "客户取消"}).status_code == 302
    unpaid.refresh_from_db()
    assert unpaid.status == "cancelled"


def test_orders_card_pages_and_full_list(client, sales, customer):
    for n in range(7):
        make_order(sales, customer, f"SO-{n}", days=n + 1)
    client.force_login(sales)
    page = client.get(reverse("web:customer-detail", args=[customer.pk]))
    assert [o.number for o in page.context["orders"].items] == ["SO-0", "SO-1", "SO-2", "SO-3", "SO-4"]
    second = client.get(reverse("web:order-list", args=[customer.pk]), {"orders_page": "2"},
                        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="orders")
    body = second.content.decode()
    assert 'id="orders"' in body and "SO-6" in body and "SO-0" not in body and "<html" not in body
    full = client.get(reverse("web:order-list", args=[customer.pk]), {"page": "x"}).content.decode()
    assert "SO-0" in full and "SO-6" in full


@pytest.mark.parametrize("timeline_filter", [{}, {"kind": "interaction"}])
def test_orders_card_is_the_same_whether_it_reuses_the_timeline_or_not(client, sales, customer, timeline_filter):
    # Unfiltered, the card takes the timeline's newest orders; filtered, it asks on its own.
    for n in range(7):
        make_order(sales, customer, f"SO-{n}", days=n + 1)
    client.force_login(sales)
    page = client.get(reverse("web:customer-detail", args=[customer.pk]), timeline_filter)
    card = page.context["orders"]
    assert [o.number for o in card.items] == ["SO-0", "SO-1", "SO-2", "SO-3", "SO-4"] and card.has_next
    assert [line.product_name for line in card.items[0].lines.all()] == ["茶叶"]
    assert any(e.kind == "order" for e in page.context["entries"]) is not bool(timeline_filter)


def test_orders_of_invisible_customers_are_404(client, sales, outsider, customer):
    hidden = make_person(outsider, "赵六", contact_points=[])
    secret = make_order(outsider, hidden, "SO-SECRET")
    client.force_login(sales)
    for url in (reverse("web:order-detail", args=[customer.pk, secret.pk]),
                reverse("web:order-detail", args=[hidden.pk, secret.pk]),
                reverse("web:order-list", args=[hidden.pk]), create_url(hidden)):
        response = client.get(url)
        assert response.status_code == 404 and "SO-SECRET" not in response.content.decode(), url
    response = client.post(reverse("web:order-refund", args=[customer.pk, secret.pk]), {"refund-amount": "1"})
    assert response.status_code == 404
    assert client.post(reverse("web:order-cancel", args=[hidden.pk, secret.pk])).status_code == 404
    secret.refresh_from_db()
    assert secret.status == "unpaid" and secret.refunded_amount == 0


def test_analyst_cannot_order_refund_or_cancel(client, sales, analyst, customer):
    order = make_order(sales, customer)
    payment_record(actor=sales, customer=customer, amount="10", received_at=ago(1), method="cash")
    client.force_login(analyst)
    assert client.get(reverse("web:order-detail", args=[customer.pk, order.pk])).status_code == 200
    assert client.get(create_url(customer)).status_code == 403
    assert client.post(create_url(customer), order_data({"product_name": "茶", "quantity": "1", "unit_price": "1"},
                                                        number="SO-A")).status_code == 403
    assert client.post(reverse("web:order-refund", args=[customer.pk, order.pk]), {}).status_code == 403
    assert client.post(reverse("web:order-cancel", args=[customer.pk, order.pk]), {}).status_code == 403
    assert Order.objects.count() == 1 and Order.objects.get().refunded_amount == 0


def test_catalogue_product_of_an_inactive_product_is_refused(client, sales, admin, customer):
    old = product_save(actor=admin, values={"sku": "OLD", "name": "旧货", "price": Decimal("1"), "active": False})
    client.force_login(sales)
    response = client.post(create_url(customer), order_data({"product": str(old.pk), "quantity": "1"}))
    assert response.status_code == 200 and response.context["formset"].forms[0].errors.get("product")
    assert not Product.objects.filter(active=True).exists() and not Order.objects.exists()
