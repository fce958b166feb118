"""Phone numbers and e-mail addresses that pass kehu's own validation."""

from __future__ import annotations

import random

from kehu.core.pinyin import full_pinyin, initials

# Mobile prefixes in use (China Mobile, Unicom, Telecom); every 8-digit tail is valid.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)
# Area code → number of subscriber digits: fixed lines of big cities.
AREA_CODES = {"10": 8, "21": 8, "20": 8, "755": 8, "571": 8, "28": 8, "27": 8, "25": 8, "512": 8, "23": 8}
FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com")


def mobile(rng: random.Random) -> str:
    """A mobile number in E.164, the form kehu stores."""
    return f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    area = rng.choice(list(AREA_CODES))
    first = rng.choice("2345678")  # subscriber numbers do not start with 0 or 1
    return f"+86{area}{first}{rng.randrange(10 ** (AREA_CODES[area] - 1)):0{AREA_CODES[area] - 1}d}"


def personal_email(rng: random.Random, name: str, *, mobile_number: str = "") -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"{rng.randrange(10**5, 10**10)}@qq.com"  # QQ-number addresses are everywhere
    if roll < 0.4 and mobile_number:
        return f"{mobile_number[-11:]}@{rng.choice(('163.com', '139.com'))}"
    local = full_pinyin(name) if roll < 0.7 else initials(name)
    if rng.random() < 0.6:
        local += str(rng.choice((rng.randrange(1960, 2006), rng.randrange(1, 1000))))
    return f"{local}@{rng.choice(FREE_MAIL)}"


def work_email(rng: random.Random, name: str, domain: str) -> str:
    return f"{full_pinyin(name) if rng.random() < 0.5 else initials(name)}@{domain}"
