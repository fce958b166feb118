"""GET /api/customers/{id}/next-purchase and /recommendations: content, languages, visibility, scopes."""

from __future__ import annotations

import pytest

from kehu.insights.config import AffinitySettings, ScoringConfig
from kehu.insights.services import scoring_run
from tests.insights.affinity_fixtures import AS_OF, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales):
    shop = build(C4=sales, C12=sales)
    scoring_run(as_of=AS_OF, config=ScoringConfig(affinity=AffinitySettings(min_support=2)))
    return shop


def test_recommendations(api_as, sales, world):
    response = api_as(sales).get(f"/customers/{world['C4'].pk}/recommendations")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2025-06-30" and body["min_support"] == 2 and body["favourite_categories"] == ["护肤"]
    [category] = body["categories"]
    assert category == {"kind": "category", "category": "彩妆", "product_id": None, "name": "彩妆",
                        "because_of": "护肤", "both": 3, "source_buyers": 6, "confidence": 0.5, "lift": 1.5,
                        "reason": "Bought by 50% of customers who bought 护肤 (1.5× as often as customers overall)."}
    [product] = body["products"]
    assert (product["kind"], product["product_id"], product["name"], product["category"], product["because_of"]) == (
        "product", world["B"].pk, "彩妆B", "彩妆", "护肤A")


def test_recommendations_in_chinese(api_as, sales, world):
    body = api_as(sales, language="zh-Hans").get(f"/customers/{world['C4'].pk}/recommendations").json()
    assert body["categories"][0]["reason"] == "购买过“护肤”的客户中有 50% 也购买了它（比例是全体客户的 1.5 倍）。"


def test_next_purchase(api_as, sales, world):
    body = api_as(sales).get(f"/customers/{world['C12'].pk}/next-purchase").json()
    assert body["basis"] == "no_purchases" and body["expected_on"] is None and body["overdue"] is False
    body = api_as(sales, language="zh-Hans").get(f"/customers/{world['C12'].pk}/next-purchase").json()
    assert body["basis_text"] == "尚无购买记录，无从估计。"
    body = api_as(sales).get(f"/customers/{world['C4'].pk}/next-purchase").json()
    assert body["order_count"] == 1 and body["last_order_on"] == "2025-05-01" and body["basis"] in ("model", "too_few")
    if body["basis"] == "model":
        assert body["expected_on"] and body["model_as_of"] == "2025-06-30" and body["gap_days"] > 0


def test_limit_is_checked(api_as, sales, world):
    assert api_as(sales).get(f"/customers/{world['C4'].pk}/recommendations", limit=0).status_code == 422
    assert api_as(sales).get(f"/customers/{world['C4'].pk}/recommendations", limit=21).status_code == 422


def test_another_teams_customer_answers_like_a_missing_one(api_as, outsider, world):
    client = api_as(outsider)
    for suffix in ("recommendations", "next-purchase"):
        invisible = client.get(f"/customers/{world['C4'].pk}/{suffix}")
        missing = client.get(f"/customers/987654/{suffix}")
        assert invisible.status_code == missing.status_code == 404
        assert invisible.json() == missing.json()


def test_anonymous_and_scopes(api_as, sales, world):
    assert api_as(None).get(f"/customers/{world['C4'].pk}/recommendations").status_code == 401
    assert api_as(sales, scopes=("read",)).get(f"/customers/{world['C4'].pk}/recommendations").status_code == 200
    assert api_as(sales, scopes=("write",)).get(f"/customers/{world['C4'].pk}/next-purchase").status_code == 403
