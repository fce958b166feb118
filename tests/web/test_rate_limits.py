"""Rate limits on search and exports, pages and API: fine below the limit, then 429 with
Retry-After and a translated message (a friendly page on the web, never a raw error)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kehu.audit.models import AuditEvent
from kehu.core import ratelimit
from kehu.privacy.services import request_open
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings, monkeypatch):
    settings.KEHU_SEARCH_RATE_PER_MINUTE = 3
    settings.KEHU_EXPORT_RATE_PER_HOUR = 2
    # Ten seconds into an hour, fixed: no window may end in the middle of a test.
    monkeypatch.setattr(ratelimit.time, "time", lambda: 3600.0 * 500_000 + 10)


def test_customer_search_page_is_limited_with_a_friendly_page(client, sales, customer, tight):
    client.force_login(sales)
    for _ in range(3):
        assert client.get("/customers/", {"q": "张"}).status_code == 200
    refused = client.get("/customers/", {"q": "张"})
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    body = refused.content.decode()
    assert "You have searched many times in a short while" in body and "Please wait a moment" in body
    assert "<nav" in body  # the site's own page, with its navigation
    # An htmx search-as-you-type swap gets just the message, to show in place of the results.
    fragment = client.get("/customers/", {"q": "张"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert fragment.status_code == 429 and fragment.content.decode().startswith('<div class="alert warning"')
    # The customer picker is a search too, sharing the budget.
    assert client.get(reverse("web:customer-pick"), {"q": "张"}).status_code == 429
    # Other people are not affected; other pages are not limited.
    assert client.get(f"/customers/{customer.pk}/").status_code == 200


def test_the_page_message_is_translated(client, sales, tight):
    client.force_login(sales)
    for _ in range(3):
        client.get("/customers/")
    refused = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 429 and "搜索" in refused.content.decode()


def test_api_search_is_limited_per_user_across_tokens(sales, teammate, tight):
    first, second = ApiClient(sales), ApiClient(sales)
    assert [first.get("/customers").status_code for _ in range(2)] == [200, 200]
    assert second.get("/customers").status_code == 200
    refused = second.get("/customers")  # another token of the same user shares the budget
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert set(refused.json()) == {"detail", "errors"} and "searched many times" in refused.json()["detail"]
    chinese = ApiClient(sales, language="zh-hans").get("/customers")
    assert chinese.status_code == 429 and "搜索" in chinese.json()["detail"]
    assert ApiClient(teammate).get("/customers").status_code == 200


def test_exports_are_limited_page_and_api(client, manager, customer, tight):
    row = request_open(actor=manager, customer=customer, kind="access")
    client.force_login(manager)
    url = reverse("web:privacy-request-export", args=[row.pk, "json"])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"] == "3590"
    assert "downloaded customer data many times" in refused.content.decode()
    assert "attachment" not in refused.get("Content-Disposition", "")
    # The API export draws on the same hourly budget; a refused export is not audited as one.
    api = ApiClient(manager).get(f"/customers/{customer.pk}/subject-export")
    assert api.status_code == 429 and api["Retry-After"]
    assert AuditEvent.objects.filter(action="privacy.export").count() == 2


def test_limits_can_be_turned_off(client, sales, settings):
    settings.KEHU_SEARCH_RATE_PER_MINUTE = 0
    client.force_login(sales)
    assert all(client.get("/customers/").status_code == 200 for _ in range(30))


def test_the_openapi_document_lists_429(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "429" in paths["/api/customers"]["get"]["responses"]
    assert "429" in paths["/api/customers/{customer_id}/subject-export"]["get"]["responses"]
