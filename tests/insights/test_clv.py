"""BG/NBD and Gamma-Gamma against the published CDNOW results and the papers' formulas.

Fader, Hardie & Lee (2005), Marketing Science 24(2): r = 0.243, α = 4.414, a = 0.793,
b = 2.426, LL = −9582.4 on the 2,357-customer sample with a 39-week calibration period.
Fader, Hardie & Lee (2005) "RFM and CLV" / the Gamma-Gamma note: p = 6.25, q = 3.74,
γ = 15.44 on the same sample's 946 repeat customers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kehu.insights import clv

DATA = Path(__file__).parent / "data" / "cdnow_summary.csv"
PUBLISHED = clv.BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
PUBLISHED_GG = clv.GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)


@pytest.fixture(scope="module")
def cdnow() -> np.ndarray:
    return np.genfromtxt(DATA, delimiter=",", names=True)


def test_sample_is_the_papers(cdnow):
    assert cdnow.size == 2357
    assert int((cdnow["x"] > 0).sum()) == 946
    assert int(cdnow["x"].sum()) == 2457  # repeat transactions in the calibration period


def test_bgnbd_fit_reproduces_published_parameters(cdnow):
    fit = clv.bgnbd_fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    p = fit.parameters
    assert fit.converged
    assert p.r == pytest.approx(0.243, abs=0.0005)
    assert p.alpha == pytest.approx(4.414, abs=0.005)
    assert p.a == pytest.approx(0.793, abs=0.0005)
    assert p.b == pytest.approx(2.426, abs=0.005)
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)


def test_log_likelihood_at_published_parameters(cdnow):
    """The likelihood itself, independently of the optimiser."""
    total = clv.bgnbd_log_likelihood_terms(PUBLISHED, cdnow["x"], cdnow["t_x"], cdnow["T"]).sum()
    assert total == pytest.approx(-9582.4, abs=0.5)


def test_gamma_gamma_fit_reproduces_published_parameters(cdnow):
    repeat = cdnow["x"] > 0
    fit = clv.gamma_gamma_fit(cdnow["x"][repeat], cdnow["zbar"][repeat])
    p = fit.parameters
    assert fit.customers == 946
    assert p.p == pytest.approx(6.25, abs=0.01)
    assert p.q == pytest.approx(3.74, abs=0.01)
    assert p.gamma == pytest.approx(15.44, abs=0.02)


def test_sampled_fit_is_close(cdnow):
    full = clv.bgnbd_fit(cdnow["x"], cdnow["t_x"], cdnow["T"]).parameters
    sampled = clv.bgnbd_fit(cdnow["x"], cdnow["t_x"], cdnow["T"], max_customers=2000).parameters
    assert sampled.r == pytest.approx(full.r, rel=0.15)
    assert clv.bgnbd_fit(cdnow["x"], cdnow["t_x"], cdnow["T"], max_customers=2000).customers == 2000


# ---- hand-checked customers: the formulas written out with math, published parameters


def hyp2f1(a: float, b: float, c: float, z: float) -> float:
    """Gauss's series, summed until the terms vanish (|z| < 1 here)."""
    term, total, k = 1.0, 1.0, 0
    while abs(term) > 1e-15 * abs(total):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        k += 1
    return total


def p_alive_by_hand(x: int, t_x: float, T: float, p=PUBLISHED) -> float:
    """FHL (2005) eq. 11."""
    if x == 0:
        return 1.0
    return 1 / (1 + p.a / (p.b + x - 1) * ((p.alpha + T) / (p.alpha + t_x)) ** (p.r + x))


def expected_by_hand(t: float, x: int, t_x: float, T: float, p=PUBLISHED) -> float:
    """FHL (2005) eq. 10."""
    r, alpha, a, b = p.r, p.alpha, p.a, p.b
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    numerator = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper)
    odds = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    return numerator / (1 + odds)


CUSTOMERS = [  # (x, t_x, T): CDNOW customers 1, 2, 3 and two made-up extremes
    (2, 30.43, 38.86),
    (1, 1.71, 38.86),
    (0, 0.0, 38.86),
    (7, 29.43, 32.0),
    (14, 10.0, 38.0),
]


@pytest.mark.parametrize(("x", "t_x", "T"), CUSTOMERS)
def test_p_alive_matches_formula(x, t_x, T):
    got = clv.bgnbd_p_alive(PUBLISHED, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(p_alive_by_hand(x, t_x, T), rel=1e-9)


@pytest.mark.parametrize(("x", "t_x", "T"), CUSTOMERS)
@pytest.mark.parametrize("t", [1.0, 13.0, 39.0])
def test_expected_purchases_match_formula(x, t_x, T, t):
    got = clv.bgnbd_expected_conditional(PUBLISHED, t, np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert got == pytest.approx(expected_by_hand(t, x, t_x, T), rel=1e-8)


def test_known_values_of_customer_one():
    """Worked by hand: x = 2, t_x = 30.43, T = 38.86 → P(alive) ≈ 0.726, 1.226 purchases in 39 weeks."""
    assert p_alive_by_hand(2, 30.43, 38.86) == pytest.approx(0.726, abs=0.001)
    assert expected_by_hand(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.002)


def test_unconditional_expectation_matches_formula():
    p = PUBLISHED
    t = 39.0
    by_hand = (p.a + p.b - 1) / (p.a - 1) * (1 - (p.alpha / (p.alpha + t)) ** p.r
                                               * hyp2f1(p.r, p.b, p.a + p.b - 1, t / (p.alpha + t)))
    assert clv.bgnbd_expected_unconditional(p, t) == pytest.approx(by_hand, rel=1e-9)


def test_gamma_gamma_expected_value_matches_formula():
    p = PUBLISHED_GG
    x, m = 3, 40.0
    by_hand = (p.q - 1) / (p.p * x + p.q - 1) * (p.p * p.gamma / (p.q - 1)) + p.p * x / (p.p * x + p.q - 1) * m
    got = clv.gamma_gamma_expected_value(p, np.array([x, 0]), np.array([m, 0.0]))
    assert got[0] == pytest.approx(by_hand, rel=1e-12)
    assert got[1] == pytest.approx(p.p * p.gamma / (p.q - 1))


def test_clv_sums_discounted_monthly_purchases():
    p, value = PUBLISHED, np.array([20.0])
    x, t_x, T = np.array([2.0]), np.array([30.43]), np.array([38.86])
    month = 52 / 12
    got = clv.discounted_clv(p, value, x, t_x, T, months=3, monthly_discount=0.01, month_length=month)[0]
    cumulative = [0.0] + [expected_by_hand(i * month, 2, 30.43, 38.86) for i in (1, 2, 3)]
    by_hand = sum((cumulative[i] - cumulative[i - 1]) / 1.01**i for i in (1, 2, 3)) * 20.0
    assert got == pytest.approx(by_hand, rel=1e-8)


def test_tens_of_thousands_of_orders_keep_a_finite_forecast():
    """FHL's form gave NaN here (0 · ∞). A customer who bought today is surely alive, and the
    forecast is then about their own rate (x / T per time unit, over t)."""
    x, t_x, T = np.array([25_000.0]), np.array([1001.0]), np.array([1001.0])
    got = clv.bgnbd_expected_conditional(PUBLISHED, 52.0, x, t_x, T)[0]
    rate = (PUBLISHED.r + 25_000) / (PUBLISHED.alpha + 1001)  # the posterior mean purchase rate
    # a little under rate · t: each purchase may still be the last one
    assert np.isfinite(got) and 0.95 * rate * 52 < got < rate * 52


def test_large_counts_stay_finite():
    x = np.array([400.0, 1000.0])
    got = clv.bgnbd_expected_conditional(PUBLISHED, 52.0, x, np.array([300.0, 500.0]), np.array([301.0, 501.0]))
    assert np.all(np.isfinite(got)) and np.all(got > 0)
    assert np.all(np.isfinite(clv.bgnbd_p_alive(PUBLISHED, x, np.array([300.0, 50.0]), np.array([301.0, 501.0]))))


def _simulate(n: int, p: clv.BgNbdParameters, seed: int) -> tuple[np.ndarray, ...]:
    """Customers drawn from the BG/NBD story itself (Poisson purchases, drop-out after each)."""
    rng = np.random.default_rng(seed)
    rates, drop = rng.gamma(p.r, 1 / p.alpha, n), rng.beta(p.a, p.b, n)
    T = rng.uniform(100, 400, n)
    x, t_x = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / rates[i])
            if t > T[i]:
                break
            x[i], t_x[i] = x[i] + 1, t
            if rng.random() < drop[i]:
                break
    return x, t_x, T


def test_fit_recovers_simulated_parameters():
    true = clv.BgNbdParameters(r=0.9, alpha=40.0, a=0.8, b=3.0)
    fit = clv.bgnbd_fit(*_simulate(6000, true, seed=7)).parameters
    assert fit.r == pytest.approx(true.r, rel=0.15)
    assert fit.alpha == pytest.approx(true.alpha, rel=0.2)
    assert fit.a / (fit.a + fit.b) == pytest.approx(true.a / (true.a + true.b), rel=0.25)


def test_too_little_data_is_a_fit_error():
    with pytest.raises(clv.FitError):
        clv.bgnbd_fit(np.zeros(10), np.zeros(10), np.ones(10))
    with pytest.raises(clv.FitError):
        clv.gamma_gamma_fit(np.array([1.0]), np.array([5.0]))
    assert math.isnan(clv.GammaGammaParameters(1, 0.5, 1).population_mean)


def test_gamma_gamma_gradient_matches_finite_differences(cdnow):
    from scipy import optimize

    repeat = cdnow["x"] > 0
    x, m = clv._Distinct.of(cdnow["x"][repeat]), cdnow["zbar"][repeat] / 30
    point = np.log([2.0, 3.0, 0.5])
    analytic = clv._gamma_gamma_negative_and_gradient(point, x, m, np.log(m))[1]
    numeric = optimize.approx_fprime(point, lambda v: clv._gamma_gamma_negative_and_gradient(v, x, m, np.log(m))[0],
                                     1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4)


def test_bgnbd_gradient_matches_finite_differences(cdnow):
    from scipy import optimize

    data = [clv._Distinct.of(cdnow[k]) for k in ("x", "t_x", "T")]
    point = np.log([0.3, 5.0, 0.9, 2.0])
    analytic = clv._bgnbd_negative_and_gradient(point, *data)[1]
    numeric = optimize.approx_fprime(point, lambda v: clv._bgnbd_negative_and_gradient(v, *data)[0], 1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize("unit", [1.0, 7.0, 100.0])
def test_fits_do_not_depend_on_units(cdnow, unit):
    """Days instead of weeks, fen instead of yuan: the same model, parameters rescaled."""
    fit = clv.bgnbd_fit(cdnow["x"], cdnow["t_x"] * unit, cdnow["T"] * unit)
    assert fit.parameters.alpha / unit == pytest.approx(4.414, abs=0.005)
    assert fit.parameters.r == pytest.approx(0.243, abs=0.0005)
    assert fit.log_likelihood + np.log(unit) * cdnow["x"].sum() == pytest.approx(-9582.4, abs=0.05)
    repeat = cdnow["x"] > 0
    spend = clv.gamma_gamma_fit(cdnow["x"][repeat], cdnow["zbar"][repeat] * unit)
    assert spend.parameters.gamma / unit == pytest.approx(15.44, abs=0.02)
    assert spend.parameters.p == pytest.approx(6.25, abs=0.01)
