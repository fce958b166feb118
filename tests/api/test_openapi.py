"""The OpenAPI document and the Swagger UI, served without any CDN."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROUTES = {
    "/api/customers": {"get", "post"},
    "/api/customers/{customer_id}": {"get", "patch", "delete"},
    "/api/customers/{customer_id}/contact-points": {"get", "post"},
    "/api/customers/{customer_id}/contact-points/{point_id}": {"patch", "delete"},
    "/api/customers/{customer_id}/family-members": {"get", "post"},
    "/api/customers/{customer_id}/family-members/{member_id}": {"patch", "delete"},
    "/api/customers/{customer_id}/important-dates": {"get", "post"},
    "/api/customers/{customer_id}/important-dates/{date_id}": {"patch", "delete"},
    "/api/customers/{customer_id}/relationships": {"get", "post"},
    "/api/customers/{customer_id}/relationships/{relationship_id}": {"patch", "delete"},
    "/api/customers/{customer_id}/interactions": {"get", "post"},
    "/api/customers/{customer_id}/interactions/{interaction_id}": {"patch"},
    "/api/customers/{customer_id}/interactions/{interaction_id}/history": {"get"},
    "/api/customers/{customer_id}/orders": {"get", "post"},
    "/api/customers/{customer_id}/orders/{order_id}": {"get"},
    "/api/customers/{customer_id}/orders/{order_id}/refund": {"post"},
    "/api/customers/{customer_id}/orders/{order_id}/cancel": {"post"},
    "/api/customers/{customer_id}/receivables": {"get", "post"},
    "/api/customers/{customer_id}/ageing": {"get"},
    "/api/customers/{customer_id}/payments": {"get", "post"},
    "/api/customers/{customer_id}/credit-incidents": {"get", "post"},
    "/api/customers/{customer_id}/consumption": {"get"},
    "/api/customers/{customer_id}/service-records": {"get", "post"},
    "/api/customers/{customer_id}/service-records/{record_id}": {"patch"},
    "/api/customers/{customer_id}/timeline": {"get"},
    "/api/customers/{customer_id}/consents": {"get", "post"},
    "/api/customers/{customer_id}/consents/{consent_id}/withdraw": {"post"},
    "/api/customers/{customer_id}/subject-requests": {"get", "post"},
    "/api/customers/{customer_id}/subject-requests/{request_id}/close": {"post"},
    "/api/customers/{customer_id}/subject-export": {"get"},
    "/api/customers/{customer_id}/reveal": {"post"},
    "/api/customers/{customer_id}/insight": {"get"},
    "/api/customers/{customer_id}/scores": {"get"},
    "/api/customers/{customer_id}/tier-history": {"get"},
    "/api/customers/{customer_id}/tier-override": {"post", "delete"},
    "/api/customers/{customer_id}/next-purchase": {"get"},
    "/api/customers/{customer_id}/recommendations": {"get"},
    "/api/insights/tiers": {"get", "put"},
    "/api/insights/scoring-runs": {"get", "post"},
    "/api/insights/scoring-jobs/{job_id}": {"get"},
    "/api/insights/dashboard": {"get"},
    "/api/segments": {"get", "post"},
    "/api/segments/fields": {"get"},
    "/api/segments/{segment_id}": {"get", "put", "delete"},
    "/api/segments/{segment_id}/members": {"get"},
    "/api/segments/{segment_id}/export": {"get"},
    "/api/subject-requests": {"get"},
    "/api/audit-events": {"get"},
    "/api/users": {"get", "post"},
    "/api/users/{user_id}": {"patch"},
    "/api/users/{user_id}/password": {"post"},
    "/api/audit-events/export": {"get"},
    "/api/products": {"get", "post"},
    "/api/products/{product_id}": {"get", "patch"},
    "/api/imports/{kind}": {"post"},
    "/api/imports": {"get"},
    "/api/imports/runs/{run_id}": {"get"},
    "/api/custom-fields": {"get", "post"},
    "/api/custom-fields/{field_id}": {"patch"},
    "/api/tokens": {"get", "post"},
    "/api/tokens/{token_id}": {"delete"},
    "/api/two-factor": {"get"},
    "/api/users/{user_id}/two-factor/reset": {"post"},
}


def test_openapi_document_lists_every_route():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in document["paths"].items()} == ROUTES
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_schemas_are_precise():
    document = Client().get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    kind = schemas["CustomerCreate"]["properties"]["kind"]
    assert kind["enum"] == ["person", "organization"]
    name = schemas["CustomerCreate"]["properties"]["name"]
    assert name["maxLength"] == 200
    gender = schemas["PersonProfileOut"]["properties"]["gender"]
    assert set(gender["enum"]) == {"", "male", "female", "other"}
    height = schemas["ProfileIn"]["properties"]["height_cm"]["anyOf"][0]
    assert (height["minimum"], height["maximum"]) == (30, 260)
    assert schemas["ErrorOut"]["required"] == ["detail"]
    create = document["paths"]["/api/customers"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(create)


def test_docs_page_loads_only_local_assets():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert not re.search(r"(https?:)?//", html.replace("</", "")), "the page must not reference another host"
    client = Client()
    for url in urls:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    assert '"url": "/api/openapi.json"' in html


def test_only_known_assets_are_served():
    client = Client()
    assert client.get("/api/docs/assets/swagger-ui.css")["Content-Type"].startswith("text/css")
    for name in ("..%2F__init__.py", "redoc.standalone.js", "nope.js"):
        assert client.get(f"/api/docs/assets/{name}").status_code == 404
