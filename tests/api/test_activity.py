"""Communications, after-sales service and the timeline through the API."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kehu.customers.services import relationship_add
from kehu.interactions.services import interaction_log
from tests.api.conftest import ApiClient, activity_state, fields_of
from tests.conftest import make_organization, make_person

pytestmark = pytest.mark.django_db


def test_communication_lifecycle_and_history(sales, teammate, customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}/interactions"
    spouse = make_person(sales, "王芳", contact_points=[])
    relationship_add(actor=sales, from_customer=customer, to_customer=spouse, type="spouse")
    logged = client.post(base, {"channel": "visit", "occurred_at": "2026-01-05T10:30:00", "content": "上门拜访",
                                "staff_ids": [sales.pk, teammate.pk], "people_ids": [spouse.pk]})
    assert logged.status_code == 201, logged.content
    item = logged.json()
    assert item["occurred_at"] == "2026-01-05T02:30:00Z"  # naive = the archive's time zone (UTC+8)
    assert [p["name"] for p in item["people"]] == ["王芳"]
    edited = client.patch(f"{base}/{item['id']}", {"content": "上门拜访，谈了续约", "outcome": "deal",
                                                    "staff_ids": [teammate.pk], "next_step": None})
    assert edited.status_code == 200, edited.content
    assert ([s["username"] for s in edited.json()["staff"]], edited.json()["outcome"]) == (["teammate"], "deal")
    history = client.get(f"{base}/{item['id']}/history").json()
    assert [h["action"] for h in history] == ["interaction.create", "interaction.update"]
    assert history[1]["changes"]["content"] == ["上门拜访", "上门拜访，谈了续约"]
    assert history[1]["actor"]["username"] == "sales"
    page = client.get(base, limit=1).json()
    assert (page["count"], [i["id"] for i in page["items"]]) == (1, [item["id"]])


def test_communication_errors(sales, outsider, customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}/interactions"
    hidden = make_person(outsider, "孙七", contact_points=[])
    unlinked = make_person(sales, "路人", contact_points=[])
    item = interaction_log(actor=sales, customer=customer, values={"channel": "phone"})
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    before = activity_state()
    for body, field in (
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "phone", "occurred_at": future}, "occurred_at"),
        ({"channel": "phone", "occurred_at": "last week"}, "occurred_at"),
        ({"channel": "phone", "occurred_at": 1700000000}, "occurred_at"),
        ({"channel": "phone", "duration_minutes": 5000}, "duration_minutes"),
        ({"channel": "phone", "people_ids": [hidden.pk]}, "people_ids"),
        ({"channel": "phone", "people_ids": [unlinked.pk]}, "people_ids"),
        ({"channel": "phone", "staff_ids": [987654]}, "staff_ids"),
        ({"channel": "phone", "next_contact_on": "2026-02-30"}, "next_contact_on"),
        ({"channel": "phone", "content": "x" * 20001}, "content"),
    ):
        response = client.post(base, body)
        assert response.status_code == 422, (body, response.content)
        assert field in fields_of(response), (body, fields_of(response))
    for body, field in (({"channel": None}, "channel"), ({"occurred_at": None}, "occurred_at"),
                        ({"staff_ids": []}, "staff_ids"), ({"occurred_at": future}, "occurred_at")):
        assert field in fields_of(client.patch(f"{base}/{item.pk}", body)), body
    assert client.get(f"{base}/987654/history").status_code == 404
    assert activity_state() == before


def test_hidden_people_read_like_missing_ones(sales, outsider, customer):
    hidden = make_person(outsider, "孙七", contact_points=[])
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}/interactions"
    assert fields_of(client.post(base, {"channel": "phone", "people_ids": [hidden.pk]})) == fields_of(
        client.post(base, {"channel": "phone", "people_ids": [987654]})
    )


def test_service_record_lifecycle(sales, teammate, customer, pool_customer):
    from kehu.sales.services import OrderLineData, order_create

    client = ApiClient(sales)
    base = f"/customers/{customer.pk}/service-records"
    other_order = order_create(actor=sales, customer=pool_customer, number="P-1", ordered_at=timezone.now(),
                               channel="store", lines=[OrderLineData(product_name="x", quantity=1, unit_price="1")])
    created = client.post(base, {"kind": "repair", "problem": "热水器漏水", "technician_id": teammate.pk,
                                 "reported_at": "2026-03-01T09:00:00+08:00"})
    assert created.status_code == 201, created.content
    record = created.json()
    assert (record["status"], record["technician"]["username"]) == ("open", "teammate")
    before = activity_state()
    for body, field in (
        ({"completed_on": "2026-02-01"}, "completed_on"),
        ({"order_id": other_order.pk}, "order_id"),
        ({"technician_id": 987654}, "technician_id"),
        ({"cost": "-1"}, "cost"),
        ({"problem": ""}, "problem"),
        ({"status": "lost"}, "status"),
        ({"kind": None}, "kind"),
    ):
        response = client.patch(f"{base}/{record['id']}", body)
        assert response.status_code == 422, (body, response.content)
        assert field in fields_of(response), (body, fields_of(response))
    assert activity_state() == before
    done = client.patch(f"{base}/{record['id']}", {"status": "done", "completed_on": "2026-03-02",
                                                   "diagnosis": "阀门老化", "parts": "阀门", "cost": "80"})
    assert (done.json()["status"], done.json()["cost"]) == ("done", "80.00")
    assert client.patch(f"{base}/{record['id']}", {"technician_id": None}).json()["technician"] is None
    assert client.get(base).json()["count"] == 1


def test_timeline_filters_and_cursor(sales, customer):
    client = ApiClient(sales)
    base = f"/customers/{customer.pk}"
    start = timezone.now() - datetime.timedelta(days=30)
    for day in range(7):
        interaction_log(actor=sales, customer=customer,
                        values={"channel": "phone", "occurred_at": start + datetime.timedelta(days=day)})
    client.post(f"{base}/service-records", {"kind": "repair", "problem": "x", "reported_at": start.isoformat()})
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{base}/timeline", **params).json()
        seen += [(e["kind"], e["id"]) for e in page["entries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8
    only = client.get(f"{base}/timeline", kinds="service,order").json()["entries"]
    assert [e["kind"] for e in only] == ["service"]
    assert [e["kind"] for e in client.get(f"{base}/timeline", kinds=["service"]).json()["entries"]] == ["service"]
    since = (start + datetime.timedelta(days=5)).isoformat()
    assert len(client.get(f"{base}/timeline", since=since).json()["entries"]) == 2
    assert client.get(f"{base}/timeline", until=since).json()["entries"][0]["label"] == "Communication"


def _cursor(raw) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": _cursor(["2026-01-01T00:00:00+00:00", "letter", 1])}, "cursor"),
        ({"cursor": _cursor(["2026-01-01T00:00:00", "order", 1])}, "cursor"),
        ({"cursor": _cursor(["0001-01-01T00:00:00+14:00", "order", 1])}, "cursor"),
        ({"cursor": _cursor(["2026-01-01T00:00:00+00:00", "order", 2**70])}, "cursor"),
        ({"cursor": _cursor([1, 2])}, "cursor"),
        ({"kinds": "order,letters"}, "kinds.1"),
        ({"since": "last year"}, "since"),
        ({"until": "0001-01-01T00:00:00+08:00"}, "until"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_bad_timeline_parameters_are_422(sales, customer, params, field):
    response = ApiClient(sales).get(f"/customers/{customer.pk}/timeline", **params)
    assert response.status_code == 422, response.content
    assert list(fields_of(response)) == [field]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cursor=st.text(max_size=80) | st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode()),
       since=st.text(max_size=30), kinds=st.text(max_size=20), limit=st.text(max_size=5))
def test_no_timeline_query_fails_with_a_5xx(sales, customer, cursor, since, kinds, limit):
    params = {"cursor": cursor, "since": since, "kinds": kinds, "limit": limit}
    response = ApiClient(sales).get(f"/customers/{customer.pk}/timeline", **params)
    assert response.status_code in (200, 422), (params, response.content)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(
    st.sampled_from(["channel", "direction", "occurred_at", "duration_minutes", "content", "outcome",
                     "next_contact_on", "staff_ids", "people_ids"]),
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.lists(st.integers(), max_size=3),
))
def test_no_communication_body_fails_with_a_5xx(sales, customer, body):
    response = ApiClient(sales).post(f"/customers/{customer.pk}/interactions", body)
    assert response.status_code in (201, 422), (body, response.content)


def test_interaction_list_query_count_does_not_grow(sales, customer, django_assert_max_num_queries):
    client = ApiClient(sales)
    client.get(f"/customers/{customer.pk}/interactions")
    org = make_organization(sales)
    for _index in range(10):
        interaction_log(actor=sales, customer=customer, values={"channel": "phone"})
        interaction_log(actor=sales, customer=org, values={"channel": "email"})
    # token, customer, count, page (+created_by), staff, people
    with django_assert_max_num_queries(6):
        assert client.get(f"/customers/{customer.pk}/interactions").json()["count"] == 10
