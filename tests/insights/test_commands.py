"""kehu score and kehu clv, and the background-task entry point."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kehu.insights.models import CustomerScore, ScoringRun
from kehu.insights.tasks import score_all
from tests.insights.conftest import AS_OF

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_score_then_clv(base):
    out = run("score", "--as-of", AS_OF.isoformat(), "--window-days", "0")
    assert "Scored 6 customers (5 with purchases) as of 2025-06-30" in out
    assert ScoringRun.objects.get().parameters["window_days"] is None
    text = run("clv", "--as-of", AS_OF.isoformat())
    assert text.startswith("As of 2025-06-30: 6 customers, 5 with purchases")
    data = json.loads(run("clv", "--as-of", AS_OF.isoformat(), "--json"))
    assert data["as_of"] == "2025-06-30" and {"bgnbd", "gamma_gamma", "holdout"} <= set(data)


def test_clv_can_fit_without_storing(base):
    data = json.loads(run("clv", "--as-of", AS_OF.isoformat(), "--fit", "--json"))
    assert data["buyers"] == 5
    assert not ScoringRun.objects.exists()


def test_bad_arguments_are_command_errors(base):
    with pytest.raises(CommandError, match="as_of"):
        run("score", "--as-of", "2999-01-01")
    with pytest.raises(CommandError, match="use a date"):
        run("score", "--as-of", "yesterday")
    with pytest.raises(CommandError, match="No scoring run"):
        run("clv", "--as-of", AS_OF.isoformat())


def test_task_is_idempotent(base):
    first = score_all(as_of=AS_OF.isoformat())
    assert score_all(as_of=AS_OF.isoformat()) == first
    assert CustomerScore.objects.count() == 6


def test_tiers_define_from_a_file_then_list(manager, tmp_path):
    from kehu.insights.models import Tier
    from tests.insights_fixtures import GOLD, ORDINARY, SILVER

    path = tmp_path / "tiers.json"
    path.write_text(json.dumps([GOLD, SILVER, ORDINARY], ensure_ascii=False), encoding="utf-8")
    listed = run("tiers", "define", str(path), "--user", manager.username)
    assert listed.splitlines() == ["1\t金牌: total_spend >= 1000", "2\t银牌: total_spend >= 300", "3\t普通: *"]
    again = json.loads(run("tiers", "list", "--json"))
    assert [t["name"] for t in again] == ["金牌", "银牌", "普通"] and again[0]["conditions"] == GOLD["conditions"]
    assert Tier.objects.filter(active=True).count() == 3


def test_tiers_define_refuses_bad_input_and_changes_nothing(manager, sales, tmp_path):
    from kehu.insights.models import Tier

    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "金牌", "conditions": [{"field": "shoe_size", "op": ">=", "value": 1}]}]', encoding="utf-8")
    with pytest.raises(CommandError, match="shoe_size"):
        run("tiers", "define", str(bad), "--user", manager.username)
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="is not JSON text"):
        run("tiers", "define", str(tmp_path / "broken.json"), "--user", manager.username)
    with pytest.raises(CommandError, match="No such file"):
        run("tiers", "define", str(tmp_path / "missing.json"), "--user", manager.username)
    good = tmp_path / "good.json"
    good.write_text('[{"name": "普通", "conditions": []}]', encoding="utf-8")
    with pytest.raises(CommandError, match="administrators and archive managers"):
        run("tiers", "define", str(good), "--user", sales.username)
    with pytest.raises(CommandError, match="Give the JSON file"):
        run("tiers", "define", "--user", manager.username)
    assert not Tier.objects.exists()
