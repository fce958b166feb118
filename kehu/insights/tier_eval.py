"""Evaluating validated tier rules for the whole base at once, on numpy arrays.

Scored figures are already arrays; customer and profile fields are loaded only when a rule
uses them (one `values_list` per field, one row per customer), so a tier list over RFM and CLV
alone costs no extra query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from django.db.models import Model

from kehu.customers.models import Customer, OrganizationProfile, PersonProfile
from kehu.insights.choices import TierMatch
from kehu.insights.tier_rules import CUSTOM_PREFIX, NUMBER, TierSpec, rule_field

NO_TIER = -1


def _aligned(ids: np.ndarray, pairs: list[tuple[int, Any]], fill: Any, dtype: Any) -> np.ndarray:
    out = np.full(ids.size, fill, dtype=dtype)
    if pairs:
        keys = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
        position = np.searchsorted(ids, keys)
        position = np.minimum(position, max(ids.size - 1, 0))
        found = ids[position] == keys if ids.size else np.zeros(len(pairs), bool)
        values = np.array([p[1] for p in pairs], dtype=dtype)
        out[position[found]] = values[found]
    return out


def _column(model: type[Model], key: str, column: str, ids: np.ndarray) -> np.ndarray:
    pairs = list(model.objects.values_list(key, column))
    return _aligned(ids, [(k, v if v is not None else "") for k, v in pairs], "", object)


def _custom(key: str, ids: np.ndarray) -> np.ndarray:
    # JSON key lookups differ per backend; the dicts are small, read them whole.
    pairs = [(pk, (data or {}).get(key)) for pk, data in Customer.objects.exclude(custom_fields={})
             .values_list("pk", "custom_fields")]
    return _aligned(ids, [(k, v) for k, v in pairs if v is not None], None, object)


def _tag_mask(name: str, ids: np.ndarray) -> np.ndarray:
    through = Customer.tags.through
    holders = list(through.objects.filter(tag__name=name).values_list("customer_id", flat=True))
    return _aligned(ids, [(pk, True) for pk in holders], False, bool)


def field_loader(scored: dict[str, np.ndarray], ids: np.ndarray) -> Callable[[str], np.ndarray]:
    """Returns `get(field)`: the field's values aligned with `ids`, loaded once each."""
    cache: dict[str, np.ndarray] = dict(scored)

    def get(name: str) -> np.ndarray:
        if name not in cache:
            if name.startswith(CUSTOM_PREFIX):
                cache[name] = _custom(name[len(CUSTOM_PREFIX):], ids)
            elif name.startswith("person."):
                cache[name] = _column(PersonProfile, "customer_id", name.split(".", 1)[1], ids)
            elif name.startswith("organization."):
                cache[name] = _column(OrganizationProfile, "customer_id", name.split(".", 1)[1], ids)
            else:
                cache[name] = _column(Customer, "pk", name, ids)
        return cache[name]

    return get


def _as_numbers(values: np.ndarray) -> np.ndarray:
    if values.dtype != object:
        return values.astype(float)

    def number(v: Any) -> float:
        try:
            return float(v)
        except (TypeError, ValueError):
            return np.nan

    return np.fromiter((number(v) for v in values), dtype=float, count=values.size)


def condition_mask(condition: dict[str, Any], get: Callable[[str], np.ndarray], ids: np.ndarray) -> np.ndarray:
    name, op, value = condition["field"], condition["op"], condition["value"]
    spec = rule_field(name)
    assert spec is not None  # validated before evaluation
    if op in ("has", "has_not"):
        holds = _tag_mask(value, ids)
        return holds if op == "has" else ~holds
    numeric = spec.kind == NUMBER or op in (">=", ">", "<=", "<", "between") or (
        name.startswith(CUSTOM_PREFIX) and not isinstance(value, str | list))
    if numeric:
        values = _as_numbers(get(name))
        known = ~np.isnan(values)  # a missing figure matches no numeric condition, not even "!="
        with np.errstate(invalid="ignore"):
            result = {
                ">=": lambda: values >= value, ">": lambda: values > value, "<=": lambda: values <= value,
                "<": lambda: values < value, "==": lambda: values == value, "!=": lambda: values != value,
                "between": lambda: (values >= value[0]) & (values <= value[1]),
            }[op]()
        return result & known
    values = get(name)
    if op == "==":
        return values == value
    if op == "!=":
        return values != value
    members = np.isin(values.astype(str), [str(v) for v in value])
    return members if op == "in" else ~members


def evaluate(tiers: Sequence[TierSpec], get: Callable[[str], np.ndarray], ids: np.ndarray) -> np.ndarray:
    """Index into `tiers` of the first matching tier per customer, NO_TIER where none matches."""
    assigned = np.full(ids.size, NO_TIER, dtype=np.int64)
    open_ = np.ones(ids.size, dtype=bool)
    for index, tier in enumerate(tiers):
        if not tier.conditions:
            hit = open_.copy()
        else:
            masks = [condition_mask(c, get, ids) for c in tier.conditions]
            hit = (np.logical_and.reduce(masks) if tier.match == TierMatch.ALL else np.logical_or.reduce(masks)) & open_
        assigned[hit] = index
        open_ &= ~hit
        if not open_.any():
            break
    return assigned
