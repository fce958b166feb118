"""Which token scope each API route needs: the one table, checked in kehu.api.auth.TokenAuth.

A caller signed in with the browser session is not limited by scopes (only by their role).
The first rule matching the request wins; a route no rule names needs `read` to look and
`write` to change, so a new route is covered by default and only exceptions are listed.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kehu.accounts.models import TokenScope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# (methods, path under /api/, scope). `None` methods = any method.
RULES: list[tuple[frozenset[str] | None, re.Pattern[str], str]] = [
    # A token that manages tokens could mint itself a wider one: that is administration.
    (None, re.compile(r"^tokens(/|$)"), TokenScope.ADMIN),
    (None, re.compile(r"^users(/|$)"), TokenScope.ADMIN),
    (frozenset({"POST", "PATCH", "PUT", "DELETE"}), re.compile(r"^custom-fields(/|$)"), TokenScope.ADMIN),
    # Data leaving the archive in clear.
    (None, re.compile(r"^customers/[^/]+/subject-export$"), TokenScope.EXPORT),
    (None, re.compile(r"^customers/[^/]+/reveal$"), TokenScope.EXPORT),
    (None, re.compile(r"^segments/[^/]+/export$"), TokenScope.EXPORT),
    (None, re.compile(r"^audit-events/export$"), TokenScope.EXPORT),
]


def required_scope(request: HttpRequest) -> str:
    method = request.method or "GET"
    path = request.path_info.removeprefix("/api/")
    for methods, pattern, scope in RULES:
        if (methods is None or method in methods) and pattern.search(path):
            return scope
    return TokenScope.READ if method in SAFE_METHODS else TokenScope.WRITE


def missing_scope_message(scope: str) -> str:
    return _(
        "This API token lacks the “%(scope)s” scope, which this request needs. "
        "Create a token with that scope under Settings → API tokens."
    ) % {"scope": scope}
