"""Settings come from KEHU_* variables; a bad value stops start-up with a clear message."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kehu import env


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)])
def test_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("KEHU_X", raw)
    assert env.env_bool("KEHU_X", not expected) is expected


def test_bad_bool_names_the_variable(monkeypatch):
    monkeypatch.setenv("KEHU_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="KEHU_DEBUG='maybe'"):
        env.env_bool("KEHU_DEBUG", False)


def test_int_and_minimum(monkeypatch):
    monkeypatch.setenv("KEHU_N", "12")
    assert env.env_int("KEHU_N", 1) == 12
    monkeypatch.setenv("KEHU_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.env_int("KEHU_N", 1)
    monkeypatch.setenv("KEHU_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("KEHU_N", 1, minimum=1)


def test_list(monkeypatch):
    monkeypatch.setenv("KEHU_HOSTS", " a.example , b.example,, ")
    assert env.env_list("KEHU_HOSTS", []) == ["a.example", "b.example"]


def test_secret_key_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("KEHU_SECRET_KEY", raising=False)
    first = env.secret_key(tmp_path)
    assert first == env.secret_key(tmp_path) and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_short_secret_key_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("KEHU_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        env.secret_key(tmp_path)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("KEHU_DEBUG", "perhaps", "KEHU_DEBUG"),
    ("KEHU_DATABASE_URL", "mysql://root@localhost/kehu", "postgres://"),
    ("KEHU_LANGUAGE", "fr", "KEHU_LANGUAGE"),
    ("KEHU_SESSION_HOURS", "-3", "KEHU_SESSION_HOURS"),
])
def test_kehu_command_refuses_bad_configuration(tmp_path, name, value, message):
    environment = {**os.environ, "KEHU_DATA_DIR": str(tmp_path), name: value}
    result = subprocess.run(
        [sys.executable, "-m", "kehu", "check"], env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    environment = {**os.environ, "KEHU_DATA_DIR": str(tmp_path), "KEHU_HTTPS": "1", "KEHU_HSTS_SUBDOMAINS": "1",
                   "KEHU_HSTS_PRELOAD": "1", "KEHU_SECRET_KEY": "x" * 20 + "production-secret-key-0123456789"}
    environment.pop("KEHU_DEBUG", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run([sys.executable, "-m", "kehu", "check", "--deploy", "--fail-level", "WARNING"],
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_sqlite_url_keeps_kehus_sqlite_settings(tmp_path):
    environment = {**os.environ, "KEHU_DATA_DIR": str(tmp_path), "KEHU_DATABASE_URL": f"sqlite:///{tmp_path}/other.sqlite3"}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = "from django.db import connection; connection.ensure_connection(); " \
           "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0], connection.settings_dict['NAME'])"
    result = subprocess.run([sys.executable, "-m", "kehu", "shell", "-c", code], env=environment,  # noqa: S603
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"wal {tmp_path}/other.sqlite3" in result.stdout


def test_cache_defaults_to_local_memory(monkeypatch):
    monkeypatch.delenv("KEHU_CACHE_URL", raising=False)
    assert env.cache_config()["BACKEND"].endswith("LocMemCache")


def test_cache_url_names_a_redis_server(monkeypatch):
    monkeypatch.setenv("KEHU_CACHE_URL", "redis://127.0.0.1:6379/3")
    config = env.cache_config()
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize("raw", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "locmem"])
def test_unknown_cache_url_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("KEHU_CACHE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="KEHU_CACHE_URL="):
        env.cache_config()
