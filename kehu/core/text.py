"""Text normalisation shared by storage and search, so both sides agree."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\u3000·•.,，。、'\"()（）\-_/]+")


def fold(text: str) -> str:
    """NFKC (full-width → half-width), lower case, collapsed white space."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def compact(text: str) -> str:
    """`fold` with separators removed: the form search keys are built from."""
    return _SEPARATORS.sub("", fold(text))


def words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(fold(text)) if w]
