"""Encryption of sensitive values at rest, and keyed hashes for exact-match lookups.

Keys live outside the database: in KEHU_ENCRYPTION_KEYS ("1:<base64 32 bytes>,2:…") or,
by default, in `keys.json` in the data directory (created once, mode 0600). Every
ciphertext names the key that made it (`enc1:<key id>:<base64 nonce+ciphertext>`), so
keys can be rotated: new writes use the newest key, old values stay readable until
`kehu rotate-keys` re-encrypts them. AES-256-GCM authenticates each value and binds it
to its column (associated data), so a ciphertext copied into another column fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1:"


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]

    @property
    def current_id(self) -> int:
        return max(self.keys)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        key_id = self.current_id
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[key_id]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            _prefix, key_id, payload = token.split(":", 2)
            raw = base64.b64decode(payload)
            key = self.keys[int(key_id)]
            return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except KeyError:
            raise DecryptionError(f"key {key_id} is not in the keyring") from None
        except (ValueError, InvalidTag) as error:
            raise DecryptionError("the value is damaged or belongs to another column") from error

    def blind_index(self, value: str, *, purpose: str) -> str:
        """A keyed hash for exact-match lookups; derived from the first key so it never rotates away."""
        index_key = hmac.new(self.keys[min(self.keys)], b"kehu blind index", hashlib.sha256).digest()
        return hmac.new(index_key, f"{purpose}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:40]


def _parse_env(raw: str) -> dict[int, bytes]:
    keys = {}
    for item in raw.split(","):
        key_id, sep, encoded = item.strip().partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
            number = int(key_id)
        except ValueError:
            key, number = b"", 0
        if not sep or len(key) != 32 or number < 1:
            raise ImproperlyConfigured(
                "KEHU_ENCRYPTION_KEYS must be a comma-separated list of <id>:<base64 of 32 bytes>, ids from 1."
            )
        keys[number] = key
    return keys


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "keys.json"


def _load_file(path: Path) -> dict[int, bytes]:
    if not path.exists():
        write_key_file(path, {1: secrets.token_bytes(32)})
    data = json.loads(path.read_text())
    return {int(k): base64.b64decode(v) for k, v in data.items()}


def write_key_file(path: Path, keys: dict[int, bytes]) -> None:
    text = json.dumps({str(k): base64.b64encode(v).decode() for k, v in sorted(keys.items())})
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    temporary.replace(path)


@cache
def keyring() -> Keyring:
    raw = os.environ.get("KEHU_ENCRYPTION_KEYS", "").strip()
    return Keyring(_parse_env(raw) if raw else _load_file(key_file()))


def reset_keyring_cache() -> None:
    keyring.cache_clear()
