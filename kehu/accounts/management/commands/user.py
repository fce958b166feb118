"""kehu user list | add | set | password: staff accounts, as an administrator (audited).

    kehu user list
    kehu user add USERNAME --role sales [--team 华东销售组] [--display-name 王芳] [--email …]
    kehu user set USERNAME [--role …] [--team …|--no-team] [--active|--inactive]
    kehu user password USERNAME          (prints a new generated password)

The acting administrator is --user (default: the first active administrator).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts.models import Role, Team, User
from kehu.accounts.users import (
    UserChanges,
    ensure_may_manage_users,
    staff,
    user_create,
    user_set_password,
    user_update,
)
from kehu.cli.arguments import acting_user


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "List, add and change staff accounts (role, team, active), or give one a new password. Audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "add", "set", "password"])
        parser.add_argument("username", nargs="?")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--team", help="team name (created if it does not exist)")
        parser.add_argument("--no-team", action="store_true", help="set: take the user out of their team")
        parser.add_argument("--display-name")
        parser.add_argument("--email")
        active = parser.add_mutually_exclusive_group()
        active.add_argument("--active", dest="is_active", action="store_true", default=None)
        active.add_argument("--inactive", dest="is_active", action="store_false")
        parser.add_argument("--user", help="act as this administrator (default: the first active administrator)")

    def handle(self, *args, action: str, username: str | None, **options) -> None:
        actor = acting_user(options["user"])
        try:
            if action == "list":
                for user in staff(viewer=actor):
                    team = user.team.name if user.team else "—"
                    state = "active" if user.is_active else "inactive"
                    self.stdout.write(f"{user.username}\t{user.role}\t{team}\t{state}\t{user.display_name}")
                return
            if not username:
                raise CommandError(f"Name the user: kehu user {action} USERNAME")
            ensure_may_manage_users(actor)  # before a --team is created
            team = Team.objects.get_or_create(name=options["team"].strip())[0] if options["team"] else None
            if action == "add":
                if not options["role"]:
                    raise CommandError("Give the new user's role with --role.")
                user, password = user_create(
                    actor=actor, username=username, role=options["role"], team=team,
                    display_name=options["display_name"] or "", email=options["email"] or "",
                )
                self.stdout.write(f"Created {user.username} ({user.role}). Password, shown once: {password}")
                return
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            if action == "password":
                password = user_set_password(actor=actor, user=user)
                self.stdout.write(f"New password for {user.username}, shown once: {password}")
                return
            user = user_update(actor=actor, user=user, changes=UserChanges(
                role=options["role"], team=team, clear_team=options["no_team"], is_active=options["is_active"],
                display_name=options["display_name"], email=options["email"],
            ))
            self.stdout.write(f"{user.username}: {user.role}, {user.team.name if user.team else 'no team'}, "
                              f"{'active' if user.is_active else 'inactive'}")
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
