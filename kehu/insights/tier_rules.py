"""Tier rules: which fields and operators exist, validation, and detecting unreachable tiers.

A tier is `{"name", "match": "all"|"any", "conditions": [{"field", "op", "value"}, …]}`; tiers
are evaluated top-down and the first match wins, so a tier with no conditions is a catch-all
and belongs last. Validation returns field-level messages keyed like `tiers[1].conditions[0].op`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from kehu.customers import choices as customer_choices
from kehu.insights.choices import ChurnRisk, RfmSegment, TierMatch, ValueClass

NUMBER, CHOICE, TEXT, TAGS = "number", "choice", "text", "tags"
OPERATORS = {
    NUMBER: (">=", ">", "<=", "<", "==", "!=", "between"),
    CHOICE: ("==", "!=", "in", "not_in"),
    TEXT: ("==", "!=", "in", "not_in"),
    TAGS: ("has", "has_not"),
}
NAME_MAX_LENGTH = 50


@dataclass(frozen=True)
class RuleField:
    kind: str
    choices: tuple[str, ...] = ()


def _choice(choices: type[models.TextChoices]) -> RuleField:
    return RuleField(CHOICE, tuple(choices.values))


_NUM = RuleField(NUMBER)
# Scored figures, customer attributes and a few non-sensitive profile fields. Sensitive ones
# (health, ID numbers, …) are deliberately absent: tiers must not be built on them.
FIELDS: dict[str, RuleField] = {
    "rfm_recency_days": _NUM, "rfm_frequency": _NUM, "rfm_monetary": _NUM,
    "rfm_r_score": _NUM, "rfm_f_score": _NUM, "rfm_m_score": _NUM, "rfm_score_total": _NUM,
    "rfm_segment": _choice(RfmSegment), "value_class": _choice(ValueClass),
    "clv": _NUM, "p_alive": _NUM, "expected_purchases": _NUM, "expected_order_value": _NUM,
    "churn_risk": _choice(ChurnRisk),
    "total_spend": _NUM, "order_count": _NUM, "average_order_value": _NUM,
    "kind": _choice(customer_choices.CustomerKind), "status": _choice(customer_choices.CustomerStatus),
    "source_channel": _choice(customer_choices.SourceChannel),
    "tags": RuleField(TAGS),
    "person.gender": _choice(customer_choices.Gender),
    "person.annual_income_band": _choice(customer_choices.IncomeBand),
    "person.price_band": _choice(customer_choices.PriceBand),
    "person.industry": RuleField(TEXT),
    "organization.industry": RuleField(TEXT),
    "organization.staff_size": _choice(customer_choices.StaffSize),
}
CUSTOM_PREFIX = "custom_fields."  # custom_fields.<key>: compared as text, or as a number with numeric operators


def rule_field(name: str) -> RuleField | None:
    if name in FIELDS:
        return FIELDS[name]
    if name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX):
        return RuleField(TEXT)
    return None


@dataclass
class TierSpec:
    name: str
    conditions: list[dict[str, Any]] = field(default_factory=list)
    match: str = TierMatch.ALL
    description: str = ""
    color: str = "#6b7280"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _condition_errors(condition: Any, at: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(condition, dict) or set(condition) - {"field", "op", "value"} or "field" not in condition:
        errors[at] = [_("A condition is {\"field\": …, \"op\": …, \"value\": …}.")]
        return
    name, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    spec = rule_field(name) if isinstance(name, str) else None
    if spec is None:
        errors[f"{at}.field"] = [_("Unknown field “%(field)s”. Known fields: %(known)s, custom_fields.<key>.")
                                 % {"field": name, "known": ", ".join(FIELDS)}]
        return
    # custom fields may be compared as numbers too
    allowed = OPERATORS[spec.kind] + (OPERATORS[NUMBER] if name.startswith(CUSTOM_PREFIX) else ())
    if op not in allowed:
        errors[f"{at}.op"] = [_("Operator “%(op)s” does not apply to %(field)s; use one of: %(ops)s.")
                              % {"op": op, "field": name, "ops": ", ".join(dict.fromkeys(allowed))}]
        return
    problem = _value_problem(spec, name, op, value)
    if problem:
        errors[f"{at}.value"] = [problem]


def _value_problem(spec: RuleField, name: str, op: str, value: Any) -> str | None:
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value)) and value[0] <= value[1]):
            return _("“between” takes two numbers, the lower first: [low, high].")
        return None
    if op in (">=", ">", "<=", "<") or (spec.kind == NUMBER):
        return None if _is_number(value) else _("%(field)s is compared with a number.") % {"field": name}
    if spec.kind == TAGS:
        return None if isinstance(value, str) and value.strip() else _("Give the tag's name.")
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not (isinstance(value, list) and value):
        return _("“%(op)s” takes a non-empty list.") % {"op": op}
    if spec.kind == TEXT:
        if name.startswith(CUSTOM_PREFIX) and op in ("==", "!=") and _is_number(value):
            return None
        return None if all(isinstance(v, str) for v in values) else _("%(field)s is compared with text.") % {"field": name}
    unknown = [v for v in values if v not in spec.choices]
    if unknown:
        return _("“%(value)s” is not a value of %(field)s; use one of: %(choices)s.") % {
            "value": unknown[0], "field": name, "choices": ", ".join(spec.choices)}
    return None


def validate(tiers: Sequence[TierSpec]) -> None:
    """Raise ValidationError with every problem of the tier list at once."""
    errors: dict[str, list[str]] = {}
    if not tiers:
        raise ValidationError({"tiers": [_("Define at least one tier.")]})
    seen: dict[str, int] = {}
    for index, tier in enumerate(tiers):
        at = f"tiers[{index}]"
        name = (tier.name or "").strip()
        if not name:
            errors[f"{at}.name"] = [_("A tier needs a name.")]
        elif len(name) > NAME_MAX_LENGTH:
            errors[f"{at}.name"] = [_("At most %(n)s characters.") % {"n": NAME_MAX_LENGTH}]
        elif name.casefold() in seen:
            errors[f"{at}.name"] = [_("“%(name)s” is already the name of tier %(other)s.")
                                    % {"name": name, "other": seen[name.casefold()] + 1}]
        else:
            seen[name.casefold()] = index
        if tier.match not in TierMatch.values:
            errors[f"{at}.match"] = [_("Match “all” or “any” of the conditions.")]
        if not isinstance(tier.conditions, list):
            errors[f"{at}.conditions"] = [_("Conditions are a list.")]
            continue
        for position, condition in enumerate(tier.conditions):
            _condition_errors(condition, f"{at}.conditions[{position}]", errors)
    if errors:
        raise ValidationError(errors)
    _check_reachable(tiers)


# ----------------------------------------------------------------- overlap (unreachable tiers)
#
# A tier is unreachable when every customer it could match is already taken by tiers above it
# (first match wins). The check is sound, not complete: it reports only what it can prove,
# from conditions on the same field (numeric intervals, sets of values, tags).


def _interval(op: str, value: Any) -> tuple[float, bool, float, bool] | None:
    """(low, low_closed, high, high_closed) for numeric conditions."""
    inf = math.inf
    return {
        ">=": (value, True, inf, False), ">": (value, False, inf, False),
        "<=": (-inf, False, value, True), "<": (-inf, False, value, False),
        "==": (value, True, value, True),
    }.get(op) or ((value[0], True, value[1], True) if op == "between" else None)


def _inside(inner: tuple, outer: tuple) -> bool:
    lo, lo_closed, hi, hi_closed = inner
    olo, olo_closed, ohi, ohi_closed = outer
    low_ok = lo > olo or (lo == olo and (olo_closed or not lo_closed))
    high_ok = hi < ohi or (hi == ohi and (ohi_closed or not hi_closed))
    return low_ok and high_ok


def _implies(b: dict[str, Any], a: dict[str, Any]) -> bool:
    """Does condition b (on a customer) guarantee condition a?"""
    if b["field"] != a["field"]:
        return False
    if b == a:
        return True
    numeric = all(_is_number(c["value"]) or c["op"] == "between" for c in (a, b))
    if numeric:
        ib, ia = _interval(b["op"], b["value"]), _interval(a["op"], a["value"])
        if ib and ia:
            return _inside(ib, ia)
        if a["op"] == "!=" and ib:  # b's interval avoids a's excluded value
            return not _inside((a["value"], True, a["value"], True), ib)
        return False
    as_set = {"==": lambda v: {v}, "in": set}
    if b["op"] in as_set and a["op"] in as_set:
        return as_set[b["op"]](b["value"]) <= as_set[a["op"]](a["value"])
    if b["op"] in as_set and a["op"] in ("!=", "not_in"):
        excluded = {a["value"]} if a["op"] == "!=" else set(a["value"])
        return not (as_set[b["op"]](b["value"]) & excluded)
    return False


def _conjunctions(tier: TierSpec) -> list[list[dict[str, Any]]]:
    """The tier as OR-of-ANDs: "all" is one conjunction, "any" one per condition, none = match everyone."""
    if not tier.conditions:
        return [[]]
    return [list(tier.conditions)] if tier.match == TierMatch.ALL else [[c] for c in tier.conditions]


def _covered(conjunction: list[dict[str, Any]], by: list[dict[str, Any]]) -> bool:
    return all(any(_implies(b, a) for b in conjunction) for a in by)


def _check_reachable(tiers: Sequence[TierSpec]) -> None:
    errors: dict[str, list[str]] = {}
    for index, tier in enumerate(tiers):
        blockers: list[str] = []
        for conjunction in _conjunctions(tier):
            blocker = next((above.name for above in tiers[:index]
                            for option in _conjunctions(above) if _covered(conjunction, option)), None)
            if blocker is None:
                blockers = []
                break
            blockers.append(blocker)
        if blockers:
            names = "、".join(dict.fromkeys(blockers))
            errors[f"tiers[{index}]"] = [
                _("Tier “%(name)s” can never match: every customer it describes is already taken by %(above)s "
                  "above it (the first matching tier wins). Reorder or narrow the tiers.")
                % {"name": tier.name, "above": names}]
    if errors:
        raise ValidationError(errors)


def describe(tier: TierSpec) -> str:
    """The rule as a short expression, stored with each snapshot as the reason for the tier."""
    if not tier.conditions:
        return f"{tier.name}: *"
    parts = [f"{c['field']} {c['op']} {c['value']}" for c in tier.conditions]
    joined = " and ".join(parts) if tier.match == TierMatch.ALL else " or ".join(parts)
    return f"{tier.name}: {joined}"[:500]


def rule_reason(run_parameters: dict[str, Any], tier_id: int | None) -> str:
    """The rule that gave `tier_id` in a run, from the tiers stored with the run."""
    for tier in run_parameters.get("tiers", []):
        if tier["id"] == tier_id:
            return describe(TierSpec(name=tier["name"], conditions=tier["conditions"], match=tier["match"]))
    return ""
