"""Who may reach what, for every endpoint: anonymous → 401, the other team → 404
(indistinguishable from a missing id), owner / teammate / manager → 2xx, and a denied
write changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kehu.customers.models import Customer
from kehu.customers.services import family_member_add, important_date_add, relationship_add
from tests.api.conftest import ApiClient, database_state, fields_of
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@dataclass
class File:
    """`sales`'s customer with one row of each sub-resource, and a second visible customer."""

    customer: Customer
    other: Customer
    point_id: int
    member_id: int
    date_id: int
    relationship_id: int


@pytest.fixture
def file(sales, customer) -> File:
    other = make_person(sales, "李娜", contact_points=[])
    member = family_member_add(actor=sales, customer=customer, values={"relation": "child", "name": "张小宝"})
    date = important_date_add(actor=sales, customer=customer, values={"kind": "anniversary", "month": 5, "day": 20})
    link = relationship_add(actor=sales, from_customer=customer, to_customer=other, type="friend")
    return File(customer, other, customer.contact_points.get().pk, member.pk, date.pk, link.pk)


def _calls(f: File) -> list[tuple[str, str, Any]]:
    """Every customer-scoped operation as (method, path, body)."""
    c = f"/customers/{f.customer.pk}"
    return [
        ("GET", c, None),
        ("PATCH", c, {"notes": "changed"}),
        ("GET", f"{c}/contact-points", None),
        ("POST", f"{c}/contact-points", {"type": "email", "value": "zhang@example.cn"}),
        ("PATCH", f"{c}/contact-points/{f.point_id}", {"label": "work"}),
        ("DELETE", f"{c}/contact-points/{f.point_id}", None),
        ("GET", f"{c}/family-members", None),
        ("POST", f"{c}/family-members", {"relation": "spouse", "name": "王芳"}),
        ("PATCH", f"{c}/family-members/{f.member_id}", {"notes": "plays piano"}),
        ("DELETE", f"{c}/family-members/{f.member_id}", None),
        ("GET", f"{c}/important-dates", None),
        ("POST", f"{c}/important-dates", {"kind": "birthday", "calendar": "lunar", "month": 8, "day": 15}),
        ("PATCH", f"{c}/important-dates/{f.date_id}", {"label": "first met"}),
        ("DELETE", f"{c}/important-dates/{f.date_id}", None),
        ("GET", f"{c}/relationships", None),
        ("POST", f"{c}/relationships", {"other_customer_id": f.other.pk, "type": "colleague"}),
        ("DELETE", f"{c}/relationships/{f.relationship_id}", None),
        ("DELETE", c, None),
    ]


GLOBAL_CALLS = [
    ("GET", "/customers", None),
    ("POST", "/customers", {"kind": "person", "name": "赵六"}),
    ("GET", "/custom-fields", None),
    ("POST", "/custom-fields", {"key": "level", "label": "Level", "field_type": "text"}),
    ("PATCH", "/custom-fields/1", {"label": "Level"}),
    ("GET", "/tokens", None),
    ("POST", "/tokens", {"name": "script", "scopes": ["read"]}),
    ("DELETE", "/tokens/1", None),
]


def test_anonymous_gets_401_everywhere_and_nothing_changes(file):
    anonymous = ApiClient()
    before = database_state()
    for method, path, body in _calls(file) + GLOBAL_CALLS:
        response = anonymous.request(method, path, body)
        assert response.status_code == 401, (method, path, response.content)
        assert fields_of(response) == {}
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert database_state() == before


def test_a_wrong_or_malformed_token_is_401(file):
    for header in ("Bearer kehu_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer kehu_" + "x" * 5000):
        client = ApiClient()
        client.headers["Authorization"] = header
        assert client.get("/customers").status_code == 401, header


def test_the_other_team_gets_404_everywhere_like_a_missing_file(file, outsider):
    other_team = ApiClient(outsider)
    before = database_state()
    for method, path, body in _calls(file):
        response = other_team.request(method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        missing = other_team.request(method, path.replace(f"/customers/{file.customer.pk}", "/customers/987654"), body)
        # Same status and same body: nothing tells an invisible file from a missing one.
        assert (missing.status_code, missing.json()) == (404, response.json())
    assert database_state() == before


@pytest.mark.parametrize("persona", ["sales", "teammate", "manager"])
def test_owner_teammate_and_manager_may_use_every_endpoint(file, persona, request):
    user = request.getfixturevalue(persona)
    client = ApiClient(user)
    for method, path, body in _calls(file):
        response = client.request(method, path, body)
        if method == "DELETE" and path == f"/customers/{file.customer.pk}" and persona != "manager":
            # Deleting a file is for managers; staff archive instead.
            assert response.status_code == 403, response.content
            continue
        expected = {"GET": 200, "PATCH": 200, "POST": 201, "DELETE": 204}[method]
        assert response.status_code == expected, (method, path, response.content)
    assert Customer.objects.filter(pk=file.customer.pk).exists() == (persona != "manager")


def test_analyst_reads_but_cannot_write(file, analyst):
    client = ApiClient(analyst)
    before = database_state()
    for method, path, body in _calls(file):
        response = client.request(method, path, body)
        if method == "GET":
            assert response.status_code == 200, (path, response.content)
        else:
            assert response.status_code == 403, (method, path, response.content)
            assert fields_of(response) == {}
    assert database_state() == before


def test_sales_may_not_delete_a_file_and_nothing_changes(file, sales):
    client = ApiClient(sales)
    before = database_state()
    response = client.delete(f"/customers/{file.customer.pk}")
    assert response.status_code == 403
    assert "manager" in response.json()["detail"]
    assert database_state() == before


def test_a_row_of_another_file_is_404_through_this_file(file, sales, pool_customer):
    """Sub-resource ids are looked up inside the file named in the URL."""
    client = ApiClient(sales)
    pool_point = pool_customer.contact_points.get()
    before = database_state()
    path = f"/customers/{file.customer.pk}/contact-points/{pool_point.pk}"
    assert client.patch(path, {"label": "x"}).status_code == 404
    assert client.delete(path).status_code == 404
    other_member = f"/customers/{file.other.pk}/family-members/{file.member_id}"
    assert client.delete(other_member).status_code == 404
    assert database_state() == before


def test_relationship_to_an_invisible_customer_is_refused_like_a_missing_one(file, sales, outsider):
    hidden = make_person(outsider, "孙七", contact_points=[])
    client = ApiClient(sales)
    before = database_state()
    body = {"other_customer_id": hidden.pk, "type": "friend"}
    hidden_response = client.post(f"/customers/{file.customer.pk}/relationships", body)
    missing_response = client.post(f"/customers/{file.customer.pk}/relationships", {**body, "other_customer_id": 987654})
    assert hidden_response.status_code == missing_response.status_code == 422
    assert fields_of(hidden_response) == fields_of(missing_response) == {"other_customer_id": ["No such customer."]}
    assert database_state() == before


def test_relationships_to_invisible_customers_are_not_listed(sales, outsider, customer):
    hidden = make_person(outsider, "孙七", contact_points=[])
    # Written directly: outsider cannot see `customer`, so no service would make this link.
    from kehu.customers.models import Relationship

    Relationship.objects.create(from_customer=hidden, to_customer=customer, type="friend")
    detail = ApiClient(sales).get(f"/customers/{customer.pk}").json()
    assert detail["relationships"] == []
    assert ApiClient(sales).get(f"/customers/{customer.pk}/relationships").json() == []


def test_list_shows_only_visible_customers(sales, outsider, customer, pool_customer):
    hidden = make_person(outsider, "孙七", contact_points=[])
    ids = {item["id"] for item in ApiClient(sales).get("/customers").json()["items"]}
    assert ids == {customer.pk, pool_customer.pk}
    ids = {item["id"] for item in ApiClient(outsider).get("/customers").json()["items"]}
    assert ids == {hidden.pk, pool_customer.pk}
