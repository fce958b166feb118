"""What a scoring run can be told: windows, horizons, thresholds. Checked before anything runs."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.insights.aggregates import Periods
from kehu.insights.churn import ChurnSettings

MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True)
class AffinitySettings:
    """Co-purchase neighbours ("customers who bought A also bought B"), see `affinity`."""

    # Customers who must have bought both before a pair counts: below it a rate says little,
    # and it keeps every rate shown an aggregate over several customers, never about one.
    min_support: int = 5
    top_k: int = 10  # neighbours kept per category or product
    # Customers with more distinct products than this (wholesalers, staff accounts) are left
    # out of the product pairs: they say little about affinity and cost pairs quadratically.
    max_items_per_customer: int = 100
    # Customers the pairs are counted over at most (every n-th id above it; None = all), as
    # the CLV fits use a sample: rates settle long before a million customers, the cost does not.
    sample_customers: int | None = 100_000

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScoringConfig:
    window_days: int | None = 365  # RFM frequency/monetary window; None = all history
    prediction_days: int = 90  # "expected purchases in the next N days"
    clv_months: int = 12
    monthly_discount: float = 0.01
    holdout_days: int = 180  # fit diagnostics: calibrate before, compare within
    fit_sample: int | None = 100_000  # customers the fits use at most (fixed-seed sample)
    # Fixed cut-offs instead of quantiles (four values, for scores 2..5): recency as "at most
    # N days" (descending), frequency and monetary as "at least" (ascending).
    recency_cuts: tuple[float, ...] | None = None
    frequency_cuts: tuple[float, ...] | None = None
    monetary_cuts: tuple[float, ...] | None = None
    value_class_statistic: str = "mean"  # compare R, F, M against the base's mean or median
    churn: ChurnSettings = field(default_factory=ChurnSettings)
    affinity: AffinitySettings = field(default_factory=AffinitySettings)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("recency_cuts", "frequency_cuts", "monetary_cuts"):
            data[key] = list(data[key]) if data[key] is not None else None
        return data

    def validate(self) -> None:
        errors: dict[str, list[str]] = {}

        def positive_int(name: str, value: Any, *, allow_none: bool = False, upper: int = 36500) -> None:
            if value is None and allow_none:
                return
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= upper:
                errors[name] = [_("A whole number from 1 to %(upper)s.") % {"upper": upper}]

        positive_int("window_days", self.window_days, allow_none=True)
        positive_int("prediction_days", self.prediction_days)
        positive_int("clv_months", self.clv_months, upper=120)
        positive_int("holdout_days", self.holdout_days)
        positive_int("fit_sample", self.fit_sample, allow_none=True, upper=100_000_000)
        positive_int("churn.spend_period_days", self.churn.spend_period_days)
        positive_int("affinity.min_support", self.affinity.min_support, upper=1_000_000)
        positive_int("affinity.top_k", self.affinity.top_k, upper=100)
        positive_int("affinity.max_items_per_customer", self.affinity.max_items_per_customer, upper=100_000)
        positive_int("affinity.sample_customers", self.affinity.sample_customers, allow_none=True, upper=100_000_000)
        if not 0 <= self.monthly_discount < 1:
            errors["monthly_discount"] = [_("A monthly rate between 0 and 1, e.g. 0.01.")]
        if self.value_class_statistic not in ("mean", "median"):
            errors["value_class_statistic"] = [_("“mean” or “median”.")]
        if not 0 < self.churn.p_alive_below < 1:
            errors["churn.p_alive_below"] = [_("A probability between 0 and 1.")]
        if not self.churn.overdue_factor > 0:
            errors["churn.overdue_factor"] = [_("A positive factor, e.g. 2.")]
        if not 0 < self.churn.spend_drop < 1:
            errors["churn.spend_drop"] = [_("A fraction between 0 and 1, e.g. 0.5 for a 50% fall.")]
        for name, descending in (("recency_cuts", True), ("frequency_cuts", False), ("monetary_cuts", False)):
            cuts = getattr(self, name)
            if cuts is None:
                continue
            ordered = sorted(cuts, reverse=descending)
            if len(cuts) != 4 or list(cuts) != ordered or len(set(cuts)) != 4:
                errors[name] = [_("Four distinct values for scores 2 to 5, %(order)s.")
                                % {"order": _("largest first") if descending else _("smallest first")}]
        if errors:
            raise ValidationError(errors)


def cutoff_of(as_of: datetime.date) -> datetime.datetime:
    """The end of the as-of day in the business's time zone: orders before it count."""
    return timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min))


def check_as_of(as_of: Any) -> datetime.date:
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        raise ValidationError({"as_of": [_("A date, e.g. 2025-06-30.")]})
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": [_("Scores cannot be computed for a date in the future.")]})
    return as_of


def periods_of(as_of: datetime.date, config: ScoringConfig) -> Periods:
    cutoff = cutoff_of(as_of)
    day = datetime.timedelta(days=1)
    return Periods(
        cutoff=cutoff,
        window_start=cutoff - config.window_days * day if config.window_days else None,
        spend_period_start=cutoff - config.churn.spend_period_days * day,
        previous_period_start=cutoff - 2 * config.churn.spend_period_days * day,
        holdout_start=cutoff - config.holdout_days * day,
    )
