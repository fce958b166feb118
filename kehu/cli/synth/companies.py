"""Company names, industries and valid unified social credit codes (统一社会信用代码)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from kehu.core.pinyin import initials
from kehu.core.uscc import check_character

CITIES = ("北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "重庆", "西安", "天津", "宁波", "厦门", "青岛")
# Region codes (行政区划代码) of a district in each city above, in the same order.
REGION_CODES = (
    "110105", "310115", "440106", "440305", "330106", "320106", "320505", "510107",
    "420111", "500103", "610113", "120116", "330212", "350203", "370212",
)
_BRAND_CHARS = "华中国新创信达通科联泰恒金宏盛隆鑫海天瑞祥安博远宇云帆明德正元嘉汇诚丰利益康美星辰智光启腾飞龙凤"
INDUSTRIES = {
    "科技": "软件和信息技术服务业", "电子": "计算机、通信和其他电子设备制造业", "贸易": "批发业",
    "机械": "通用设备制造业", "食品": "食品制造业", "建设工程": "建筑业", "物流": "交通运输、仓储和邮政业",
    "医药": "医药制造业", "传媒": "文化、体育和娱乐业", "咨询": "商务服务业", "环保": "生态保护和环境治理业",
    "餐饮管理": "餐饮业", "教育科技": "教育", "新能源": "电力、热力生产和供应业", "服饰": "纺织服装、服饰业",
}
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
POSITIONS = ("总经理", "副总经理", "销售经理", "采购经理", "财务总监", "技术总监", "人事主管", "项目经理",
             "工程师", "会计", "行政专员", "市场专员", "运营经理", "客服主管", "董事长", "设计师", "教师", "医生")
KEY_PERSON_TITLES = {
    "legal_representative": "法定代表人", "owner": "董事长", "executive": "总经理", "purchasing": "采购经理",
}


@dataclass(frozen=True)
class Company:
    name: str
    industry: str
    brand: str
    trade: str
    number: int

    @property
    def domain(self) -> str:
        # Computed on demand: pinyin is the costly part, and most companies only need a name.
        return f"{initials(self.brand, person=False)}{initials(self.trade, person=False)}{self.number}.com"


def company(rng: random.Random) -> Company:
    """A plausible company: city, two-character brand, trade, legal form."""
    index = rng.randrange(len(CITIES))
    brand = "".join(rng.sample(_BRAND_CHARS, 2))
    trade = rng.choice(list(INDUSTRIES))
    city = CITIES[index] + ("市" if rng.random() < 0.3 else "")
    name = f"{city}{brand}{trade}{rng.choice(SUFFIXES)}"
    return Company(name, INDUSTRIES[trade], brand, trade, rng.randrange(10, 100))


@cache
def _employers(size: int = 30_000) -> tuple[Company, ...]:
    rng = random.Random("employers")
    return tuple(company(rng) for _ in range(size))


def employer(rng: random.Random) -> Company:
    """A company someone works for: drawn from a fixed set, since colleagues share employers."""
    return rng.choice(_employers())


def _organization_code_check(body: str) -> str:
    """Check character of a GB 11714 organisation code (the 9 characters inside the USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(region_code: str, serial: int) -> str:
    """A valid USCC: 9 (registered by market regulation) 1 (enterprise) + region + org code + check.

    `serial` picks the organisation code; distinct serials below 10⁸ give distinct codes.
    """
    body = f"{serial * 7919 % 10**8:08d}"  # 7919 is coprime to 10⁸: a bijection that scatters serials
    first17 = f"91{region_code}{body}{_organization_code_check(body)}"
    return first17 + check_character(first17)
