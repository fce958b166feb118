"""Helpers shared by the web views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.accounts.permissions import may_configure, may_write_customers


def ensure_writer(user: User) -> None:
    """Fail early (403) for read-only roles instead of showing a form they cannot submit."""
    if not may_write_customers(user):
        raise PermissionDenied(_("Your role cannot change customer files."))


def ensure_configurer(user: User) -> None:
    if not may_configure(user):
        raise PermissionDenied(_("Only administrators and archive managers can change this."))


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that will swap part of the page (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL returns a fragment or a full page; caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response
