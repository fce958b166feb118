"""What one synthetic customer looks like, before it is written anywhere.

A `CustomerSpec` holds exactly the values a customer file is created from; the demo
passes it to the services, the bulk loader turns it into rows. Both writers starting
from one spec is what lets a test prove they produce the same search keys.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kehu.cli.synth import companies, contacts, names

TAGS = ("VIP", "老客户", "重点跟进", "价格敏感", "转介绍", "展会线索", "流失风险", "企业采购")
PERSON_SOURCES = ("point_of_sale", "website", "social", "referral", "call_centre", "service", "survey", "business_contact")
ORG_SOURCES = ("business_contact", "registry", "partner", "media", "referral", "website", "research_firm")
INCOME_BANDS = ("lt50k", "50k-150k", "50k-150k", "150k-300k", "150k-300k", "300k-1m", "gt1m")
STATUSES = ("active",) * 6 + ("prospect", "prospect", "dormant", "lost")


@dataclass
class CustomerSpec:
    kind: str
    name: str
    status: str = "active"
    source_channel: str = ""
    tags: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    contact_points: list[tuple[str, str]] = field(default_factory=list)  # (type, stored value)
    created_at: datetime.datetime | None = None

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def person(rng: random.Random, *, today: datetime.date) -> CustomerSpec:
    gender = "female" if rng.random() < 0.5 else "male"
    name = names.person_name(rng, gender)
    phone = contacts.mobile(rng)
    points: list[tuple[str, str]] = [("mobile", phone)]
    if rng.random() < 0.08:
        second = contacts.mobile(rng)
        if second != phone:
            points.append(("mobile", second))
    if rng.random() < 0.55:
        points.append(("email", contacts.personal_email(rng, name, mobile_number=phone)))
    if rng.random() < 0.25:
        points.append(("wechat", f"wx_{rng.randrange(10**6, 10**9)}"))
    profile: dict[str, Any] = {"gender": gender}
    if rng.random() < 0.85:
        profile["birthday"] = _date_between(rng, datetime.date(1950, 1, 1), datetime.date(today.year - 18, 1, 1))
    if rng.random() < 0.6:
        employer = companies.employer(rng)
        profile.update(employer=employer.name, industry=employer.industry, position=rng.choice(companies.POSITIONS))
    if rng.random() < 0.5:
        profile["annual_income_band"] = rng.choice(INCOME_BANDS)
    return CustomerSpec(
        kind="person", name=name, status=rng.choice(STATUSES), source_channel=rng.choice(PERSON_SOURCES),
        tags=rng.sample(TAGS, 1) if rng.random() < 0.3 else [], profile=profile, contact_points=points,
    )


def organization(rng: random.Random, *, serial: int, today: datetime.date) -> CustomerSpec:
    firm = companies.company(rng)
    name, industry, domain = firm.name, firm.industry, firm.domain
    region = companies.REGION_CODES[companies.CITIES.index(name[:2])]
    profile: dict[str, Any] = {
        "legal_name": name,
        "credit_code": companies.credit_code(region, serial),
        "industry": industry,
        "staff_size": rng.choice(("1-9", "10-49", "10-49", "50-199", "50-199", "200-999", "1000+")),
        "organization_form": rng.choice(("limited", "limited", "limited", "joint_stock", "state_owned", "foreign")),
        "founded_on": _date_between(rng, datetime.date(1985, 1, 1), today - datetime.timedelta(days=365)),
        "registered_capital": Decimal(rng.choice((50, 100, 200, 500, 1000, 5000, 10000))),
        "payment_terms_days": rng.choice((0, 15, 30, 30, 45, 60, 90)),
        "credit_rating": rng.choice(("AAA", "AA", "A", "A", "BBB", "BBB", "BB", "B")),
        "credit_limit": Decimal(rng.choice((50_000, 100_000, 200_000, 500_000, 1_000_000, 3_000_000))),
        "website": f"https://www.{domain}",
    }
    phone = contacts.landline(rng)
    profile["phone"] = phone
    points = [("phone", phone), ("email", f"{rng.choice(('info', 'sales', 'service', 'hr'))}@{domain}")]
    return CustomerSpec(
        kind="organization", name=name, status=rng.choice(STATUSES), source_channel=rng.choice(ORG_SOURCES),
        tags=rng.sample(TAGS, 1) if rng.random() < 0.4 else [], profile=profile, contact_points=points,
    )
