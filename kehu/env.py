"""Strict parsing of KEHU_* environment variables.

A bad value stops start-up with a message naming the variable, rather than
silently falling back to a default the operator did not ask for.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def cache_config(name: str = "KEHU_CACHE_URL") -> dict:
    """Django's default cache: local memory, or a Redis server shared by several processes.

    The cache holds the rate-limit counters: with local memory each `kehu serve` process
    counts for itself, so a deployment running several needs `redis://host:6379/0`.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kehu"}
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a cache URL kehu understands; use redis://host:6379/0, rediss://… or unix://…"
        )
    try:
        import redis  # noqa: F401  (Django's Redis backend needs the client)
    except ImportError:
        raise ImproperlyConfigured(f"{name} names a Redis server but the client is missing: pip install 'kehu[redis]'.") from None
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw, "KEY_PREFIX": "kehu"}


def data_dir() -> Path:
    """Where the embedded database, secret key and uploads live."""
    raw = os.environ.get("KEHU_DATA_DIR")
    if raw:
        path = Path(raw).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "kehu"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ImproperlyConfigured(f"KEHU_DATA_DIR={str(path)!r} cannot be created: {error}") from None
    return path


def secret_key(directory: Path) -> str:
    """KEHU_SECRET_KEY, or a key generated once and kept in the data directory."""
    configured = os.environ.get("KEHU_SECRET_KEY")
    if configured is not None:
        if len(configured) < 32:
            raise ImproperlyConfigured("KEHU_SECRET_KEY must be at least 32 characters long.")
        return configured
    key_file = directory / "secret_key"
    if not key_file.exists():
        key = secrets.token_urlsafe(50)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    return key_file.read_text().strip()
