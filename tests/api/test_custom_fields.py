"""/api/custom-fields (definitions, configuring roles only) and values via customer PATCH."""

from __future__ import annotations

import pytest

from kehu.customers.models import CustomFieldDefinition
from tests.api.conftest import ApiClient, database_state, fields_of

pytestmark = pytest.mark.django_db

LEVEL = {"key": "level", "label": "客户等级", "field_type": "choice", "choices": ["金牌", "银牌", "普通"]}


@pytest.mark.parametrize("persona", ["admin", "manager"])
def test_configuring_roles_define_and_change_fields(persona, request):
    client = ApiClient(request.getfixturevalue(persona))
    created = client.post("/custom-fields", LEVEL)
    assert created.status_code == 201, created.content
    field = created.json()
    assert (field["key"], field["applies_to"], field["choices"], field["active"]) == ("level", "all", LEVEL["choices"], True)
    changed = client.patch(f"/custom-fields/{field['id']}", {"label": "等级", "required": True})
    assert (changed.json()["label"], changed.json()["required"]) == ("等级", True)
    assert [f["key"] for f in client.get("/custom-fields").json()] == ["level"]


@pytest.mark.parametrize("persona", ["sales", "analyst", "service_agent"])
def test_other_roles_read_but_cannot_define(persona, request, manager):
    definition = ApiClient(manager).post("/custom-fields", LEVEL).json()
    client = ApiClient(request.getfixturevalue(persona))
    before = (database_state(), list(CustomFieldDefinition.objects.values()))
    assert client.get("/custom-fields").status_code == 200
    assert client.post("/custom-fields", {**LEVEL, "key": "other"}).status_code == 403
    assert client.patch(f"/custom-fields/{definition['id']}", {"label": "x"}).status_code == 403
    assert (database_state(), list(CustomFieldDefinition.objects.values())) == before


def test_definition_errors(manager):
    client = ApiClient(manager)
    before = CustomFieldDefinition.objects.count()
    cases = [
        ({**LEVEL, "key": "Bad Key"}, "key"),
        ({**LEVEL, "choices": []}, "choices"),
        ({**LEVEL, "choices": ["a", "a"]}, "choices"),
        ({**LEVEL, "field_type": "text"}, "choices"),
        ({**LEVEL, "field_type": "colour"}, "field_type"),
        ({**LEVEL, "position": -1}, "position"),
        ({**LEVEL, "label": ""}, "label"),
    ]
    for body, field in cases:
        response = client.post("/custom-fields", body)
        assert response.status_code == 422, body
        assert field in fields_of(response), (body, fields_of(response))
    assert CustomFieldDefinition.objects.count() == before
    definition = client.post("/custom-fields", LEVEL).json()
    duplicate = client.post("/custom-fields", LEVEL)
    assert duplicate.status_code == 422 and "key" in fields_of(duplicate)
    changed_type = client.patch(f"/custom-fields/{definition['id']}", {"field_type": "text"})
    assert changed_type.status_code == 422 and list(fields_of(changed_type)) == ["field_type"]
    assert client.patch("/custom-fields/987654", {"label": "x"}).status_code == 404


def test_custom_values_through_create_and_patch(manager, sales):
    ApiClient(manager).post("/custom-fields", LEVEL)
    ApiClient(manager).post("/custom-fields", {"key": "budget", "label": "预算", "field_type": "number"})
    ApiClient(manager).post("/custom-fields", {"key": "met_on", "label": "初次见面", "field_type": "date",
                                               "applies_to": "person"})
    client = ApiClient(sales)
    created = client.post("/customers", {"kind": "person", "name": "陈静", "custom_fields": {"level": "金牌"}})
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    assert created.json()["custom_fields"] == {"level": "金牌"}
    patched = client.patch(f"/customers/{customer_id}", {"custom_fields": {"budget": "12.5", "met_on": "2024-05-01"}})
    assert patched.json()["custom_fields"] == {"level": "金牌", "budget": 12.5, "met_on": "2024-05-01"}
    cleared = client.patch(f"/customers/{customer_id}", {"custom_fields": {"budget": None}})
    assert cleared.json()["custom_fields"] == {"level": "金牌", "met_on": "2024-05-01"}
    before = database_state()
    for values, key in (({"level": "钻石"}, "custom_fields.level"), ({"budget": "lots"}, "custom_fields.budget"),
                        ({"met_on": "someday"}, "custom_fields.met_on"), ({"unknown": 1}, "custom_fields.unknown")):
        response = client.patch(f"/customers/{customer_id}", {"custom_fields": values})
        assert response.status_code == 422, values
        assert list(fields_of(response)) == [key]
    org = client.post("/customers", {"kind": "organization", "name": "云帆", "custom_fields": {"met_on": "2024-05-01"}})
    assert list(fields_of(org)) == ["custom_fields.met_on"]
    assert database_state() == before


def test_required_custom_field(manager, sales):
    ApiClient(manager).post("/custom-fields", {**LEVEL, "required": True})
    response = ApiClient(sales).post("/customers", {"kind": "person", "name": "陈静"})
    assert response.status_code == 422
    assert fields_of(response) == {"custom_fields.level": ["This field is required."]}
