"""Demo archive written through the services, so audit, search and completeness are right.

Persons come with family members (and their birthdays), hobbies and, for some, a lunar
birthday; organisations with credit terms and key people, who are person customers
linked by a `key_person_of` relationship with a role.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from faker import Faker
from lunardate import LunarDate

from kehu.accounts.models import User
from kehu.cli.demo_activity import add_demo_orders, score_demo
from kehu.cli.demo_staff import DemoStaff
from kehu.cli.synth import companies, names, specs
from kehu.cli.synth.specs import CustomerSpec
from kehu.customers.models import Customer
from kehu.customers.services import (
    ContactPointData,
    customer_create,
    family_member_add,
    important_date_add,
    relationship_add,
)

HOBBIES = ("书法", "摄影", "钓鱼", "羽毛球", "登山", "茶道", "围棋", "旅行", "烘焙", "瑜伽", "高尔夫", "收藏紫砂壶", "跑步", "读书", "京剧")
FOODS = ("川菜", "粤菜", "火锅", "淮扬菜", "湘菜", "日料", "西餐", "素食", "海鲜")
DEGREES = ("secondary", "vocational", "bachelor", "bachelor", "master", "doctorate")
SCHOOLS = ("浙江大学", "复旦大学", "中山大学", "武汉大学", "南京大学", "四川大学", "华南理工大学", "北京师范大学")
KEY_ROLES = ("legal_representative", "owner", "executive", "purchasing")


@dataclass
class DemoContext:
    """What the demo created; later steps (orders, interactions) receive it."""

    staff: DemoStaff
    rng: random.Random
    faker: Faker
    customers: list[Customer] = field(default_factory=list)


# Activity after the customer files exist, each step writing through its own app's services:
# orders (with payments), then one scoring run (kehu.cli.demo_activity).
ACTIVITY_STEPS: list[Callable[[DemoContext], None]] = [add_demo_orders, score_demo]


def _enrich_person(spec: CustomerSpec, rng: random.Random, faker: Faker) -> None:
    profile = spec.profile
    profile["hobbies"] = "、".join(rng.sample(HOBBIES, rng.randint(1, 3)))
    profile["favourite_food"] = rng.choice(FOODS)
    profile["native_place"] = faker.province() + faker.city_name() + "市"
    profile["highest_degree"] = rng.choice(DEGREES)
    if profile["highest_degree"] in ("bachelor", "master", "doctorate"):
        profile["school"] = rng.choice(SCHOOLS)
    profile["marital_status"] = rng.choice(("single", "married", "married", "married", "divorced"))
    if rng.random() < 0.5:
        profile["smoking"] = rng.choice(("never", "never", "occasionally", "regularly"))
    birthday = profile.get("birthday")
    if profile["marital_status"] == "married" and birthday is not None:
        wedding_year = min(birthday.year + rng.randint(22, 35), timezone.localdate().year - 1)
        profile["wedding_anniversary"] = datetime.date(wedding_year, rng.randint(1, 12), rng.randint(1, 28))


def _schooling(age: int) -> str:
    if age < 6:
        return ""
    if age < 12:
        return "primary"
    if age < 18:
        return "secondary"
    return "bachelor"


def _contact_data(spec: CustomerSpec, faker: Faker, rng: random.Random) -> list[ContactPointData]:
    points = [ContactPointData(type_, value, preferred=(i == 0)) for i, (type_, value) in enumerate(spec.contact_points)]
    if rng.random() < 0.6:
        points.append(ContactPointData("address", faker.address(), label="家庭" if spec.is_person else "办公"))
    return points


class DemoWriter:
    def __init__(self, *, seed: int, staff: DemoStaff, pool_share: float = 0.25) -> None:
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.staff = staff
        self.actor = staff.manager
        self.pool_share = pool_share
        self.today = timezone.localdate()
        self.used_codes: set[str] = set()

    def _owner(self) -> User | None:
        return None if self.rng.random() < self.pool_share else self.rng.choice(self.staff.sales)

    def _create(self, spec: CustomerSpec, owner: User | None) -> Customer:
        verified = self.today - datetime.timedelta(days=self.rng.randrange(720)) if self.rng.random() < 0.6 else None
        return customer_create(
            actor=self.actor, kind=spec.kind, name=spec.name, status=spec.status, owner=owner,
            team=owner.team if owner else None, source_channel=spec.source_channel, tags=spec.tags,
            profile=spec.profile, contact_points=_contact_data(spec, self.faker, self.rng), last_verified_on=verified,
        )

    def person(self, owner: User | None = None, *, employer: str = "", position: str = "") -> Customer:
        spec = specs.person(self.rng, today=self.today)
        _enrich_person(spec, self.rng, self.faker)
        if employer:
            spec.profile.update(employer=employer, position=position)
        customer = self._create(spec, owner)
        self._family(customer, spec)
        self._dates(customer, spec)
        return customer

    def _family(self, customer: Customer, spec: CustomerSpec) -> None:
        birthday = spec.profile.get("birthday")
        if spec.profile.get("marital_status") == "married" and self.rng.random() < 0.8:
            gender = "male" if spec.profile.get("gender") == "female" else "female"
            spouse_birthday = birthday + datetime.timedelta(days=self.rng.randint(-1500, 1500)) if birthday else None
            family_member_add(actor=self.actor, customer=customer, values={
                "relation": "spouse", "name": names.person_name(self.rng, gender), "birthday": spouse_birthday,
            })
        if birthday and self.rng.random() < 0.6:
            for _ in range(self.rng.randint(1, 2)):
                child_born = min(
                    birthday + datetime.timedelta(days=self.rng.randint(22 * 365, 38 * 365)), self.today
                )
                family_member_add(actor=self.actor, customer=customer, values={
                    "relation": "child", "birthday": child_born,
                    "name": spec.name[0] + names.given_name(self.rng, self.rng.choice(("male", "female"))),
                    "education": _schooling((self.today - child_born).days // 365),
                })

    def _dates(self, customer: Customer, spec: CustomerSpec) -> None:
        birthday = spec.profile.get("birthday")
        if birthday and self.rng.random() < 0.25:
            # Many families keep birthdays in the lunar calendar (农历生日).
            lunar = LunarDate.from_solar_date(birthday.year, birthday.month, birthday.day)
            important_date_add(actor=self.actor, customer=customer, values={
                "kind": "birthday", "label": "农历生日", "calendar": "lunar", "year": lunar.year,
                "month": lunar.month, "day": lunar.day, "leap_month": bool(lunar.is_leap_month),
            })
        if self.rng.random() < 0.15:
            important_date_add(actor=self.actor, customer=customer, values={
                "kind": "anniversary", "label": "成为会员", "calendar": "solar",
                "year": self.today.year - self.rng.randint(1, 8), "month": self.rng.randint(1, 12),
                "day": self.rng.randint(1, 28),
            })

    def organization(self, key_people: int) -> list[Customer]:
        while True:
            spec = specs.organization(self.rng, serial=90_000_000 + self.rng.randrange(10**7), today=self.today)
            if spec.profile["credit_code"] not in self.used_codes:
                break
        self.used_codes.add(spec.profile["credit_code"])
        owner = self._owner()
        org = self._create(spec, owner)
        created = [org]
        for role in self.rng.sample(KEY_ROLES, key_people):
            title = companies.KEY_PERSON_TITLES[role]
            person = self.person(owner, employer=org.name, position=title)
            relationship_add(
                actor=self.actor, from_customer=person, to_customer=org, type="key_person_of", role=role, title=title
            )
            created.append(person)
        return created


def create_demo(
    *, count: int, seed: int, staff: DemoStaff, progress: Callable[[int, int], None] | None = None
) -> DemoContext:
    """Create exactly `count` customers through the services; deterministic for a seed."""
    writer = DemoWriter(seed=seed, staff=staff)
    context = DemoContext(staff=staff, rng=writer.rng, faker=writer.faker)
    while len(context.customers) < count:
        left = count - len(context.customers)
        if left >= 2 and writer.rng.random() < 0.12:
            context.customers += writer.organization(key_people=min(writer.rng.randint(1, 3), left - 1))
        else:
            context.customers.append(writer.person(writer._owner()))
            if len(context.customers) >= 2 and writer.rng.random() < 0.05:
                referrer = writer.rng.choice(context.customers[:-1])
                if referrer.is_person:
                    relationship_add(
                        actor=writer.actor, from_customer=referrer, to_customer=context.customers[-1], type="referrer_of"
                    )
        if progress:
            progress(len(context.customers), count)
    for step in ACTIVITY_STEPS:
        step(context)
    return context
