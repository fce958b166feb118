"""GET /api/insights/dashboard: the dashboard's figures, within the caller's visibility."""

from __future__ import annotations

import pytest

from tests.api.conftest import fields_of
from tests.dashboard_fixtures import build

pytestmark = pytest.mark.django_db
URL = "/insights/dashboard"


@pytest.fixture
def archive(sales, outsider):
    return build(sales=sales, outsider=outsider)


def test_manager_gets_every_figure(api_as, archive, manager):
    response = api_as(manager).get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["as_of"] == "2025-06-30" and data["available_runs"] == ["2025-06-30", "2025-03-31"]
    assert (data["customers"], data["buyers"], data["revenue"]) == (5, 4, "23840.00")
    assert [(t["name"], t["customers"]) for t in data["tiers"]] == [("金牌", 2), ("银牌", 1), ("普通", 1), ("", 1)]
    assert data["movement"]["up"] == 2 and data["movement"]["down"] == 1 and data["movement"]["unchanged"] == 2
    assert data["rfm_grid"][0] == [0, 0, 0, 1, 1]
    assert [b["customers"] for b in data["clv_buckets"]] == [1, 1, 0, 0, 1, 0, 0, 1]
    assert data["clv_buckets"][-1] == {"low": "100000", "high": "300000", "customers": 1}
    assert [c["name"] for c in data["at_risk"]] == ["客户丙", "客户乙", "客户丁"]
    assert data["rfm_segments"][0] == {"key": "champions", "label": "Champions", "customers": 2,
                                       "revenue": "23000.00", "percent": 96.5}


def test_salesperson_gets_their_share(api_as, archive, sales):
    data = api_as(sales).get(URL).json()
    assert data["customers"] == 4 and [c["name"] for c in data["at_risk"]] == ["客户乙", "客户丁"]


def test_anonymous_and_missing_scope(api_as, archive, sales):
    assert api_as(None).get(URL).status_code == 401
    response = api_as(sales, scopes=("write",)).get(URL)
    assert response.status_code == 403 and "“read”" in response.json()["detail"]
    assert api_as(sales, scopes=("read",)).get(URL).status_code == 200


def test_earlier_run_and_labels_in_chinese(api_as, archive, manager):
    data = api_as(manager, language="zh-hans").get(URL, as_of="2025-03-31").json()
    assert data["customers"] == 1 and data["movement"] is None
    assert data["rfm_segments"][0]["label"] == "忠诚客户"


def test_bad_and_unknown_dates(api_as, archive, manager):
    response = api_as(manager).get(URL, as_of="2025-02-30")
    assert response.status_code == 422 and fields_of(response) == {"as_of": ["Enter a valid date."]}
    response = api_as(manager, language="zh-hans").get(URL, as_of="nope")
    assert response.status_code == 422 and fields_of(response)["as_of"] == ["请输入有效的日期。"]
    response = api_as(manager).get(URL, as_of="2025-07-31")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no completed scoring run as of 2025-07-31."


def test_no_run_yet(api_as, manager):
    data = api_as(manager).get(URL).json()
    assert data["as_of"] is None and data["customers"] == 0 and data["tiers"] == [] and data["movement"] is None
