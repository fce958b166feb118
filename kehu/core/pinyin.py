"""Pinyin for Chinese names, with surname readings fixed.

pypinyin reads some characters by their common reading, which is wrong when the
character is a surname (单 shan, 曾 zeng, 解 xie, 仇 qiu, …). The first character of a
person's name is looked up here first.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "朴": "piao",
    "繁": "po",
    "尉": "yu",
    "乐": "yue",
    "种": "chong",
    "覃": "qin",
    "员": "yun",
    "召": "shao",
    "缪": "miao",
    "任": "ren",
    "沈": "shen",
    "重": "chong",
    "翟": "zhai",
    "秘": "bi",
    "车": "che",
    "过": "guo",
    "燕": "yan",
    "冼": "xian",
    "吕": "lv",
}

COMPOUND_SURNAME_READINGS: dict[str, list[str]] = {
    "万俟": ["mo", "qi"],
    "尉迟": ["yu", "chi"],
    "长孙": ["zhang", "sun"],
    "单于": ["chan", "yu"],
    "令狐": ["ling", "hu"],
}


def is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def has_cjk(text: str) -> bool:
    return any(is_cjk(ch) for ch in text)


def name_syllables(name: str, *, person: bool = True) -> list[str]:
    """Pinyin syllables of a name, surname reading fixed for people."""
    name = "".join(ch for ch in name if is_cjk(ch))
    if not name:
        return []
    if person:
        for compound, reading in COMPOUND_SURNAME_READINGS.items():
            if name.startswith(compound):
                return reading + lazy_pinyin(name[len(compound) :], style=Style.NORMAL)
        first = name[0]
        if first in SURNAME_READINGS:
            return [SURNAME_READINGS[first]] + lazy_pinyin(name[1:], style=Style.NORMAL)
    return lazy_pinyin(name, style=Style.NORMAL)


def full_pinyin(name: str, *, person: bool = True) -> str:
    return "".join(name_syllables(name, person=person))


def initials(name: str, *, person: bool = True) -> str:
    return "".join(s[0] for s in name_syllables(name, person=person) if s)
