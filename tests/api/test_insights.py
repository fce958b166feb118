"""The insights endpoints: a customer's figures, history and override; tiers; scoring runs and jobs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kehu.insights.models import ScoringJob, ScoringRun, Tier, TierOverride
from kehu.insights.services import tier_override_set
from tests.api.conftest import fields_of
from tests.insights_fixtures import GOLD, ORDINARY, SILVER, buy, scored

pytestmark = pytest.mark.django_db
MISSING = 987654


@pytest.fixture
def world(manager, sales, customer):
    run, tiers = scored(manager, sales, customer)
    return {"run": run, "gold": tiers[0], "silver": tiers[1], "ordinary": tiers[2]}


def later(days: int = 30) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def test_insight_has_every_figure(api_as, sales, customer, world):
    response = api_as(sales).get(f"/customers/{customer.pk}/insight")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == world["run"].as_of.isoformat() and body["prediction_days"] == 90
    assert body["tier"]["name"] == "银牌" and body["tier_source"] == "rule" and "total_spend >= 300" in body["tier_reason"]
    score = body["score"]
    assert score["order_count"] == 4 and score["frequency"] == 4 and score["monetary"] == "600.00"
    assert {"r_score", "f_score", "m_score", "rfm_score_total", "clv", "p_alive", "expected_purchases"} <= set(score)
    assert score["rfm_segment"] and score["rfm_segment_label"] and score["value_class"].startswith(("important", "general"))
    assert score["churn_risk"] in ("none", "medium", "high") and isinstance(body["churn_reasons"], list)


def test_insight_before_any_run(api_as, sales, customer):
    body = api_as(sales).get(f"/customers/{customer.pk}/insight").json()
    assert body["as_of"] is None and body["score"] is None and body["tier"] is None and body["tier_source"] == "none"


def test_insight_labels_follow_the_language(api_as, sales, customer, world):
    body = api_as(sales, language="zh-Hans").get(f"/customers/{customer.pk}/insight").json()
    assert body["score"]["value_class_label"].endswith("客户")


def test_score_and_tier_history(api_as, manager, sales, customer, world):
    tier_override_set(actor=manager, customer=customer, tier=world["gold"], reason="战略客户")
    client = api_as(sales)
    scores = client.get(f"/customers/{customer.pk}/scores").json()
    assert [s["as_of"] for s in scores] == [world["run"].as_of.isoformat()]
    history = client.get(f"/customers/{customer.pk}/tier-history").json()
    assert [(h["from_tier"], h["to_tier"], h["cause"], h["reason"]) for h in history] == [
        ("银牌", "金牌", "override", "战略客户")]
    assert history[0]["actor"]["username"] == "manager"


def test_set_and_end_an_override(api_as, manager, customer, world):
    client = api_as(manager)
    response = client.post(f"/customers/{customer.pk}/tier-override",
                           {"tier_id": world["gold"].pk, "reason": "战略客户", "expires_at": later()})
    assert response.status_code == 201, response.content
    assert response.json()["tier"]["name"] == "金牌" and response.json()["created_by"]["username"] == "manager"
    insight = client.get(f"/customers/{customer.pk}/insight").json()
    assert insight["tier"]["name"] == "金牌" and insight["tier_source"] == "override"
    assert insight["override"]["reason"] == "战略客户" and insight["tier_reason"] == "战略客户"
    assert client.delete(f"/customers/{customer.pk}/tier-override").status_code == 204
    assert client.get(f"/customers/{customer.pk}/insight").json()["tier"]["name"] == "银牌"
    assert client.delete(f"/customers/{customer.pk}/tier-override").status_code == 404  # none left


@pytest.mark.parametrize(("language", "messages"), [
    ("en", {"reason": "Say why this customer's tier is set by hand.", "expires_at": "The override must end in the future.",
            "tier_id": "Choose one of the active tiers."}),
    ("zh-Hans", {"reason": "请说明为什么手动指定该客户的分档。", "expires_at": "手动指定的结束时间必须在未来。",
                 "tier_id": "请选择一个启用中的分档。"}),
])
def test_override_errors(api_as, manager, customer, world, language, messages):
    client = api_as(manager, language=language)
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    cases = [
        ({"tier_id": world["gold"].pk, "reason": "   "}, "reason"),
        ({"tier_id": world["gold"].pk, "reason": "x", "expires_at": past}, "expires_at"),
        ({"tier_id": MISSING, "reason": "x"}, "tier_id"),
    ]
    for body, field in cases:
        response = client.post(f"/customers/{customer.pk}/tier-override", body)
        assert response.status_code == 422, response.content
        assert fields_of(response) == {field: [messages[field]]}
    response = client.post(f"/customers/{customer.pk}/tier-override", {"tier_id": world["gold"].pk})
    assert response.status_code == 422 and "reason" in fields_of(response)
    assert not TierOverride.objects.exists()


def test_override_of_a_retired_tier_is_refused(api_as, manager, customer, world):
    client = api_as(manager)
    assert client.request("PUT", "/insights/tiers", {"tiers": [ORDINARY]}).status_code == 200
    response = client.post(f"/customers/{customer.pk}/tier-override", {"tier_id": world["gold"].pk, "reason": "x"})
    assert fields_of(response) == {"tier_id": ["Choose one of the active tiers."]}


@pytest.mark.parametrize("persona", ["sales", "analyst"])
def test_only_managers_override(api_as, customer, world, persona, request):
    client = api_as(request.getfixturevalue(persona))
    response = client.post(f"/customers/{customer.pk}/tier-override", {"tier_id": world["gold"].pk, "reason": "x"})
    assert response.status_code == 403
    assert client.delete(f"/customers/{customer.pk}/tier-override").status_code == 403
    assert not TierOverride.objects.exists()


def test_another_teams_customer_answers_like_a_missing_one(api_as, outsider, manager, customer, world):
    tier_override_set(actor=manager, customer=customer, tier=world["gold"], reason="x")
    client = api_as(outsider)
    for method, suffix, body in (("GET", "insight", None), ("GET", "scores", None), ("GET", "tier-history", None),
                                 ("POST", "tier-override", {"tier_id": world["gold"].pk, "reason": "x"}),
                                 ("DELETE", "tier-override", None)):
        seen = client.request(method, f"/customers/{customer.pk}/{suffix}", body)
        missing = client.request(method, f"/customers/{MISSING}/{suffix}", body)
        assert seen.status_code == missing.status_code == 404, (method, suffix)
        assert seen.json() == missing.json()
    assert TierOverride.objects.get().ended_at is None


def test_anonymous_is_refused(api_as, customer):
    for path in (f"/customers/{customer.pk}/insight", "/insights/tiers", "/insights/scoring-runs"):
        assert api_as(None).get(path).status_code == 401


# ------------------------------------------------------------------ tiers


def test_read_and_replace_tiers(api_as, manager, sales):
    client = api_as(manager)
    response = client.request("PUT", "/insights/tiers", {"tiers": [GOLD, SILVER, ORDINARY]})
    assert response.status_code == 200, response.content
    assert [(t["name"], t["position"]) for t in response.json()] == [("金牌", 1), ("银牌", 2), ("普通", 3)]
    listed = api_as(sales).get("/insights/tiers").json()  # definitions, not customer data
    assert listed[0]["conditions"] == [{"field": "total_spend", "op": ">=", "value": 1000}]
    assert listed[0]["color"] == "#d4a017"


def test_tier_rule_errors_name_where_they_are(api_as, manager):
    response = api_as(manager).request("PUT", "/insights/tiers", {"tiers": [
        {"name": "A", "conditions": [{"field": "rfm_scor_total", "op": ">=", "value": 3}]},
        {"name": "B", "conditions": [{"field": "clv", "op": "in", "value": [1]}]},
        ORDINARY, {"name": "C", "conditions": []},
    ]})
    assert response.status_code == 422
    errors = fields_of(response)
    assert "Unknown field “rfm_scor_total”" in errors["tiers.0.conditions.0.field"][0]
    assert "Operator “in” does not apply to clv" in errors["tiers.1.conditions.0.op"][0]
    assert not Tier.objects.exists()


def test_tier_errors_in_chinese_and_shape_errors(api_as, manager):
    client = api_as(manager, language="zh-Hans")
    errors = fields_of(client.request("PUT", "/insights/tiers", {"tiers": []}))
    assert errors == {"tiers": ["请至少定义一个分档。"]}
    errors = fields_of(client.request("PUT", "/insights/tiers", {"tiers": [{"name": "A", "colour": "red"}]}))
    assert "tiers.0.colour" in errors
    errors = fields_of(client.request("PUT", "/insights/tiers", {"tiers": [
        {"name": "A", "conditions": [{"field": "clv", "op": "~", "value": True}]}]}))
    assert {"tiers.0.conditions.0.op"} <= set(errors)
    assert not Tier.objects.exists()


@pytest.mark.parametrize("persona", ["sales", "analyst"])
def test_only_managers_define_tiers(api_as, persona, request):
    response = api_as(request.getfixturevalue(persona)).request("PUT", "/insights/tiers", {"tiers": [ORDINARY]})
    assert response.status_code == 403 and not Tier.objects.exists()


# ------------------------------------------------------------------ runs and jobs


def test_start_a_run_and_follow_its_job(api_as, manager, sales, customer):
    buy(sales, customer, "SO-API-1", days=10, amount="88.00")
    client = api_as(manager)
    response = client.post("/insights/scoring-runs", {})
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "done" and job["run_id"] == ScoringRun.objects.get().pk  # inline under tests
    assert client.get(f"/insights/scoring-jobs/{job['id']}").json()["status"] == "done"
    runs = client.get("/insights/scoring-runs").json()
    assert runs["count"] == 1 and runs["items"][0]["counts"]["customers"] == 1
    assert runs["items"][0]["counts"]["buyers"] == 1


def test_one_run_at_a_time(api_as, manager):
    ScoringJob.objects.create(as_of=datetime.date(2025, 1, 1), status="running", requested_by=manager)
    response = api_as(manager).post("/insights/scoring-runs", {"as_of": "2025-02-01"})
    assert response.status_code == 409 and "already in progress" in response.json()["detail"]
    assert ScoringJob.objects.count() == 1


@pytest.mark.parametrize(("as_of", "message"), [
    ("2999-01-01", "Scores cannot be computed for a date in the future."),
    ("1969-12-31", "A date from 1970-01-01 on."),
])
def test_bad_dates(api_as, manager, as_of, message):
    response = api_as(manager).post("/insights/scoring-runs", {"as_of": as_of})
    assert response.status_code == 422 and fields_of(response) == {"as_of": [message]}
    assert not ScoringJob.objects.exists()


def test_runs_are_for_those_who_see_everyone(api_as, sales, analyst, manager):
    job = ScoringJob.objects.create(as_of=datetime.date(2025, 1, 1), status="done", requested_by=manager)
    client = api_as(sales)
    assert client.get("/insights/scoring-runs").status_code == 403
    assert client.get(f"/insights/scoring-jobs/{job.pk}").status_code == 403
    assert client.post("/insights/scoring-runs", {}).status_code == 403
    analyst_client = api_as(analyst)
    assert analyst_client.get("/insights/scoring-runs").status_code == 200
    assert analyst_client.get(f"/insights/scoring-jobs/{job.pk}").status_code == 200
    assert analyst_client.get(f"/insights/scoring-jobs/{MISSING}").status_code == 404
    assert analyst_client.post("/insights/scoring-runs", {}).status_code == 403
    assert ScoringJob.objects.count() == 1


def test_refusals_are_translated(api_as, sales, customer, world):
    client = api_as(sales, language="zh-Hans")
    response = client.post(f"/customers/{customer.pk}/tier-override", {"tier_id": world["gold"].pk, "reason": "x"})
    assert response.json()["detail"] == "只有管理员和档案管理员可以手动指定分档。"
    assert client.request("PUT", "/insights/tiers", {"tiers": [ORDINARY]}).json()["detail"] == \
        "只有管理员和档案管理员可以定义分档。"
