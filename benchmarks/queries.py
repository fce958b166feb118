"""Search queries drawn from the customers actually in the database.

Each query type is what staff really type: a character or two of a name, a full name,
pinyin or its initials, a phone number in whatever format it was written down, its last
four digits, an e-mail address, part of a company name.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from kehu.cli.synth.companies import CITIES, SUFFIXES
from kehu.core.pinyin import full_pinyin, initials, is_cjk

_FULL_WIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def phone_formats(e164: str, which: int) -> str:
    """`+8613812345678` written one of the ways people write it."""
    national = e164.removeprefix("+86")
    a, b, c = national[:3], national[3:7], national[7:]
    forms = (
        national, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {a} {b} {c}", f"0086{national}", national.translate(_FULL_WIDTH),
    )
    return forms[which % len(forms)]


def company_core(name: str) -> str:
    """`杭州云帆科技有限公司` → `云帆科技`: what people type for a company."""
    for city in CITIES:
        if name.startswith(city):
            name = name[len(city):].removeprefix("市")
            break
    for suffix in sorted(set(SUFFIXES), key=len, reverse=True):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class Sample:
    """One sampled customer: name, kind, phones, e-mails, company."""

    def __init__(self, name: str, person: bool, phones: list[str], emails: list[str], company: str) -> None:
        self.name = name
        self.person = person
        self.phones = phones
        self.emails = emails
        self.company = company

    @property
    def cjk_name(self) -> str:
        return "".join(ch for ch in self.name if is_cjk(ch))


def _cjk1(s: Sample, rng: random.Random) -> str | None:
    return rng.choice(s.cjk_name) if s.person and s.cjk_name else None


def _cjk2(s: Sample, rng: random.Random) -> str | None:
    name = s.cjk_name
    if not s.person or len(name) < 2:
        return None
    start = rng.randrange(len(name) - 1)
    return name[start : start + 2]


def _phone(s: Sample, rng: random.Random) -> str | None:
    mobiles = [p for p in s.phones if re.fullmatch(r"\+861\d{10}", p)]
    return phone_formats(rng.choice(mobiles), rng.randrange(6)) if mobiles else None


QUERY_TYPES: dict[str, Callable[[Sample, random.Random], str | None]] = {
    "cjk_1_char": _cjk1,
    "cjk_2_chars": _cjk2,
    "full_name": lambda s, rng: s.name if s.person else None,
    "pinyin_initials": lambda s, rng: initials(s.cjk_name) if s.person and s.cjk_name else None,
    "full_pinyin": lambda s, rng: full_pinyin(s.cjk_name) if s.person and s.cjk_name else None,
    "phone_formats": _phone,
    "phone_last4": lambda s, rng: rng.choice(s.phones)[-4:] if s.phones else None,
    "email": lambda s, rng: rng.choice(s.emails) if s.emails else None,
    "company": lambda s, rng: company_core(s.company) if s.company else None,
}


def build_queries(samples: list[Sample], per_type: int, rng: random.Random) -> dict[str, list[str]]:
    queries: dict[str, list[str]] = {name: [] for name in QUERY_TYPES}
    for name, make in QUERY_TYPES.items():
        for sample in samples:
            if len(queries[name]) >= per_type:
                break
            query = make(sample, rng)
            if query:
                queries[name].append(query)
    return queries
