"""Chinese personal names drawn from realistic distributions.

Surnames follow their real frequencies (the table Faker ships, from the national census),
so 王/李/张 make up about a fifth of people, as in life. Given names are mostly two
characters built from a gendered pool weighted by popularity (Zipf-like), with some
single-character and classic names; full-name collisions therefore happen about as often
as in a real customer base (张伟, 王芳, … recur), which is what search has to cope with.
"""

from __future__ import annotations

import itertools
import random

from faker.providers.person.zh_CN import Provider as _FakerNames

_MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林欢阳建国峰亮成志文东海晨博振晓天子家嘉"
    "思泽睿轩昊航然皓哲锐铭毅达兴江永新春德荣福生云山金元庆立松洪清光彬涵翔瑞豪诚逸远楠鸿承安正義"
)
_FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞燕玲丹萍红梅琳雪慧莉婷颖洁琴云倩蓉欣悦佳怡雨晶璐瑶薇月秀英兰桂玉凤华美晓思诗梦"
    "雅涵萱可心馨蕾菲琪妍婧宁露岚青彤楠欢晴婉琼瑾茜岚淑珍芬素娥翠冰舒嘉"
)


def _zipf(chars: str) -> tuple[list[str], list[float]]:
    unique = list(dict.fromkeys(chars))
    return unique, list(itertools.accumulate(1.0 / (rank + 4) for rank in range(len(unique))))


_SURNAMES = list(_FakerNames.last_names.keys())
_SURNAME_WEIGHTS = list(itertools.accumulate(_FakerNames.last_names.values()))
_GIVEN = {"male": _zipf(_MALE_CHARS), "female": _zipf(_FEMALE_CHARS)}
# Faker's list holds the classic popular names (伟, 秀英, 桂兰, …): used as whole given names.
_CLASSIC = {"male": list(_FakerNames.first_names_male), "female": list(_FakerNames.first_names_female)}


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str) -> str:
    pool = "female" if gender == "female" else "male"
    roll = rng.random()
    if roll < 0.18:
        return rng.choice(_CLASSIC[pool])
    chars, weights = _GIVEN[pool]
    if roll < 0.28:
        return rng.choices(chars, cum_weights=weights)[0]
    first, second = rng.choices(chars, cum_weights=weights, k=2)
    return first + second


def person_name(rng: random.Random, gender: str) -> str:
    return surname(rng) + given_name(rng, gender)

