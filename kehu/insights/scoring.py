"""From per-customer figures to scores: RFM, both segment schemes, CLV, churn — all vectorised.

Nothing here writes; `kehu.insights.snapshots` stores the result and `services.scoring_run`
wraps both in one transaction with the run row and its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kehu.insights import churn, clv, rfm
from kehu.insights.aggregates import Figures
from kehu.insights.config import MONTH_DAYS, ScoringConfig


@dataclass
class ScoreTable:
    """One entry per customer (aligned with `figures.customer_ids`); NaN/'' where not applicable."""

    figures: Figures
    recency_days: np.ndarray
    r_score: np.ndarray  # 0 = not scored (never bought)
    f_score: np.ndarray
    m_score: np.ndarray
    segment: np.ndarray
    value_class: np.ndarray
    expected_purchases: np.ndarray
    p_alive: np.ndarray
    expected_order_value: np.ndarray
    clv: np.ndarray
    churn: churn.ChurnResult
    diagnostics: dict[str, Any] = field(default_factory=dict)
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def buyers(self) -> np.ndarray:
        return self.figures.orders > 0

    def rule_values(self) -> dict[str, np.ndarray]:
        """The scored figures tier rules may use, by rule field name."""
        f, scored = self.figures, self.r_score > 0
        score = lambda s: np.where(scored, s, np.nan)  # noqa: E731
        with np.errstate(invalid="ignore", divide="ignore"):
            average = np.where(f.orders > 0, f.spend / f.orders, np.nan)
        return {
            "rfm_recency_days": self.recency_days, "rfm_frequency": f.window_orders, "rfm_monetary": f.window_spend,
            "rfm_r_score": score(self.r_score), "rfm_f_score": score(self.f_score), "rfm_m_score": score(self.m_score),
            "rfm_score_total": score(self.r_score + self.f_score + self.m_score),
            "rfm_segment": self.segment, "value_class": self.value_class,
            "clv": self.clv, "p_alive": self.p_alive, "expected_purchases": self.expected_purchases,
            "expected_order_value": self.expected_order_value, "churn_risk": self.churn.risk,
            "total_spend": f.spend, "order_count": f.orders, "average_order_value": average,
        }


def _scores(values: np.ndarray, buyers: np.ndarray, cuts: tuple[float, ...] | None, *, lower_is_better: bool = False
            ) -> tuple[np.ndarray, rfm.Thresholds]:
    sign = -1.0 if lower_is_better else 1.0
    signed = sign * values
    if cuts is not None:
        thresholds = rfm.fixed_thresholds([sign * c for c in cuts])
    else:
        thresholds = rfm.quantile_thresholds(signed[buyers])
    scores = np.zeros(values.size, dtype=np.int16)
    scores[buyers] = thresholds.score(signed[buyers])
    return scores, thresholds


def _rfm(figures: Figures, recency: np.ndarray, config: ScoringConfig) -> tuple[np.ndarray, ...]:
    buyers = figures.orders > 0
    r, r_cuts = _scores(recency, buyers, config.recency_cuts, lower_is_better=True)
    f, f_cuts = _scores(figures.window_orders, buyers, config.frequency_cuts)
    m, m_cuts = _scores(figures.window_spend, buyers, config.monetary_cuts)
    segment = np.full(figures.size, "", dtype=object)
    segment[buyers] = rfm.segments(r[buyers], f[buyers], m[buyers])
    reference = rfm.value_class_reference(recency[buyers], figures.window_orders[buyers],
                                          figures.window_spend[buyers], statistic=config.value_class_statistic)
    classes = np.full(figures.size, "", dtype=object)
    classes[buyers] = rfm.value_classes(recency[buyers], figures.window_orders[buyers], figures.window_spend[buyers],
                                        reference)
    # Recency thresholds are stored in days again (they were negated to rank "fewer days" higher).
    r_info = r_cuts.as_dict() | {"cuts_days": [-c for c in r_cuts.cuts], "rule": "days < cut" if
                                 r_cuts.method == "quantile" else "days <= cut"}
    thresholds = {"recency": r_info, "frequency": f_cuts.as_dict(), "monetary": m_cuts.as_dict(),
                  "value_class_reference": reference.as_dict()}
    return r, f, m, segment, classes, thresholds


def _holdout(figures: Figures, holdout_start: float, config: ScoringConfig) -> dict[str, Any]:
    """Fit on the calibration period, predict the holdout, compare per calibration frequency:
    the data for a "calibration vs holdout" chart (mean actual vs predicted repeat purchases)."""
    cal = figures.calibration_orders > 0
    x = figures.calibration_orders[cal] - 1
    t_x = figures.calibration_last[cal] - figures.calibration_first[cal]
    T = holdout_start - figures.calibration_first[cal]
    try:
        fit = clv.bgnbd_fit(x, t_x, T, max_customers=config.fit_sample)
    except clv.FitError as error:
        return {"skipped": str(error)}
    predicted = clv.bgnbd_expected_conditional(fit.parameters, float(config.holdout_days), x, t_x, T)
    actual = figures.holdout_orders[cal]
    rows = []
    for bucket in range(8):
        members = (x == bucket) if bucket < 7 else (x >= 7)
        if members.any():
            rows.append({"calibration_repeat_purchases": bucket if bucket < 7 else "7+", "customers": int(members.sum()),
                         "actual_mean": float(actual[members].mean()), "predicted_mean": float(predicted[members].mean())})
    return {
        "holdout_days": config.holdout_days, "customers": int(cal.sum()),
        "parameters": fit.parameters.as_dict(), "log_likelihood": fit.log_likelihood,
        "actual_total": float(actual.sum()), "predicted_total": float(np.nansum(predicted)), "by_frequency": rows,
    }


def _clv(figures: Figures, cutoff: float, config: ScoringConfig, diagnostics: dict[str, Any]
         ) -> tuple[np.ndarray, ...]:
    n = figures.size
    buyers = figures.orders > 0
    nan = np.full(n, np.nan)
    expected, alive, order_value, value = nan.copy(), nan.copy(), nan.copy(), nan.copy()
    x = figures.orders[buyers] - 1
    t_x = figures.last[buyers] - figures.first[buyers]
    T = cutoff - figures.first[buyers]
    try:
        fit = clv.bgnbd_fit(x, t_x, T, max_customers=config.fit_sample)
    except clv.FitError as error:
        diagnostics["bgnbd"] = {"skipped": str(error)}
        return expected, alive, order_value, value
    diagnostics["bgnbd"] = {"parameters": fit.parameters.as_dict(), "log_likelihood": fit.log_likelihood,
                            "customers": fit.customers, "iterations": fit.iterations, "converged": fit.converged,
                            "time_unit": "day"}
    alive[buyers] = clv.bgnbd_p_alive(fit.parameters, x, t_x, T)
    expected[buyers] = clv.bgnbd_expected_conditional(fit.parameters, float(config.prediction_days), x, t_x, T)
    # Spend: the mean net value of the customer's orders, over all of them (the first included:
    # it is what the business sees as the customer's typical order). Gamma-Gamma is fitted on
    # customers with two or more orders, as the model's independence assumption asks.
    counts = figures.orders[buyers]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_value = figures.spend[buyers] / counts
    try:
        spend_fit = clv.gamma_gamma_fit(np.where(counts >= 2, counts, 0), mean_value, max_customers=config.fit_sample)
    except clv.FitError as error:
        diagnostics["gamma_gamma"] = {"skipped": str(error)}
        return expected, alive, order_value, value
    params = spend_fit.parameters
    diagnostics["gamma_gamma"] = {"parameters": params.as_dict(), "log_likelihood": spend_fit.log_likelihood,
                                  "customers": spend_fit.customers, "iterations": spend_fit.iterations,
                                  "converged": spend_fit.converged, "population_mean": params.population_mean}
    usable = mean_value > 0
    order_value[buyers] = clv.gamma_gamma_expected_value(params, np.where(usable, counts, 0), np.where(usable, mean_value, 0))
    value[buyers] = clv.discounted_clv(fit.parameters, order_value[buyers], x, t_x, T, months=config.clv_months,
                                       monthly_discount=config.monthly_discount, month_length=MONTH_DAYS)
    return expected, alive, order_value, value


def compute(figures: Figures, config: ScoringConfig, *, cutoff: float, holdout_start: float) -> ScoreTable:
    """Everything but tiers, for every customer in `figures`."""
    buyers = figures.orders > 0
    with np.errstate(invalid="ignore"):
        recency = np.where(buyers, np.floor(cutoff - figures.last), np.nan)
    r, f, m, segment, classes, thresholds = _rfm(figures, recency, config)
    diagnostics: dict[str, Any] = {"customers": figures.size, "buyers": int(buyers.sum())}
    expected, alive, order_value, value = _clv(figures, cutoff, config, diagnostics)
    diagnostics["holdout"] = _holdout(figures, holdout_start, config)
    risk = churn.assess(config.churn, orders=figures.orders, recency_days=recency,
                        span_days=figures.last - figures.first, p_alive=alive,
                        spend_recent=figures.spend_recent, spend_previous=figures.spend_previous)
    return ScoreTable(figures, recency, r, f, m, segment, classes, expected, alive, order_value, value, risk,
                      diagnostics, thresholds)
