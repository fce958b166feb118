"""Per-user rate limits on expensive or sensitive reads (search, exports), in Django's cache.

A fixed window: the first request of a window creates a counter that expires with it, each
request adds one, and a request over the limit is refused until the window ends — which is
also the Retry-After the caller is given. With Django's default local-memory cache the
counters are per process (several `kehu serve` processes each allow the limit); set
KEHU_CACHE_URL=redis://… for a hard limit across processes. A limit of 0 turns the check off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str  # the KEHU_* setting holding the number of requests allowed per window
    window_seconds: int

    @property
    def allowed(self) -> int:
        return int(getattr(settings, self.setting))


SEARCH = Limit("search", "KEHU_SEARCH_RATE_PER_MINUTE", 60)
EXPORT = Limit("export", "KEHU_EXPORT_RATE_PER_HOUR", 3600)


class RateLimited(Exception):
    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(f"{limit.name} rate limit reached; retry after {retry_after} s")
        self.limit = limit
        self.retry_after = retry_after


def hit(limit: Limit, identity: str) -> None:
    """Count one request by `identity`; raise RateLimited if it is over the limit."""
    allowed = limit.allowed
    if allowed <= 0:
        return
    now = time.time()
    window = int(now // limit.window_seconds)
    key = f"kehu:rate:{limit.name}:{identity}:{window}"
    # add() is a no-op if the counter exists; incr() is atomic in every cache backend.
    cache.add(key, 0, timeout=limit.window_seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=limit.window_seconds + 1)
        count = 1
    if count > allowed:
        retry_after = max(1, math.ceil((window + 1) * limit.window_seconds - now))
        raise RateLimited(limit, retry_after)


def hit_for_user(limit: Limit, user: object) -> None:
    """Per user, whether they call with the browser session or any of their API tokens:
    several tokens do not multiply a user's budget."""
    hit(limit, f"user:{getattr(user, 'pk', None)}")


def message(error: RateLimited) -> str:
    """What the person is told: what they did too often, and how long to wait."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    if error.retry_after < 120:
        wait = ngettext("%(n)d second", "%(n)d seconds", error.retry_after) % {"n": error.retry_after}
    else:
        minutes = math.ceil(error.retry_after / 60)
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if error.limit is EXPORT:
        return _("You have downloaded customer data many times in a short while. Wait %(wait)s, then try again.") % {
            "wait": wait}
    return _("You have searched many times in a short while. Wait %(wait)s, then try again.") % {"wait": wait}
