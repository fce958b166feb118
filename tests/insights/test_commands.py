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
