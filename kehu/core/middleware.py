"""Remembers the current request's client address for the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_address", default=None)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class IdleTimeoutMiddleware:
    """Signs out a browser session left idle longer than KEHU_IDLE_MINUTES.

    The last-seen time is written at most once a minute, so a busy page does not turn
    every request into a session write.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last_seen = request.session.get("kehu_last_seen", now)
            if now - last_seen > settings.KEHU_IDLE_MINUTES * 60:
                logout(request)
            elif now - last_seen >= 60 or "kehu_last_seen" not in request.session:
                request.session["kehu_last_seen"] = now
        return self.get_response(request)
