"""kehu recommend CUSTOMER_NUMBER [--json], and what kehu score says about the neighbours."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.insights.affinity_fixtures import AS_OF, build

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def world(admin):
    shop = build()
    out = run("score", "--as-of", AS_OF.isoformat(), "--min-support", "2")
    assert "Co-purchase neighbours (min support 2): 2 among 4 categories, 2 among 4 products." in out
    return shop


def test_text_and_json(world):
    number = world["C4"].number
    text = run("recommend", number)
    assert "彩妆\tBought by 50% of customers who bought 护肤" in text and "彩妆B\t" in text
    data = json.loads(run("recommend", number, "--json"))
    assert data["as_of"] == "2025-06-30" and data["favourite_categories"] == ["护肤"]
    assert [c["name"] for c in data["categories"]] == ["彩妆"] and data["categories"][0]["confidence"] == 0.5
    assert data["next_purchase"]["basis"] in ("model", "too_few")


def test_the_acting_users_visibility_applies(world, outsider, sales):
    world["C4"].owner = sales
    world["C4"].save()
    with pytest.raises(CommandError, match="No customer"):
        run("recommend", world["C4"].number, "--user", outsider.username)
    with pytest.raises(CommandError, match="No customer"):
        run("recommend", "NOPE")
