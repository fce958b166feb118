"""kehu reset-2fa USERNAME: remove a user's authenticator, for an operator locked out of kehu."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehu.accounts.models import User
from kehu.accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Reset a user's two-factor sign-in (they lost their phone and recovery codes). They sign in with their "
        "password and enrol again; administrators must. Recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if two_factor_reset(actor=None, user=user, via="command"):
            self.stdout.write(f"Two-factor sign-in of {username} was reset; they enrol again after signing in.")
        else:
            self.stdout.write(f"{username} had no two-factor sign-in; nothing to reset.")
