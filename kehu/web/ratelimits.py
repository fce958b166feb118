"""Rate limits on web pages: over the limit, a friendly page (or, for an htmx swap, a
message in place of the results) with status 429 and Retry-After, never a raw error."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kehu.core import ratelimit
from kehu.web.views.common import vary_on_htmx, wants_fragment


def rate_limited(limit: ratelimit.Limit) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                ratelimit.hit_for_user(limit, request.user)
            except ratelimit.RateLimited as error:
                return too_many_requests(request, error)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def too_many_requests(request: HttpRequest, error: ratelimit.RateLimited) -> HttpResponse:
    template = "web/partials/rate_limited.html" if wants_fragment(request) else "429.html"
    response = render(request, template, {"message": ratelimit.message(error)}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return vary_on_htmx(response)
