"""The customer page's Insights card and the manual tier override, in both languages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kehu.insights.models import TierChange, TierOverride
from kehu.insights.services import tier_override_set
from tests.insights_fixtures import scored

pytestmark = pytest.mark.django_db


def detail(customer) -> str:
    return reverse("web:customer-detail", args=[customer.pk])


def override_url(customer) -> str:
    return reverse("web:tier-override", args=[customer.pk])


def end_url(customer) -> str:
    return reverse("web:tier-override-end", args=[customer.pk])


@pytest.fixture
def world(manager, sales, customer):
    run, tiers = scored(manager, sales, customer)
    return {"run": run, "gold": tiers[0], "silver": tiers[1], "ordinary": tiers[2]}


def card(response) -> str:
    body = response.content.decode()
    start = body.index('id="insights"')
    return body[start: body.index("</section>", start)]


def test_without_a_scoring_run_the_card_says_how_to_run_one(client, sales, manager, customer):
    client.force_login(sales)
    text = card(client.get(detail(customer)))
    assert "No scoring run yet" in text and "kehu score" in text
    assert "An administrator or archive manager can start one." in text
    client.force_login(manager)
    assert reverse("web:insights") in card(client.get(detail(customer)))


def test_card_shows_tier_rfm_clv_churn_and_history(client, sales, customer, world):
    client.force_login(sales)
    text = card(client.get(detail(customer)))
    assert f"as of {world['run'].as_of:%Y-%m-%d}" in text
    assert "银牌" in text and "total_spend &gt;= 300" in text  # the rule that gave the tier
    for label in ("Recency", "Frequency", "Monetary", "RFM segment", "Value class", "Customer lifetime value",
                  "Probability still active", "Expected purchases, next 90 days", "Churn risk", "Tier history"):
        assert label in text, label
    assert "4 orders" in text and "¥600.00" in text
    assert "Set the tier by hand" not in text  # salespeople see, managers decide


def test_card_in_chinese(client, sales, customer, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(sales)
    text = card(client.get(detail(customer)))
    assert "客户洞察" in text and "客户生命周期价值" in text and "流失风险" in text and "分档历史" in text


def test_manager_sets_and_ends_an_override(client, manager, customer, world):
    client.force_login(manager)
    expires = (timezone.localtime() + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(override_url(customer), {"tier-tier": world["gold"].pk, "tier-reason": "战略客户",
                                                    "tier-expires_at": expires})
    assert response.status_code == 302
    override = TierOverride.objects.get(customer=customer, ended_at__isnull=True)
    assert override.tier == world["gold"] and override.reason == "战略客户" and override.expires_at is not None
    text = card(client.get(detail(customer)))
    assert "金牌" in text and "战略客户" in text and "set by hand" in text and "End the override" in text
    # htmx: the card comes back alone
    response = client.post(end_url(customer), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="insights"' in response.content.decode()
    assert "Override ended" in response.content.decode()
    override.refresh_from_db()
    assert override.ended_at is not None
    assert list(TierChange.objects.filter(customer=customer).values_list("cause", flat=True).order_by("id")) == [
        "override", "override_ended"]
    text = card(client.get(detail(customer)))
    assert "银牌 → <strong>金牌</strong>" in text and "Manual override" in text  # the tier history


ERRORS = {
    "en": {"reason": "Say why this customer's tier is set by hand.",
           "expires_at": "The override must end in the future.",
           "tier": "Choose one of the active tiers."},
    "zh-hans": {"reason": "请说明为什么手动指定该客户的分档。",
                "expires_at": "手动指定的结束时间必须在未来。",
                "tier": "请选择一个启用中的分档。"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_override_validation_errors_are_clear_and_change_nothing(client, manager, customer, world, settings, language):
    settings.LANGUAGE_CODE = language
    client.force_login(manager)
    past = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    cases = [
        ({"tier-tier": world["gold"].pk, "tier-reason": "   ", "tier-expires_at": ""}, "reason"),
        ({"tier-tier": world["gold"].pk, "tier-reason": "ok", "tier-expires_at": past}, "expires_at"),
        ({"tier-tier": 987654, "tier-reason": "ok", "tier-expires_at": future}, "tier"),
        ({"tier-tier": "gold", "tier-reason": "ok"}, "tier"),
    ]
    changes = TierChange.objects.count()
    for data, field in cases:
        response = client.post(override_url(customer), data)
        assert response.status_code == 200
        form = response.context["override_form"]
        assert form.errors[field] == [ERRORS[language][field]], (data, form.errors)
        assert escape(ERRORS[language][field]) in response.content.decode()
    # every problem at once
    response = client.post(override_url(customer), {"tier-tier": "", "tier-reason": "", "tier-expires_at": past})
    assert set(response.context["override_form"].errors) == {"tier", "reason", "expires_at"}
    assert not TierOverride.objects.exists()
    assert TierChange.objects.count() == changes


def test_retired_tier_is_refused(client, manager, customer, world):
    from kehu.insights.services import tiers_define

    tiers_define(actor=manager, tiers=[{"name": "普通", "conditions": []}])  # gold retired
    client.force_login(manager)
    response = client.post(override_url(customer), {"tier-tier": world["gold"].pk, "tier-reason": "x"})
    assert response.context["override_form"].errors["tier"] == ["Choose one of the active tiers."]
    assert not TierOverride.objects.exists()


@pytest.mark.parametrize("persona", ["sales", "teammate", "analyst"])
def test_only_managers_may_override(client, customer, world, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(override_url(customer), {"tier-tier": world["gold"].pk, "tier-reason": "x"})
    assert response.status_code == 403
    assert client.post(end_url(customer)).status_code == 403
    assert not TierOverride.objects.exists()


def test_other_team_gets_404_and_anonymous_the_sign_in(client, outsider, manager, customer, world):
    tier_override_set(actor=manager, customer=customer, tier=world["gold"], reason="x")
    client.force_login(outsider)
    for url in (override_url(customer), end_url(customer)):
        assert client.post(url, {"tier-tier": world["gold"].pk, "tier-reason": "x"}).status_code == 404
    client.logout()
    assert client.post(override_url(customer))["Location"].startswith("/login/")
    assert TierOverride.objects.get().ended_at is None


def test_ending_when_there_is_no_override_says_so(client, manager, customer, world):
    client.force_login(manager)
    response = client.post(end_url(customer), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "This customer has no tier override." in response.content.decode()
