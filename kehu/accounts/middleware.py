"""Administrators without two-factor sign-in may do nothing but enrol.

Pages redirect to the enrolment page; API calls made with the browser session answer 403
with a message saying what to do (calls with an API token are checked in kehu.api.auth).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from kehu.accounts.permissions import must_use_two_factor
from kehu.accounts.two_factor import enabled

# What an administrator still needs before enrolling: the enrolment page itself, signing
# out, switching the language, and the static files the page uses.
_ALLOWED_NAMES = ("web:two-factor", "logout", "set_language")


def enrolment_message() -> str:
    return _("Administrators must turn on two-factor sign-in first: open Settings → Two-factor sign-in.")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None and user.is_authenticated and must_use_two_factor(user)
            and not self._allowed(request.path) and not enabled(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": enrolment_message(), "errors": []}, status=403, json_dumps_params={"ensure_ascii": False}
                )
            return redirect("web:two-factor")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        from django.conf import settings

        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return any(path == reverse(name) for name in _ALLOWED_NAMES)
