"""Who may reach the activity endpoints (communications, orders, money, service, timeline,
privacy): anonymous → 401, the other team → 404 like a missing file (child ids too),
owner / teammate / manager → 2xx, analyst → 403 on writes, and a denied call writes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.customers.services.consent import consent_record
from kehu.interactions.services import interaction_log
from kehu.privacy.services import request_open
from kehu.sales.models import Order
from kehu.sales.services import OrderLineData, order_create
from kehu.service.services import service_record_create
from tests.api.conftest import ApiClient, activity_state, fields_of
from tests.conftest import SENSITIVE_CONSENT, make_person

pytestmark = pytest.mark.django_db

MANAGERS_ONLY = "managers"


@dataclass
class Activity:
    customer: Customer
    interaction_id: int
    refund_order_id: int
    cancel_order_id: int
    service_id: int
    consent_id: int
    request_id: int


def _order(actor, customer, number: str, days_ago: int) -> Order:
    return order_create(
        actor=actor, customer=customer, number=number, channel="store",
        ordered_at=timezone.now() - datetime.timedelta(days=days_ago),
        lines=[OrderLineData(product_name="茶叶", quantity=2, unit_price="50.00")],
    )


@pytest.fixture
def activity(sales, manager, customer) -> Activity:
    interaction = interaction_log(actor=sales, customer=customer, values={"channel": "phone", "content": "问候"})
    refund = _order(sales, customer, "SO-1", 10)
    cancel = _order(sales, customer, "SO-2", 5)
    service = service_record_create(actor=sales, customer=customer, values={"kind": "repair", "problem": "漏水"})
    consent = consent_record(actor=sales, customer=customer, data=SENSITIVE_CONSENT)
    dsr = request_open(actor=manager, customer=customer, kind="access")
    return Activity(customer, interaction.pk, refund.pk, cancel.pk, service.pk, consent.pk, dsr.pk)


def _calls(a: Activity) -> list[tuple[str, str, Any, str]]:
    """(method, path, body, who may write: "" for every writer, MANAGERS_ONLY otherwise)."""
    c = f"/customers/{a.customer.pk}"
    now = timezone.localdate().isoformat()
    return [
        ("GET", f"{c}/interactions", None, ""),
        ("POST", f"{c}/interactions", {"channel": "wechat", "content": "发了报价"}, ""),
        ("PATCH", f"{c}/interactions/{a.interaction_id}", {"content": "问候，约了下周"}, ""),
        ("GET", f"{c}/interactions/{a.interaction_id}/history", None, ""),
        ("GET", f"{c}/orders", None, ""),
        ("GET", f"{c}/orders/{a.refund_order_id}", None, ""),
        ("POST", f"{c}/orders", {"number": "SO-9", "channel": "online",
                                 "lines": [{"product_name": "茶具", "quantity": 1, "unit_price": "80"}]}, ""),
        ("POST", f"{c}/orders/{a.cancel_order_id}/cancel", {"reason": "客户改主意"}, ""),
        ("POST", f"{c}/orders/{a.refund_order_id}/refund", {"amount": "5.00"}, ""),
        ("GET", f"{c}/receivables", None, ""),
        ("POST", f"{c}/receivables", {"number": "INV-1", "amount": "30", "issued_on": now, "due_on": now}, ""),
        ("GET", f"{c}/ageing", None, ""),
        ("GET", f"{c}/payments", None, ""),
        ("POST", f"{c}/payments", {"amount": "10", "method": "cash"}, ""),
        ("GET", f"{c}/credit-incidents", None, ""),
        ("POST", f"{c}/credit-incidents", {"occurred_on": now, "description": "逾期 30 天"}, ""),
        ("GET", f"{c}/consumption", None, ""),
        ("GET", f"{c}/service-records", None, ""),
        ("POST", f"{c}/service-records", {"kind": "maintenance", "problem": "年检"}, ""),
        ("PATCH", f"{c}/service-records/{a.service_id}", {"status": "in_progress"}, ""),
        ("GET", f"{c}/timeline", None, ""),
        ("GET", f"{c}/consents", None, ""),
        ("POST", f"{c}/consents", {"purpose": "marketing", "notice_version": "v1", "channel": "online"}, ""),
        ("POST", f"{c}/consents/{a.consent_id}/withdraw", None, ""),
        ("POST", f"{c}/reveal", {"fields": ["health_notes"], "reason": "安排体检服务"}, ""),
        ("GET", f"{c}/subject-requests", None, ""),
        ("POST", f"{c}/subject-requests", {"kind": "correction"}, MANAGERS_ONLY),
        ("POST", f"{c}/subject-requests/{a.request_id}/close", {"outcome": "已寄出副本"}, MANAGERS_ONLY),
        ("GET", f"{c}/subject-export", None, MANAGERS_ONLY),
    ]


GLOBAL_CALLS = [
    ("GET", "/products", None),
    ("POST", "/products", {"sku": "T-1", "name": "茶叶", "price": "50"}),
    ("PATCH", "/products/1", {"price": "55"}),
    ("GET", "/imports", None),
    ("GET", "/imports/runs/1", None),
    ("GET", "/subject-requests", None),
]


def _expected(method: str, path: str) -> int:
    if path.endswith(("/cancel", "/refund", "/withdraw", "/close", "/reveal")):
        return 200
    return {"GET": 200, "PATCH": 200, "POST": 201}[method]


def test_anonymous_gets_401_everywhere(activity):
    anonymous = ApiClient()
    before = activity_state()
    for method, path, body, _who in _calls(activity):
        response = anonymous.request(method, path, body)
        assert response.status_code == 401, (method, path, response.content)
        assert fields_of(response) == {}
    for method, path, body in GLOBAL_CALLS:
        assert anonymous.request(method, path, body).status_code == 401, path
    upload = anonymous.client.post("/api/imports/customers", {"file": _csv("name\n张三\n")})
    assert upload.status_code == 401
    assert activity_state() == before


def _csv(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def test_the_other_team_gets_404_like_a_missing_file(activity, outsider):
    other_team = ApiClient(outsider)
    own = make_person(outsider, "孙七", contact_points=[])
    before = activity_state()
    prefix = f"/customers/{activity.customer.pk}"
    for method, path, body, _who in _calls(activity):
        response = other_team.request(method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        missing = other_team.request(method, path.replace(prefix, "/customers/987654"), body)
        assert (missing.status_code, missing.json()) == (404, response.json())
        # The child ids of the invisible file are not reachable through a file the caller sees either.
        rest = path[len(prefix):]
        if rest.count("/") >= 2:
            through_own = other_team.request(method, f"/customers/{own.pk}{rest}", body)
            assert (through_own.status_code, through_own.json()) == (404, response.json()), path
    assert activity_state() == before


@pytest.mark.parametrize("persona", ["sales", "teammate", "manager"])
def test_owner_teammate_and_manager(activity, persona, request):
    user = request.getfixturevalue(persona)
    client = ApiClient(user)
    for method, path, body, who in _calls(activity):
        response = client.request(method, path, body)
        if who == MANAGERS_ONLY and persona != "manager":
            assert response.status_code == 403, (method, path, response.content)
            assert fields_of(response) == {}
            continue
        assert response.status_code == _expected(method, path), (method, path, response.content)


def test_analyst_reads_but_cannot_write(activity, analyst):
    client = ApiClient(analyst)
    before = activity_state()
    for method, path, body, who in _calls(activity):
        response = client.request(method, path, body)
        if method == "GET" and who != MANAGERS_ONLY:
            assert response.status_code == 200, (path, response.content)
        else:
            assert response.status_code == 403, (method, path, response.content)
            assert fields_of(response) == {}
    assert client.client.post("/api/imports/customers", {"file": _csv("name\n张三\n")},
                               headers=client.headers).status_code == 403
    assert activity_state() == before


def test_global_endpoints(activity, sales, manager, analyst):
    clients = [ApiClient(sales), ApiClient(analyst)]
    before = activity_state()
    for client in clients:
        assert client.get("/products").status_code == 200
        assert client.post("/products", {"sku": "T-1", "name": "茶叶", "price": "50"}).status_code == 403
        assert client.get("/subject-requests").status_code == 403
        assert client.get("/imports").json()["items"] == []
    assert activity_state() == before
    boss = ApiClient(manager)
    product = boss.post("/products", {"sku": "T-1", "name": "茶叶", "price": "50"})
    assert product.status_code == 201, product.content
    assert boss.patch(f"/products/{product.json()['id']}", {"price": "55.5"}).json()["price"] == "55.50"
    assert clients[0].patch(f"/products/{product.json()['id']}", {"price": "1"}).status_code == 403
    assert clients[0].get("/products").json()["items"][0]["price"] == "55.50"
    [item] = boss.get("/subject-requests").json()["items"]
    assert (item["customer_id"], item["kind"], item["status"]) == (activity.customer.pk, "access", "open")
    assert item["due_on"] == (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    assert Decimal(clients[0].get(f"/customers/{activity.customer.pk}/ageing").json()["total"]) == Decimal("200")
