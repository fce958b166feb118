"""Staff accounts the demo and the benchmarks create."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from kehu.accounts.models import Role, Team, User


@dataclass(frozen=True)
class StaffMember:
    user: User
    password: str | None  # set only when the account was created just now


def new_password() -> str:
    # 16 URL-safe characters pass every configured validator and are easy to copy.
    return secrets.token_urlsafe(12)


def ensure_user(
    username: str, *, role: str, team: Team | None = None, display_name: str = "", usable_password: bool = True,
    is_staff: bool = False, is_superuser: bool = False,
) -> StaffMember:
    """The user called `username`, created with a fresh password if missing (never reset)."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return StaffMember(existing, None)
    password = new_password() if usable_password else None
    user = User(
        username=username, role=role, team=team, display_name=display_name, is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    return StaffMember(user, password)


def ensure_team(name: str) -> Team:
    return Team.objects.get_or_create(name=name)[0]


def bench_sales(*, teams: int, per_team: int) -> list[User]:
    """Salespeople for the benchmarks: `teams` × `per_team`, without usable passwords."""
    people = []
    for t in range(1, teams + 1):
        team = ensure_team(f"Bench team {t:02d}")
        for n in range(1, per_team + 1):
            people.append(ensure_user(f"bench.sales.{t:02d}.{n}", role=Role.SALES, team=team, usable_password=False).user)
    return people
