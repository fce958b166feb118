"""Put a service's ValidationError back onto the form fields the user typed into.

Services report errors under dotted keys (`name`, `profile.birthday`,
`contact_points.0.value`, `custom_fields.level`). A key is routed to the longest
matching alias, else to the form registered for its first segment, else to the
fallback form; a field the form does not have becomes a non-field error there.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

Route = tuple[forms.Form, str | None]


def error_items(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": list(error.messages)}


def attach_errors(
    error: ValidationError,
    *,
    fallback: forms.Form,
    prefixes: Mapping[str, forms.Form] | None = None,
    aliases: Mapping[str, Route] | None = None,
) -> None:
    prefixes = prefixes or {}
    aliases = aliases or {}
    for key, messages in error_items(error).items():
        form, field = _route(key, fallback, prefixes, aliases)
        if field is not None and field not in form.fields:
            field = None
        for message in messages:
            form.add_error(field, message)


def _route(key: str, fallback: forms.Form, prefixes: Mapping[str, forms.Form], aliases: Mapping[str, Route]) -> Route:
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        alias = aliases.get(".".join(parts[:end]))
        if alias is not None:
            return alias
    head, _, rest = key.partition(".")
    if rest and head in prefixes:
        return prefixes[head], rest
    return fallback, None if key == "__all__" else key


def has_errors(*bound: forms.Form) -> bool:
    return any(form.errors for form in bound)
