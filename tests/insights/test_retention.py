"""Retention of scoring snapshots: recent runs whole, then month-ends, the newest always."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kehu.audit.models import AuditEvent
from kehu.customers.models import Customer
from kehu.insights.models import CustomerScore, ItemAffinity, ScoringRun, TierChange
from kehu.insights.retention import prune_snapshots, runs_past_retention

pytestmark = pytest.mark.django_db

NEWEST = datetime.date(2026, 6, 15)
# 2026-06-15 back to 2026-03-17 is within 90 days; before that only each month's last run stays
# (March's is 03-20, a recent one, so 03-10 goes)
DATES = ["2026-06-15", "2026-05-01", "2026-03-20", "2026-03-10", "2026-02-28", "2026-02-14", "2026-01-31",
         "2024-05-31", "2024-06-30"]


@pytest.fixture
def runs():
    customer = Customer.objects.create(kind="person", number="R001", name="留存客户")
    made = {}
    for text in DATES:
        day = datetime.date.fromisoformat(text)
        run = ScoringRun.objects.create(as_of=day, status="done", finished_at=timezone.now())
        CustomerScore.objects.create(customer=customer, as_of=day, run=run)
        ItemAffinity.objects.create(as_of=day, kind="category", item="茶叶", other="茶具", rank=1, both=5,
                                    item_buyers=9, other_buyers=7, confidence=0.5, lift=2.0, cosine=0.6)
        made[text] = run
    ScoringRun.objects.create(as_of=datetime.date(2026, 1, 5), status="failed")
    ScoringRun.objects.create(as_of=datetime.date(2026, 6, 1), status="failed")  # recent: kept to be seen
    TierChange.objects.create(customer=customer, changed_at=timezone.now(), as_of=datetime.date(2026, 2, 14),
                              from_name="银牌", to_name="金牌", cause="scoring")
    return made


def remaining() -> list[str]:
    return sorted(str(day) for day in ScoringRun.objects.values_list("as_of", flat=True))


def test_recent_runs_whole_older_ones_as_month_ends(runs, settings):
    settings.KEHU_SCORES_KEEP_DAYS, settings.KEHU_SCORES_KEEP_MONTHS = 90, 24
    gone = [run.as_of.isoformat() for run in runs_past_retention()]
    # 03-10 and 02-14 are not their month's last run; 2024-05-31 is more than 24 months back
    assert gone == ["2024-05-31", "2026-01-05", "2026-02-14", "2026-03-10"]
    result = prune_snapshots()
    assert [d.isoformat() for d in result.runs] == gone and result.snapshots == 3 and not result.dry_run
    assert remaining() == ["2024-06-30", "2026-01-31", "2026-02-28", "2026-03-20", "2026-05-01", "2026-06-01",
                           "2026-06-15"]
    assert sorted(str(d) for d in CustomerScore.objects.values_list("as_of", flat=True)) == [
        "2024-06-30", "2026-01-31", "2026-02-28", "2026-03-20", "2026-05-01", "2026-06-15"]
    assert ItemAffinity.objects.filter(as_of=datetime.date(2026, 2, 14)).count() == 0
    assert TierChange.objects.filter(as_of=datetime.date(2026, 2, 14)).count() == 1  # the history stays
    event = AuditEvent.objects.get(action="insights.prune")
    assert event.changes["snapshots"] == 3 and "2026-03-10" in event.changes["runs"]
    assert prune_snapshots().runs == []  # nothing more to do


def test_dry_run_changes_nothing_and_months_zero_keeps_month_ends_for_ever(runs, settings):
    settings.KEHU_SCORES_KEEP_DAYS, settings.KEHU_SCORES_KEEP_MONTHS = 90, 0
    before = remaining()
    result = prune_snapshots(dry_run=True)
    assert [d.isoformat() for d in result.runs] == ["2026-01-05", "2026-02-14", "2026-03-10"]
    assert result.snapshots == 2 and remaining() == before and not AuditEvent.objects.filter(action="insights.prune")


def test_the_newest_run_always_stays(runs, settings):
    settings.KEHU_SCORES_KEEP_DAYS, settings.KEHU_SCORES_KEEP_MONTHS = 1, 1
    prune_snapshots()
    assert remaining() == ["2026-05-01", "2026-06-15"]  # May's month-end, and June's: the newest


def test_command_and_daily(runs, settings):
    settings.KEHU_SCORES_KEEP_DAYS, settings.KEHU_SCORES_KEEP_MONTHS = 90, 24
    out = StringIO()
    call_command("prune-scores", "--dry-run", stdout=out)
    assert "Would remove 4 runs (3 snapshot rows): 2024-05-31, 2026-01-05, 2026-02-14, 2026-03-10" in out.getvalue()
    assert len(remaining()) == len(DATES) + 2
    out = StringIO()
    call_command("daily", stdout=out)
    assert "Scoring snapshots past retention: 4 runs, 3 rows removed" in out.getvalue()
    assert len(remaining()) == len(DATES) + 2 - 4


def test_scoring_page_states_the_policy(client, manager, settings):
    settings.KEHU_SCORES_KEEP_DAYS, settings.KEHU_SCORES_KEEP_MONTHS = 30, 12
    client.force_login(manager)
    page = client.get(reverse("web:insights")).content.decode()
    assert "Every run of the last 30 days is kept; older runs only as each month" in page
    assert "last run, for 12 months. Tier history is always kept." in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "最近 30 天的评分运行全部保留" in client.get(reverse("web:insights")).content.decode()
