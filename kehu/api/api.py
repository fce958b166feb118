"""The NinjaAPI instance: routers, authentication, docs, error handling, JSON parsing."""

from __future__ import annotations

import json
import math
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationErrorContext
from ninja.parser import Parser

from kehu.api import (
    audit,
    catalogue,
    custom_fields,
    customers,
    dashboard,
    errors,
    imports,
    insights,
    interactions,
    links,
    money,
    orders,
    preferences,
    privacy,
    segments,
    service,
    timeline,
    tokens,
    two_factor,
    users,
)
from kehu.api.auth import api_auth
from kehu.api.docs import LocalSwagger


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(f"{literal} is out of range")
    return number


class StrictJsonParser(Parser):
    """JSON as specified: Python's json also accepts NaN and Infinity (and reads 1e400 as
    infinity), none of which any column can hold."""

    def parse_body(self, request: HttpRequest) -> Any:
        return json.loads(request.body, parse_constant=_reject_constant, parse_float=_finite_float)


def _unflattened(reverse_map: dict[tuple[Any, ...], tuple[Any, ...]], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """ninja's map covers whole parameters; an error inside one (`kinds.1`) keeps its tail."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in reverse_map:
            return tuple(reverse_map[loc[:end]]) + tuple(loc[end:])
    return loc


class KehuAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> errors.ApiValidationError:
        # Built here rather than in the exception handler because ninja drops each
        # error's input value on the way, and messages such as "it has 10000 characters"
        # or "“x” is not one of the choices" need it.
        pairs: list[tuple[str | None, str]] = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = _unflattened(model.__ninja_flatten_map_reverse__, error["loc"])
                pairs.extend(errors.pydantic_errors([{**error, "loc": loc}], source=model.__ninja_param_source__))
        return errors.ApiValidationError(pairs)


api = KehuAPI(
    title="kehu API",
    version="1",
    description="The customer archive (客户档案管理系统) over HTTP. Authenticate with "
    "`Authorization: Bearer kehu_…` (create tokens at /api/tokens) or, from the browser, with the "
    "session cookie plus the `X-CSRFToken` header on writes. Every error has the shape "
    '`{"detail": "…", "errors": [{"field": "profile.birthday", "message": "…"}]}`.',
    auth=api_auth,
    docs=LocalSwagger(),
    urls_namespace="api",
    parser=StrictJsonParser(),
)
errors.install(api)
api.add_router("", customers.router)
api.add_router("", links.router)
api.add_router("", custom_fields.router)
api.add_router("", interactions.router)
api.add_router("", orders.router)
api.add_router("", money.router)
api.add_router("", service.router)
api.add_router("", timeline.router)
api.add_router("", privacy.router)
api.add_router("", audit.router)
api.add_router("", catalogue.router)
api.add_router("", imports.router)
api.add_router("", segments.router)
api.add_router("", insights.router)
api.add_router("", dashboard.router)
api.add_router("", preferences.router)
api.add_router("", tokens.router)
api.add_router("", users.router)
api.add_router("", two_factor.router)
