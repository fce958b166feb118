"""Who is calling: a per-user API token (`Authorization: Bearer kehu_…`) or the browser session.

A token is also checked against the scope the route needs (kehu.api.scopes), here, for
every route at once; the session is limited by the user's role only.

Scripts use tokens; the browser UI calls the same API with its session cookie, and then
unsafe methods must carry the CSRF token like any form post. An anonymous caller gets
401 — not a CSRF 403 — so the answer says what is actually missing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kehu.accounts.middleware import enrolment_message
from kehu.accounts.models import ApiToken, User
from kehu.accounts.services import api_token_find
from kehu.accounts.two_factor import enrolment_required
from kehu.api.scopes import missing_scope_message, required_scope

# A real token is "kehu_" + 43 URL-safe characters; anything far longer is not one, and
# hashing megabytes of header on every request is work we need not do.
_MAX_TOKEN_LENGTH = 200


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token.startswith(ApiToken.PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
            return None
        api_token = api_token_find(token)
        if api_token is None:
            return None
        user = api_token.user
        if enrolment_required(user):
            # A token made before two-factor sign-in became required must not outlast the rule.
            raise HttpError(403, enrolment_message())
        scope = required_scope(request)
        if not api_token.has_scope(scope):
            raise HttpError(403, missing_scope_message(scope))
        # Rate limits and token management need to know which token is calling.
        request.api_token = api_token  # type: ignore[attr-defined]
        # Code below the API (audit, selectors) reads request.user like in any Django view.
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session, with the CSRF check only once we know who is logged in."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # ninja's own cookie auth checks CSRF first, which answers an anonymous POST
        # with 403; we authenticate first and check CSRF in `authenticate`.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie."))
        return user


api_auth = [TokenAuth(), SessionAuth()]
