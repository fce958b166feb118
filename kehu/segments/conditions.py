"""What a segment can ask of a customer: the one list of fields, operators and values.

A segment's conditions are stored as JSON, `[{"field": "clv", "op": "at_least", "value": "5000"}]`,
and all of them must hold. `parse` checks a list against this vocabulary (every error names
the condition and what is wrong with it, in the user's language) and `to_filter` turns the
checked conditions into one `Q` over customers. Score fields (tier, RFM segment, value class,
CLV, P(alive), churn risk) read the latest finished scoring run; with none yet, they match
nobody.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kehu.customers.choices import ContactType, CustomerKind, CustomerStatus
from kehu.customers.models import ContactPoint, Customer
from kehu.insights.choices import ChurnRisk, RfmSegment, ValueClass
from kehu.insights.models import CustomerScore, ScoringRun, Tier

MAX_CONDITIONS = 20
MAX_TEXT = 100

OPERATORS = {
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "at_least": gettext_lazy("at least"),
    "at_most": gettext_lazy("at most"),
    "contains": gettext_lazy("contains"),
    "has": gettext_lazy("has"),
    "lacks": gettext_lazy("does not have"),
    "before": gettext_lazy("before"),
    "after": gettext_lazy("on or after"),
}
CHOICE_OPS = ("is", "is_not")
NUMBER_OPS = ("at_least", "at_most")
DATE_OPS = ("before", "after")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # parsed: a code, Decimal, date, or text

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "op": self.op, "value": str(self.value)}


@dataclass(frozen=True)
class FieldSpec:
    label: Any
    ops: tuple[str, ...]
    kind: str  # "choice", "number", "date", "text"
    choices: Callable[[], list[tuple[str, str]]] | None
    build: Callable[[str, Any, ScoringRun | None], Q]


def _negatable(op: str, q: Q) -> Q:
    return ~q if op in ("is_not", "lacks") else q


_BOUNDS = {"at_least": "gte", "at_most": "lte", "after": "gte", "before": "lt"}


def _bound(name: str, op: str, value: Any) -> Q:
    return Q(**{f"{name}__{_BOUNDS[op]}": value})


def _score(run: ScoringRun | None, q: Q) -> Q:
    """Customers whose snapshot in `run` satisfies `q` (no run: nobody)."""
    if run is None:
        return Q(pk__in=[])
    return Q(Exists(CustomerScore.objects.filter(q, customer_id=OuterRef("pk"), as_of=run.as_of)))


def _choices(enum) -> Callable[[], list[tuple[str, str]]]:
    return lambda: [(code, str(label)) for code, label in enum.choices]


def _tiers() -> list[tuple[str, str]]:
    return [(tier.name, tier.name) for tier in Tier.objects.filter(active=True).order_by("position")]


def _location(op: str, value: str, run: ScoringRun | None) -> Q:
    # Where a customer is: an organisation's registered address or region served, or an
    # address among the contact points (persons have no address column of their own).
    addresses = ContactPoint.objects.filter(customer_id=OuterRef("pk"), type=ContactType.ADDRESS,
                                            value__icontains=value)
    return (Q(organization__address__icontains=value) | Q(organization__region__icontains=value)
            | Q(Exists(addresses)))


def _days_since_last_order(op: str, value: Decimal, run: ScoringRun | None) -> Q:
    moment = timezone.now() - datetime.timedelta(days=int(value))
    # at least N days: the last order is at or before the moment (never ordered counts too)
    if op == "at_least":
        return Q(consumption__last_order_at__lte=moment) | Q(consumption__isnull=True) | Q(
            consumption__last_order_at__isnull=True)
    return Q(consumption__last_order_at__gte=moment)


FIELDS: dict[str, FieldSpec] = {
    "kind": FieldSpec(gettext_lazy("Kind"), CHOICE_OPS, "choice", _choices(CustomerKind),
                      lambda op, v, run: _negatable(op, Q(kind=v))),
    "status": FieldSpec(gettext_lazy("Status"), CHOICE_OPS, "choice", _choices(CustomerStatus),
                        lambda op, v, run: _negatable(op, Q(status=v))),
    "tag": FieldSpec(gettext_lazy("Tag"), ("has", "lacks"), "text", None,
                     lambda op, v, run: _negatable(op, Q(Exists(
                         Customer.tags.through.objects.filter(customer_id=OuterRef("pk"), tag__name=v))))),
    "location": FieldSpec(gettext_lazy("Location (address, region)"), ("contains",), "text", None, _location),
    "created": FieldSpec(gettext_lazy("On file since"), DATE_OPS, "date", None,
                         lambda op, v, run: _bound("created_at__date", op, v)),
    "total_spend": FieldSpec(gettext_lazy("Total spend"), NUMBER_OPS, "number", None,
                             lambda op, v, run: _bound("consumption__total_spend", op, v)),
    "order_count": FieldSpec(gettext_lazy("Orders"), NUMBER_OPS, "number", None,
                             lambda op, v, run: _bound("consumption__order_count", op, v)),
    "days_since_last_order": FieldSpec(gettext_lazy("Days since the last order"), NUMBER_OPS, "number", None,
                                       _days_since_last_order),
    "tier": FieldSpec(gettext_lazy("Tier"), CHOICE_OPS, "choice", _tiers,
                      lambda op, v, run: _negatable(op, _score(run, Q(tier__name=v)))),
    "rfm_segment": FieldSpec(gettext_lazy("RFM segment"), CHOICE_OPS, "choice", _choices(RfmSegment),
                             lambda op, v, run: _negatable(op, _score(run, Q(rfm_segment=v)))),
    "value_class": FieldSpec(gettext_lazy("Value class"), CHOICE_OPS, "choice", _choices(ValueClass),
                             lambda op, v, run: _negatable(op, _score(run, Q(value_class=v)))),
    "churn_risk": FieldSpec(gettext_lazy("Churn risk"), CHOICE_OPS, "choice", _choices(ChurnRisk),
                            lambda op, v, run: _negatable(op, _score(run, Q(churn_risk=v)))),
    "clv": FieldSpec(gettext_lazy("Customer lifetime value"), NUMBER_OPS, "number", None,
                     lambda op, v, run: _score(run, _bound("clv", op, v))),
    "p_alive": FieldSpec(gettext_lazy("Probability still active (0–1)"), NUMBER_OPS, "number", None,
                         lambda op, v, run: _score(run, _bound("p_alive", op, float(v)))),
}


def _value(spec: FieldSpec, raw: Any) -> Any:
    """The condition's value parsed for its field, or ValueError with the reason."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ValueError(_("a value is required"))
    if spec.kind == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number") % {"value": text[:MAX_TEXT]}) from None
        if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
            raise ValueError(_("give a number from 0 up"))
        return number
    if spec.kind == "date":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date like 2024-03-01") % {"value": text[:MAX_TEXT]}) from None
    if spec.kind == "choice":
        codes = [code for code, _label in spec.choices()]
        if text not in codes:
            raise ValueError(_("“%(value)s” is not one of: %(codes)s") % {"value": text[:MAX_TEXT],
                                                                          "codes": ", ".join(codes) or "—"})
        return text
    if len(text) > MAX_TEXT:
        raise ValueError(_("at most %(n)d characters") % {"n": MAX_TEXT})
    return text


def parse(raw: Any) -> list[Condition]:
    """Check stored or submitted conditions; ValidationError lists every problem found."""
    if not isinstance(raw, list):
        raise ValidationError(_("Conditions must be a list."))
    if len(raw) > MAX_CONDITIONS:
        raise ValidationError(_("At most %(n)d conditions.") % {"n": MAX_CONDITIONS})
    conditions, problems = [], []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(_("Condition %(n)d: give field, op and value.") % {"n": number})
            continue
        spec = FIELDS.get(str(item.get("field", "")))
        if spec is None:
            problems.append(_("Condition %(n)d: unknown field “%(field)s”; use one of: %(fields)s.") % {
                "n": number, "field": str(item.get("field", ""))[:MAX_TEXT], "fields": ", ".join(FIELDS)})
            continue
        op = str(item.get("op", ""))
        if op not in spec.ops:
            problems.append(_("Condition %(n)d (%(field)s): the operator must be one of: %(ops)s.") % {
                "n": number, "field": spec.label, "ops": ", ".join(spec.ops)})
            continue
        try:
            value = _value(spec, item.get("value"))
        except ValueError as error:
            problems.append(_("Condition %(n)d (%(field)s): %(reason)s.") % {
                "n": number, "field": spec.label, "reason": error})
            continue
        conditions.append(Condition(str(item["field"]), op, value))
    if problems:
        raise ValidationError(problems)
    return conditions


def to_filter(conditions: list[Condition], run: ScoringRun | None) -> Q:
    q = Q()
    for condition in conditions:
        q &= FIELDS[condition.field].build(condition.op, condition.value, run)
    return q


def describe(conditions: list[Condition]) -> list[str]:
    """Each condition in words: “Tier is 金牌”."""
    words = []
    for condition in conditions:
        spec = FIELDS[condition.field]
        value = str(condition.value)
        if spec.choices is not None:
            value = dict(spec.choices()).get(value, value)
        words.append(f"{spec.label} {OPERATORS[condition.op]} {value}")
    return words


def vocabulary() -> list[dict[str, Any]]:
    """The fields, their operators and (for choices) their values, for forms and the API."""
    return [
        {"field": name, "label": str(spec.label), "kind": spec.kind,
         "ops": [{"op": op, "label": str(OPERATORS[op])} for op in spec.ops],
         "choices": [{"value": code, "label": label} for code, label in spec.choices()] if spec.choices else None}
        for name, spec in FIELDS.items()
    ]
