"""Sign-in throttling: repeated failures lock a username (and a client address) for a while.

Wrong two-factor codes count as failures too (kehu.accounts.two_factor).

Kept in the database, so it holds across worker processes and needs no cache server.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kehu.accounts.models import FailedSignIn, TwoFactor

WINDOW = datetime.timedelta(minutes=15)


def _recent(**filters: Any) -> int:
    return FailedSignIn.objects.filter(at__gte=timezone.now() - WINDOW, **filters).count()


def locked_out(username: str, address: str | None) -> bool:
    if _recent(username__iexact=username) >= settings.KEHU_LOGIN_MAX_FAILURES:
        return True
    return address is not None and _recent(client_address=address) >= settings.KEHU_LOGIN_MAX_FAILURES * 4


def record_failure(username: str, address: str | None) -> None:
    FailedSignIn.objects.create(username=username[:150], client_address=address)


def clear_failures(username: str) -> None:
    FailedSignIn.objects.filter(username__iexact=username).delete()


def _address(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses a username or address after too many recent failures.

    A locked-out attempt is refused even with the right password (otherwise the lock would
    only slow down guessing, not stop it), and it counts as one more failure.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        username = username or kwargs.get("username") or ""
        address = _address(request)
        if locked_out(username, address):
            record_failure(username, address)
            raise PermissionDenied("locked out")  # stops Django trying other backends
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, address)
        elif not TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists():
            # With two-factor sign-in the failures are cleared only once the code is right too:
            # otherwise the right password would reset the count between guesses at the code.
            clear_failures(username)
        return user
