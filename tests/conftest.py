"""Personas and helpers shared by the whole suite.

Two sales teams (north, south), a manager, an administrator, an analyst and a service
agent; customers owned by each salesperson plus one in the pool. Every view and
endpoint test checks: anonymous → login/401, the other team's salesperson → 404,
owner/teammate/manager → 200.
"""

from __future__ import annotations

import pyotp
import pytest

from kehu.accounts.models import Role, Team, User
from kehu.customers.models import Customer
from kehu.customers.services import ConsentData, ContactPointData, customer_create

PASSWORD = "correct-horse-battery-staple"
SENSITIVE_CONSENT = ConsentData("sensitive", "notice-2026-01", "paper", evidence="signed form in the branch file")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none (no order dependence)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English messages unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _background_imports_inline(monkeypatch):
    """Background imports run in the test's own thread (and transaction); the tests of the
    thread itself (tests/web/test_import_background.py) put the real launcher back."""
    from kehu.quality.importing import background

    monkeypatch.setattr(background, "launch", lambda target, run_id, *args: target(run_id, *args))


def make_user(username: str, role: str, team: Team | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, team=team, **extra)
    return user


@pytest.fixture
def north(db) -> Team:
    return Team.objects.create(name="North")


@pytest.fixture
def south(db) -> Team:
    return Team.objects.create(name="South")


def enrol_two_factor(user: User) -> str:
    """Turn on two-factor sign-in for `user` as they would; returns the TOTP secret."""
    from kehu.accounts.two_factor import two_factor_begin, two_factor_confirm

    device = two_factor_begin(actor=user)
    two_factor_confirm(actor=user, code=pyotp.TOTP(device.secret).now())
    return device.secret


@pytest.fixture
def admin(db) -> User:
    """An administrator, with two-factor sign-in on as kehu requires of them."""
    user = make_user("admin", Role.ADMINISTRATOR, is_staff=True)
    enrol_two_factor(user)
    return user


@pytest.fixture
def manager(db) -> User:
    return make_user("manager", Role.ARCHIVE_MANAGER)


@pytest.fixture
def analyst(db) -> User:
    return make_user("analyst", Role.ANALYST)


@pytest.fixture
def auditor(db) -> User:
    """Reads and exports the audit log; opens no customer file."""
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def sales(north) -> User:
    """The salesperson whose customers most tests use."""
    return make_user("sales", Role.SALES, north)


@pytest.fixture
def teammate(north) -> User:
    return make_user("teammate", Role.SALES, north)


@pytest.fixture
def outsider(south) -> User:
    """A salesperson of another team: must never see `sales`'s customers."""
    return make_user("outsider", Role.SALES, south)


@pytest.fixture
def service_agent(south) -> User:
    return make_user("service", Role.SERVICE, south)


def make_person(actor: User, name: str = "张三", **kwargs) -> Customer:
    kwargs.setdefault("contact_points", [ContactPointData("mobile", "13800138000")])
    return customer_create(actor=actor, kind="person", name=name, **kwargs)


def make_organization(actor: User, name: str = "杭州云帆科技有限公司", **kwargs) -> Customer:
    return customer_create(actor=actor, kind="organization", name=name, **kwargs)


@pytest.fixture
def customer(sales) -> Customer:
    """A person owned by `sales` (team North)."""
    return make_person(sales, "张三")


@pytest.fixture
def pool_customer(manager) -> Customer:
    return make_person(manager, "李四", owner=None, team=None, contact_points=[ContactPointData("mobile", "13900139000")])
