"""Bad input: a field-level 422 in one shape, nothing written, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ApiClient, database_state, fields_of
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

PERSON = {"kind": "person", "name": "陈静"}
ORG = {"kind": "organization", "name": "云帆科技"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PERSON, "contact_points": [{"type": "mobile", "value": "12345"}]}, "contact_points.0.value"),
        ({**PERSON, "contact_points": [{"type": "mobile", "value": "138-0013-800x"}]}, "contact_points.0.value"),
        ({**PERSON, "contact_points": [{"type": "email", "value": "not-an-email"}]}, "contact_points.0.value"),
        ({**ORG, "profile": {"credit_code": "91330106MA2B3C4D5X"}}, "profile.credit_code"),
        ({**ORG, "profile": {"credit_code": "123"}}, "profile.credit_code"),
        ({**ORG, "profile": {"phone": "12"}}, "profile.phone"),
        ({**PERSON, "profile": {"birthday": "2999-01-01"}}, "profile.birthday"),
        ({**PERSON, "profile": {"birthday": "1850-01-01"}}, "profile.birthday"),
        ({**PERSON, "name": "长" * 10_000}, "name"),
        ({**PERSON, "name": ""}, "name"),
        ({**PERSON, "name": "   "}, "name"),
        ({**PERSON, "kind": "alien"}, "kind"),
        ({**PERSON, "status": "vip"}, "status"),
        ({**PERSON, "profile": {"gender": "robot"}}, "profile.gender"),
        ({**PERSON, "contact_points": [{"type": "fax", "value": "1"}]}, "contact_points.0.type"),
        ({**PERSON, "name": 123}, "name"),
        ({**PERSON, "tags": "vip"}, "tags"),
        ({**PERSON, "profile": {"height_cm": "tall"}}, "profile.height_cm"),
        ({**PERSON, "profile": {"height_cm": 10**40}}, "profile.height_cm"),
        ({**PERSON, "profile": {"birthday": "yesterday"}}, "profile.birthday"),
        ({**PERSON, "profile": []}, "profile"),
        ({**PERSON, "profile": {"no_such_field": 1}}, "profile.no_such_field"),
        ({**PERSON, "contact_points": [{"type": "mobile", "value": "13800138000", "preferred": "very"}]},
         "contact_points.0.preferred"),
        ({**PERSON, "number": "no spaces allowed"}, "number"),
        ({**PERSON, "owner_id": "me"}, "owner_id"),
        ({**PERSON, "owner_id": 2**70}, "owner_id"),
        ({**PERSON, "shoe_size": 42}, "shoe_size"),
        ({**PERSON, "notes": "a\x00b"}, "notes"),
        ({**ORG, "profile": {"registered_capital": "12345678901234567"}}, "profile.registered_capital"),
        ({**ORG, "profile": {"website": "not a url"}}, "profile.website"),
        ({**PERSON, "important_dates": [{"kind": "birthday", "month": 2, "day": 30}]}, "important_dates.0.day"),
        ({"name": "陈静"}, "kind"),
    ],
)
def test_bad_customer_input_is_a_field_level_422_and_writes_nothing(sales, body, field):
    client = ApiClient(sales)
    before = database_state()
    response = client.post("/customers", body)
    assert response.status_code == 422, response.content
    errors = fields_of(response)
    assert field in errors, errors
    assert database_state() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/customers", {**PERSON, "profile": {"birthday": 0}}, "profile.birthday"),
        ("/customers", {**PERSON, "profile": {"height_cm": True}}, "profile.height_cm"),
        ("/customers", {**PERSON, "profile": {"height_cm": "170"}}, "profile.height_cm"),
        ("/customers", {**PERSON, "profile": {"height_cm": 170.5}}, "profile.height_cm"),
        ("/customers", {**PERSON, "contact_points": [{"type": "email", "value": "a@b.cn", "preferred": 1}]},
         "contact_points.0.preferred"),
        ("/customers", {**PERSON, "important_dates": [{"kind": "custom", "month": 1, "day": 1, "leap_month": 0}]},
         "important_dates.0.leap_month"),
        ("/customers", {**PERSON, "owner_id": "1"}, "owner_id"),
        ("/custom-fields", {"key": "Level", "label": "x", "field_type": "text"}, "key"),
    ],
)
def test_bodies_are_held_to_their_json_types(manager, path, body, field):
    """pydantic's lax mode would read 0 as 1970-01-01 and true as 1; the schema says otherwise."""
    client = ApiClient(manager)
    before = database_state()
    response = client.post(path, body)
    assert response.status_code == 422, response.content
    assert list(fields_of(response)) == [field]
    assert database_state() == before


def test_an_integral_float_is_an_integer(sales):
    response = ApiClient(sales).post("/customers", {**PERSON, "profile": {"height_cm": 170.0}})
    assert response.status_code == 201 and response.json()["person"]["height_cm"] == 170


def test_patch_may_leave_out_but_not_null_what_a_row_needs(sales, customer):
    client = ApiClient(sales)
    point = customer.contact_points.get()
    before = database_state()
    for path, body in (
        (f"/customers/{customer.pk}", {"name": None}),
        (f"/customers/{customer.pk}", {"status": None}),
        (f"/customers/{customer.pk}/contact-points/{point.pk}", {"type": None}),
        (f"/customers/{customer.pk}/contact-points/{point.pk}", {"value": None}),
    ):
        response = client.patch(path, body)
        assert response.status_code == 422, (path, body)
        assert list(fields_of(response)) == list(body)
    assert database_state() == before


def test_duplicate_customer_number(sales):
    client = ApiClient(sales)
    assert client.post("/customers", {**PERSON, "number": "VIP-001"}).status_code == 201
    before = database_state()
    response = client.post("/customers", {**PERSON, "number": "VIP-001"})
    assert response.status_code == 422
    assert list(fields_of(response)) == ["number"]
    assert database_state() == before


def test_duplicate_credit_code(sales):
    from tests.api.test_customers import valid_credit_code

    client = ApiClient(sales)
    assert client.post("/customers", {**ORG, "profile": {"credit_code": valid_credit_code()}}).status_code == 201
    response = client.post("/customers", {**ORG, "profile": {"credit_code": valid_credit_code()}})
    assert response.status_code == 422
    assert list(fields_of(response)) == ["profile.credit_code"]


def test_messages_name_the_problem(sales):
    client = ApiClient(sales)
    errors = fields_of(client.post("/customers", {**PERSON, "name": "长" * 10_000, "kind": "alien"}))
    assert errors["name"] == ["Ensure this value has at most 200 characters (it has 10000)."]
    assert errors["kind"] == ["Select a valid choice. alien is not one of the available choices."]
    errors = fields_of(client.post("/customers", {**PERSON, "profile": {"birthday": "2999-01-01"}}))
    assert list(errors) == ["profile.birthday"] and "This date is in the future." in errors["profile.birthday"]
    errors = fields_of(client.post("/customers", {**PERSON, "contact_points": [{"type": "mobile", "value": "12345"}]}))
    assert errors == {"contact_points.0.value": ["“12345” is not a valid phone number."]}


@pytest.mark.parametrize("raw", ["{bad json", "", "[1, 2]", '"text"', "null", "NaN", '{"kind": NaN}', "[" * 100_000])
def test_malformed_bodies_are_422(sales, raw):
    client = ApiClient(sales)
    before = database_state()
    response = client.post("/customers", raw=raw)
    assert response.status_code == 422, response.content
    fields_of(response)
    assert database_state() == before


def test_patch_with_wrong_types_writes_nothing(sales, customer):
    client = ApiClient(sales)
    before = database_state()
    for body in ({"name": ""}, {"tags": [1, 2]}, {"status": 3}, {"last_verified_on": "soon"},
                 {"custom_fields": []}, {"profile": {"birthday": "2999-12-31"}}, {"name": "x" * 201}):
        response = client.patch(f"/customers/{customer.pk}", body)
        assert response.status_code == 422, (body, response.content)
        fields_of(response)
    assert database_state() == before


def test_messages_follow_accept_language(sales):
    from django.utils import translation

    client = ApiClient(sales, language="zh-Hans")
    response = client.post("/customers", {"name": "陈静"})
    with translation.override("zh-hans"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert fields_of(response) == {"kind": [required]}


# --- fuzzing -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)
FIELDS = ["number", "status", "owner_id", "team_id", "tags", "custom_fields", "profile",
          "contact_points", "family_members", "important_dates", "notes", "last_verified_on", "source_channel"]
bodies = st.fixed_dictionaries(
    {"kind": st.sampled_from(["person", "organization"]), "name": st.text(min_size=1, max_size=20)},
    optional={name: json_values for name in FIELDS},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_no_body_makes_create_fail_with_a_5xx(sales, body):
    response = ApiClient(sales).post("/customers", body)
    assert response.status_code in (201, 422), (body, response.content)
    if response.status_code == 422:
        fields_of(response)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=60), limit=st.integers(), offset=st.integers(), owner=st.text(max_size=25))
def test_no_query_makes_the_list_fail_with_a_5xx(sales, query, limit, offset, owner):
    params = {"q": query, "limit": str(limit), "offset": str(offset), "owner_id": owner}
    response = ApiClient(sales).get("/customers", **params)
    assert response.status_code in (200, 422), (params, response.content)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and "?" not in s and "#" not in s))
def test_no_path_id_fails_with_a_5xx(sales, segment):
    from urllib.parse import quote

    response = ApiClient(sales).get(f"/customers/{quote(segment)}")
    assert response.status_code in (404, 422), (segment, response.content)


def test_lone_surrogates_and_control_characters(sales):
    make_person(sales, "张三", contact_points=[])
    client = ApiClient(sales)
    raw = '{"kind": "person", "name": "bad \\ud800 name"}'
    response = client.post("/customers", raw=raw)
    assert response.status_code == 422, response.content
    # An encoded lone surrogate (invalid UTF-8) in the query string.
    assert client.client.get("/api/customers?q=%ED%A0%80x&tag=%FF", headers=client.headers).status_code == 200
    assert json.loads(client.get("/customers", q="\x01\x02").content)["count"] == 0
