"""Argument types shared by the commands: they fail with a message saying what is allowed."""

from __future__ import annotations

import argparse


def port_number(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number from 1 to 65535, not {raw!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 1 to 65535, not {value}")
    return value


def positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, not {value}")
    return value


def non_negative_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {raw!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, not {value}")
    return value


def acting_user(username: str | None):
    """The user a command acts as: --user USERNAME, else the first active administrator.
    Commands that read customers see what that user may see."""
    from django.core.management.base import CommandError

    from kehu.accounts.models import User

    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        return user
    user = User.objects.filter(is_active=True, is_superuser=True).order_by("id").first() or User.objects.filter(
        is_active=True, role="administrator").order_by("id").first()
    if user is None:
        raise CommandError("No administrator exists yet; run `kehu quickstart` or pass --user")
    return user
