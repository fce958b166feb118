"""The Insights dashboard page: charts with their figures, per viewer, both languages, bad input."""

from __future__ import annotations

import pytest

from tests.dashboard_fixtures import build

pytestmark = pytest.mark.django_db
PAGE = "/insights/dashboard/"


@pytest.fixture
def archive(sales, outsider):
    return build(sales=sales, outsider=outsider)


def test_manager_sees_charts_and_their_figures(client, archive, manager):
    client.force_login(manager)
    response = client.get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["dashboard"].customers == 5
    assert body.count("<svg class=\"chart") == 7 and body.count('class="chartdata"') == 7
    assert "<title>金牌: 2 · 40.0%</title>" in body  # each bar says its figure
    assert "<title>R 5 · F 5: 1</title>" in body
    assert "<title>¥100k–300k: 1</title>" in body
    assert "客户丙" in body and "No purchase for 200 days" in body  # at risk, with the reason
    assert f'href="{PAGE}"' in body  # in the main navigation


def test_salesperson_sees_only_their_share(client, archive, sales):
    client.force_login(sales)
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["dashboard"].customers == 4
    assert "客户丙" not in body and "客户乙" in body
    assert "<title>金牌: 1 · 25.0%</title>" in body


def test_anonymous_is_sent_to_sign_in(client, archive):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_in_chinese(client, archive, manager, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(manager)
    body = client.get(PAGE).content.decode()
    for words in ("洞察看板", "客户生命周期价值", "流失风险", "分档变动", "RFM 分群", "各分群收入", "冠军客户"):
        assert words in body, words
    assert "已 200 天未购买，是其通常购买间隔（50.0 天）的 4.0 倍。" in body  # the reason, in Chinese
    assert "Customers per tier" not in body


def test_an_earlier_run_can_be_chosen(client, archive, manager):
    client.force_login(manager)
    response = client.get(PAGE, {"as_of": "2025-03-31"})
    assert response.status_code == 200 and response.context["dashboard"].customers == 1
    assert "This is the first scoring run" in response.content.decode()


@pytest.mark.parametrize(("value", "status", "message"), [
    ("2025-02-30", 400, "“2025-02-30” is not a date: use the form 2025-06-30."),
    ("<script>", 400, "“&lt;script&gt;” is not a date"),
    ("2025-07-31", 404, "There is no completed scoring run as of 2025-07-31."),
])
def test_bad_dates_are_explained(client, archive, manager, value, status, message):
    client.force_login(manager)
    response = client.get(PAGE, {"as_of": value})
    assert response.status_code == status
    assert message in response.content.decode()


def test_bad_date_in_chinese(client, archive, manager, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(manager)
    response = client.get(PAGE, {"as_of": "2025-07-31"})
    assert response.status_code == 404 and "没有已完成的评分" in response.content.decode()


def test_empty_state_says_how_to_start(client, manager, sales):
    client.force_login(manager)
    body = client.get(PAGE).content.decode()
    assert "No scoring run yet" in body and "kehu score" in body and 'href="/insights/#runs"' in body
    client.force_login(sales)
    body = client.get(PAGE).content.decode()
    assert "An administrator or archive manager can start one." in body and "/insights/#runs" not in body


def test_the_scoring_page_links_here(client, manager):
    client.force_login(manager)
    assert f'href="{PAGE}"' in client.get("/insights/").content.decode()
