"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis): no input may cause a 5xx.

Runs in-process against the WSGI application, as a manager (who may call everything),
with a small archive behind it so ids hit real rows.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from kehu.accounts.models import ALL_SCOPES
from kehu.accounts.services import api_token_create
from tests.conftest import make_organization, make_person

MAX_EXAMPLES = 12


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from kehu.wsgi import application

    # As Django's test client does: the bare WSGI handler would close the connection that
    # holds the test's transaction after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(manager, sales):
    from kehu.insights.services import scoring_run, tier_override_set, tiers_define

    person = make_person(sales)
    make_organization(manager)
    # Tiers, a run and an override, so the insights endpoints meet real rows (ids start at 1).
    gold, _ordinary = tiers_define(actor=manager, tiers=[
        {"name": "金牌", "conditions": [{"field": "clv", "op": ">=", "value": 1000}]}, {"name": "普通", "conditions": []}])
    scoring_run(actor=manager)
    tier_override_set(actor=manager, customer=person, tier=gold, reason="fuzz")
    _token, secret = api_token_create(actor=manager, name="fuzz", scopes=ALL_SCOPES)
    return secret


def test_no_input_causes_a_server_error(api_schema, manager_token):
    # Hypothesis driven directly: schemathesis' own pytest plugin does not support pytest 9 yet.
    headers = {"Authorization": f"Bearer {manager_token}"}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" and operation.path == "/api/tokens/{token_id}":
            continue  # would revoke the token the fuzzer signs in with
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}"
            )

        fuzz()
    assert operations > 40
