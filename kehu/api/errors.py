"""One error shape for every failure: `{"detail": str, "errors": [{"field", "message"}]}`.

Service `ValidationError`s (dict of field → messages) and pydantic request-validation
errors both become 422 with field-level entries; permission and visibility map to 403
and 404; a rate limit (kehu.core.ratelimit) is a 429 with Retry-After; a malformed body is a
422 too, never a 500. Messages go through gettext, and
where Django already has a message for the same rule we reuse its text, so the Chinese
translation comes with Django.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kehu.core import ratelimit
from kehu.core.ratelimit import RateLimited
from kehu.customers.sections import DataClass, sections_for

# Service error keys that name a related object, renamed to the `*_id` input that carries it.
# Applied to every segment of a dotted key (`lines.0.product` → `lines.0.product_id`).
FIELD_ALIASES = {
    "owner": "owner_id",
    "team": "team_id",
    "linked_customer": "linked_customer_id",
    "to_customer": "other_customer_id",
    "from_customer": "other_customer_id",
    "product": "product_id",
    "receivable": "receivable_id",
    "order": "order_id",
    "technician": "technician_id",
    "salesperson": "salesperson_id",
    "staff": "staff_ids",
    "people": "people_ids",
}

# Profile fields whose values are sensitive (PIPL art. 28): an error message must not echo them.
SENSITIVE_FIELDS = frozenset(
    f.name for kind in ("person", "organization") for s in sections_for(kind) for f in s.fields
    if f.data_class == DataClass.SENSITIVE
)


class ApiValidationError(NinjaValidationError):
    """Request validation already turned into `{"field", "message"}` entries."""


def error_body(detail: str, errors: Iterable[tuple[str | None, str]] = ()) -> dict[str, Any]:
    return {"detail": detail, "errors": [{"field": field, "message": message} for field, message in errors]}


def service_errors(error: DjangoValidationError, *, prefix: str = "") -> list[tuple[str | None, str]]:
    """Flatten a service ValidationError into (field, message) pairs."""
    if not hasattr(error, "error_dict"):
        return [(prefix.rstrip(".") or None, message) for message in error.messages]
    pairs: list[tuple[str | None, str]] = []
    for key, messages in error.message_dict.items():
        key = ".".join(FIELD_ALIASES.get(part, part) for part in key.split("."))
        field = None if key == "__all__" else prefix + key
        if key == "__all__" and prefix:
            field = prefix.rstrip(".")
        pairs.extend((field, message) for message in messages)
    return pairs


# --- pydantic errors ----------------------------------------------------------------


def _field_of(loc: tuple[Any, ...]) -> str | None:
    """`("body", "payload", "profile", "birthday")` → `profile.birthday`.

    The first element is where ninja read the value from; for a body the second is the
    name of the view's body parameter, which means nothing to a client.
    """
    source, *rest = loc
    if source == "body" and rest:
        rest = rest[1:]
    # pydantic marks a bad *key* of a mapping with a trailing "[key]"; the key itself names the field.
    return ".".join(str(part) for part in rest if part != "[key]") or None


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _pattern_message(pattern: str, value: Any) -> str:
    from kehu.api.schemas.common import CUSTOM_FIELD_KEY, CUSTOMER_NUMBER

    if isinstance(value, str) and "\x00" in value:
        return _("Null characters are not allowed.")
    if pattern == CUSTOMER_NUMBER:
        return _("Use letters, digits, - and _ only.")  # the model's own wording
    if pattern == CUSTOM_FIELD_KEY:
        return _("Use lower-case letters, digits and _; start with a letter.")
    return _("Enter a valid value.")


def pydantic_message(error: dict[str, Any]) -> str:  # noqa: C901 — a flat table of cases
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    loc = error.get("loc") or ()
    # A message may quote the input; a sensitive one must stay unseen.
    sensitive = bool(loc) and str(loc[-1]) in SENSITIVE_FIELDS
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        limit = ctx.get("max_length", 0)
        if kind == "too_long":
            return ngettext("Give at most %(n)d item.", "Give at most %(n)d items.", limit) % {"n": limit}
        shown = len(value) if isinstance(value, str) else limit
        return ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": shown}
    if kind == "string_too_short":
        limit = ctx.get("min_length", 0)
        shown = len(value) if isinstance(value, str) else 0
        return ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            limit,
        ) % {"limit_value": limit, "show_value": shown}
    if kind == "string_pattern_mismatch":
        return _pattern_message(ctx.get("pattern", ""), value)
    if kind in ("string_type", "string_unicode"):
        return _("Enter text.")
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("Enter a whole number.")
    if kind.startswith(("float_", "decimal_parsing", "decimal_type", "finite_number")):
        return _("Enter a number.")
    if kind == "decimal_max_digits":
        n = ctx.get("max_digits", 0)
        return ngettext(
            "Ensure that there are no more than %(max)s digit in total.",
            "Ensure that there are no more than %(max)s digits in total.",
            n,
        ) % {"max": n}
    if kind == "decimal_max_places":
        n = ctx.get("decimal_places", 0)
        return ngettext(
            "Ensure that there are no more than %(max)s decimal place.",
            "Ensure that there are no more than %(max)s decimal places.",
            n,
        ) % {"max": n}
    if kind == "decimal_whole_digits":
        n = ctx.get("whole_digits", 0)
        return ngettext(
            "Ensure that there are no more than %(max)s digit before the decimal point.",
            "Ensure that there are no more than %(max)s digits before the decimal point.",
            n,
        ) % {"max": n}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge", ctx.get("gt"))
        }
    if kind in ("less_than_equal", "less_than"):
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le", ctx.get("lt"))
        }
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind.startswith("date_") or kind == "date_type":
        return _("Enter a valid date.")
    if kind.startswith("datetime_"):
        return _("Enter a valid date/time.")
    if kind in ("literal_error", "enum"):
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": "******" if sensitive else _shown(value)
        }
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Enter a list of values.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Enter a JSON object.")
    if kind == "extra_forbidden":
        return _("Unknown field “%(field)s”.") % {"field": str(error["loc"][-1])}
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", _("Enter a valid value.")))


def pydantic_errors(errors: Iterable[dict[str, Any]], *, source: str) -> list[tuple[str | None, str]]:
    pairs = []
    for error in errors:
        loc = (source, *error["loc"])
        pairs.append((_field_of(loc), pydantic_message(error)))
    return pairs


# --- handlers -------------------------------------------------------------------------


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiValidationError)
    def _request_invalid(request: HttpRequest, exc: ApiValidationError) -> HttpResponse:
        return respond(request, 422, error_body(_("The request is not valid."), exc.errors))

    @api.exception_handler(NinjaValidationError)
    def _ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        pairs = [(_field_of(tuple(e.get("loc", ()))), pydantic_message(e)) for e in exc.errors]
        return respond(request, 422, error_body(_("The request is not valid."), pairs))

    @api.exception_handler(DjangoValidationError)
    def _service_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, error_body(_("The request is not valid."), service_errors(exc)))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, error_body(_("Authentication required: send an API token or log in.")))
        response["WWW-Authenticate"] = 'Bearer realm="kehu"'
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body(str(exc) or _("You do not have permission to do this.")))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # One message for missing and invisible alike: the answer must not tell them apart.
        return respond(request, 404, error_body(_("Not found.")))

    @api.exception_handler(IntegrityError)
    def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A uniqueness rule the services did not check first, or a concurrent write.
        return respond(request, 409, error_body(_("This conflicts with an existing record.")))

    @api.exception_handler(RateLimited)
    def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = respond(request, 429, error_body(ratelimit.message(exc)))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:
            # ninja wraps a body that does not parse as JSON into a bare 400.
            return respond(
                request, 422,
                error_body(_("The request is not valid."), [(None, _("The request body is not valid JSON."))]),
            )
        return respond(request, exc.status_code, error_body(str(exc)))
