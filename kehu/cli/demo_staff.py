"""The demo's staff: a manager, salespeople in two teams, a service agent, an analyst."""

from __future__ import annotations

from dataclasses import dataclass

from kehu.accounts.models import Role, User
from kehu.cli.staff import StaffMember, ensure_team, ensure_user

EAST, SOUTH = "华东销售组", "华南销售组"
# (username, role, team, display name)
DEMO_STAFF = (
    ("manager", Role.ARCHIVE_MANAGER, None, "陈建国（档案经理）"),
    ("sales.east1", Role.SALES, EAST, "王海燕"),
    ("sales.east2", Role.SALES, EAST, "李俊杰"),
    ("sales.south1", Role.SALES, SOUTH, "黄志强"),
    ("sales.south2", Role.SALES, SOUTH, "林晓敏"),
    ("service", Role.SERVICE, SOUTH, "刘婷（客服）"),
    ("analyst", Role.ANALYST, None, "赵明（分析师）"),
)


@dataclass(frozen=True)
class DemoStaff:
    members: list[StaffMember]

    def user(self, username: str) -> User:
        return next(m.user for m in self.members if m.user.username == username)

    @property
    def manager(self) -> User:
        return self.user("manager")

    @property
    def sales(self) -> list[User]:
        return [m.user for m in self.members if m.user.role == Role.SALES]


def ensure_demo_staff() -> DemoStaff:
    members = []
    for username, role, team_name, display_name in DEMO_STAFF:
        team = ensure_team(team_name) if team_name else None
        members.append(ensure_user(username, role=role, team=team, display_name=display_name))
    return DemoStaff(members)


def staff_table(staff: DemoStaff) -> str:
    lines = [f"{'username':<14} {'role':<16} {'team':<12} password"]
    for member in staff.members:
        user = member.user
        password = member.password or "(existing account: password unchanged)"
        lines.append(f"{user.username:<14} {user.role:<16} {str(user.team or '—'):<12} {password}")
    return "\n".join(lines)
