"""The fixed-window counter behind every rate limit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kehu.core import ratelimit


def test_allows_the_limit_then_refuses_until_the_window_ends(settings, monkeypatch):
    settings.KEHU_SEARCH_RATE_PER_MINUTE = 3
    monkeypatch.setattr(ratelimit.time, "time", lambda: 6000.0 + 15)  # 15 s into a minute
    for _ in range(3):
        ratelimit.hit(ratelimit.SEARCH, "user:1")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit(ratelimit.SEARCH, "user:1")
    assert refused.value.retry_after == 45 and refused.value.limit is ratelimit.SEARCH
    ratelimit.hit(ratelimit.SEARCH, "user:2")  # someone else has their own budget
    ratelimit.hit(ratelimit.EXPORT, "user:1")  # and each limit its own counter
    monkeypatch.setattr(ratelimit.time, "time", lambda: 6060.0)  # the next minute
    ratelimit.hit(ratelimit.SEARCH, "user:1")


def test_zero_turns_a_limit_off(settings):
    settings.KEHU_EXPORT_RATE_PER_HOUR = 0
    for _ in range(100):
        ratelimit.hit(ratelimit.EXPORT, "user:1")


def test_the_message_says_how_long_to_wait(settings):
    settings.LANGUAGE_CODE = "en"
    assert "Wait 45 seconds" in ratelimit.message(ratelimit.RateLimited(ratelimit.SEARCH, 45))
    assert "Wait 1 second," in ratelimit.message(ratelimit.RateLimited(ratelimit.SEARCH, 1))
    export = ratelimit.message(ratelimit.RateLimited(ratelimit.EXPORT, 1800))
    assert "downloaded customer data" in export and "30 minutes" in export


@pytest.mark.parametrize("value", ["lots", "-1"])
def test_a_bad_limit_setting_stops_start_up(tmp_path, value):
    environment = {**os.environ, "KEHU_DATA_DIR": str(tmp_path), "KEHU_EXPORT_RATE_PER_HOUR": value}
    result = subprocess.run([sys.executable, "-m", "kehu", "check"], env=environment,  # noqa: S603
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "KEHU_EXPORT_RATE_PER_HOUR" in result.stderr


@pytest.mark.skipif(not os.environ.get("KEHU_TEST_REDIS_URL"), reason="set KEHU_TEST_REDIS_URL=redis://… to test a shared cache")
def test_a_shared_cache_holds_the_limit_across_server_processes(settings, monkeypatch):
    """Two cache clients stand for two `kehu serve` processes: together they allow the limit once."""
    from django.core.cache.backends.redis import RedisCache

    location = os.environ["KEHU_TEST_REDIS_URL"]
    prefix = f"kehu-test-{os.getpid()}"
    first, second = (RedisCache(location, {"KEY_PREFIX": prefix}) for _ in range(2))
    settings.KEHU_SEARCH_RATE_PER_MINUTE = 4
    monkeypatch.setattr(ratelimit.time, "time", lambda: 6000.0)
    try:
        for process in (first, second, first, second):
            monkeypatch.setattr(ratelimit, "cache", process)
            ratelimit.hit(ratelimit.SEARCH, "user:7")
        for process in (first, second):
            monkeypatch.setattr(ratelimit, "cache", process)
            with pytest.raises(ratelimit.RateLimited):
                ratelimit.hit(ratelimit.SEARCH, "user:7")
    finally:
        first.delete(f"kehu:rate:search:user:7:{int(6000 // 60)}")
