"""Sign-in events into the audit log.

Django announces them only through its auth signals, so this is the one place kehu
listens to signals: the events are the framework's, not business side effects.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kehu.audit.services import audit


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit(actor=user, action="auth.login", target=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username tried is kept (it may be a typo of a real one); the password never.
    audit(actor=None, action="auth.login_failed", target=None, changes={"username": str(credentials.get("username", ""))[:150]})
