"""Tiers and scoring page: tier rules with their errors, distribution, runs and jobs."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kehu.insights.models import ScoringJob, ScoringRun, Tier
from tests.insights_fixtures import GOLD, ORDINARY, SILVER, scored

pytestmark = pytest.mark.django_db
PAGE = "/insights/"


def test_page_for_readers_and_configurers(client, manager, analyst, sales, customer):
    scored(manager, sales, customer)
    client.force_login(manager)
    body = client.get(PAGE).content.decode()
    assert "Tiers and scoring" in body and "金牌" in body and "Save tiers" in body and "Start a scoring run" in body
    assert "rfm_score_total" in body  # the field reference
    client.force_login(analyst)
    body = client.get(PAGE).content.decode()
    assert "金牌" in body and "Save tiers" not in body and "Start a scoring run" not in body


def test_distribution_counts_per_tier(client, manager, sales, customer):
    from tests.conftest import make_person

    make_person(sales, "王五", contact_points=[])
    run, _tiers = scored(manager, sales, customer)
    client.force_login(manager)
    response = client.get(PAGE)
    rows = {row["name"]: row["count"] for row in response.context["distribution"]}
    assert rows == {"银牌": 1, "普通": 1}
    assert response.context["runs"][0] == run


@pytest.mark.parametrize("persona", ["sales", "service_agent"])
def test_other_roles_are_refused(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("web:scoring-status")).status_code == 403
    assert client.post(reverse("web:tiers-define"), {"rules": json.dumps([ORDINARY])}).status_code == 403
    assert client.post(reverse("web:scoring-start"), {}).status_code == 403
    assert not Tier.objects.exists() and not ScoringJob.objects.exists()


def test_analyst_cannot_change_anything(client, analyst):
    client.force_login(analyst)
    assert client.post(reverse("web:tiers-define"), {"rules": json.dumps([ORDINARY])}).status_code == 403
    assert client.post(reverse("web:scoring-start"), {}).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(PAGE)["Location"].startswith("/login/")


def test_define_tiers(client, manager):
    client.force_login(manager)
    response = client.post(reverse("web:tiers-define"), {"rules": json.dumps([GOLD, SILVER, ORDINARY])})
    assert response.status_code == 302
    assert [t.name for t in Tier.objects.filter(active=True).order_by("position")] == ["金牌", "银牌", "普通"]
    # {"tiers": [...]} as the API takes it is accepted too
    response = client.post(reverse("web:tiers-define"), {"rules": json.dumps({"tiers": [SILVER, ORDINARY]})})
    assert response.status_code == 302
    assert [t.name for t in Tier.objects.filter(active=True).order_by("position")] == ["银牌", "普通"]


@pytest.mark.parametrize(("rules", "where", "message"), [
    ("[{", None, "This is not valid JSON (line 1, column 3)."),
    ("[]", "Tier list", "Define at least one tier."),
    (json.dumps([{"name": "A", "conditions": [{"field": "clv", "op": "~", "value": 1}]}]),
     "Tier 1 (A), condition 1: operator", "Operator “~” does not apply to clv"),
    (json.dumps([ORDINARY, GOLD]), "Tier 2 (金牌)", "can never match"),
    (json.dumps([{"name": "", "conditions": []}]), "Tier 1: name", "A tier needs a name."),
])
def test_rule_errors_are_shown_where_they_are(client, manager, rules, where, message):
    client.force_login(manager)
    response = client.post(reverse("web:tiers-define"), {"rules": rules})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    if where:
        assert any(row["where"] == where for row in response.context["rule_errors"]), response.context["rule_errors"]
    assert not Tier.objects.exists()


def test_rule_errors_in_chinese(client, manager, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(manager)
    rules = json.dumps([{"name": "A", "conditions": [{"field": "nope", "op": ">=", "value": 1}]}])
    response = client.post(reverse("web:tiers-define"), {"rules": rules})
    rows = response.context["rule_errors"]
    assert rows[0]["where"] == "第 1 档（A），条件 1：字段"
    assert "未知字段" in rows[0]["messages"][0]
    assert "分档未保存" in response.content.decode()


def test_start_a_scoring_run_and_watch_it(client, manager, sales, customer):
    from tests.insights_fixtures import buy

    buy(sales, customer, "SO-1", days=5, amount="100.00")
    client.force_login(manager)
    response = client.post(reverse("web:scoring-start"), {"as_of": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    job = ScoringJob.objects.get()
    assert job.status == "done" and job.run == ScoringRun.objects.get() and job.requested_by == manager
    assert "Done" in response.content.decode()
    # The page was watching this job: now finished, the poll asks for a reload.
    status = client.get(reverse("web:scoring-status"), {"watching": job.pk}, HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true"


def test_a_running_job_is_polled_and_blocks_another(client, manager):
    job = ScoringJob.objects.create(as_of="2025-01-01", requested_by=manager, status="running", stage="model")
    client.force_login(manager)
    body = client.get(PAGE).content.decode()
    assert 'hx-trigger="every 2s"' in body and "fitting the models" in body
    status = client.get(reverse("web:scoring-status"), {"watching": job.pk}, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in status and 'hx-trigger="every 2s"' in status.content.decode()
    response = client.post(reverse("web:scoring-start"), {"as_of": "2025-02-01"})
    assert response.status_code == 200 and "already in progress" in response.content.decode()
    assert ScoringJob.objects.count() == 1


@pytest.mark.parametrize(("as_of", "message"), [
    ("2999-01-01", "Scores cannot be computed for a date in the future."),
    ("1969-12-31", "A date from 1970-01-01 on."),
    ("yesterday", "Enter a valid date."),
])
def test_bad_as_of_dates(client, manager, as_of, message):
    client.force_login(manager)
    response = client.post(reverse("web:scoring-start"), {"as_of": as_of})
    assert response.status_code == 200 and message in response.content.decode()
    assert not ScoringJob.objects.exists()
