"""A whole scoring run on hand-computed cases: RFM with ties, both schemes, idempotence, CLV plumbing."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehu.audit.models import AuditEvent
from kehu.insights import churn, clv
from kehu.insights.choices import ChurnRisk, RfmSegment, ValueClass
from kehu.insights.config import ScoringConfig
from kehu.insights.models import CustomerScore, ScoringRun, ScoringRunStatus
from kehu.insights.services import scoring_run
from tests.insights.conftest import AS_OF, at

pytestmark = pytest.mark.django_db


def scores_by_name(run: ScoringRun) -> dict[str, CustomerScore]:
    return {s.customer.name: s for s in CustomerScore.objects.filter(run=run).select_related("customer")}


def test_hand_computed_rfm(base):
    run = scoring_run(as_of=AS_OF)
    s = scores_by_name(run)
    # recency in days from the end of 2025-06-30; frequency/monetary over the last 365 days
    assert [(s[n].recency_days, s[n].frequency, float(s[n].monetary)) for n in "ABCDE"] == [
        (10, 3, 600.0), (10, 3, 600.0), (121, 1, 50.0), (1, 1, 50.0), (211, 1, 400.0)]
    # R: ranks of −recency; F: 1,1,1,3,3 → cuts 1,1,1,3; M: 50,50,400,600,600 → cuts 50,50,400,600
    assert [(s[n].r_score, s[n].f_score, s[n].m_score) for n in "ABCDE"] == [
        (3, 4, 4), (3, 4, 4), (2, 1, 1), (5, 1, 1), (1, 1, 3)]
    assert [s[n].rfm_score_total for n in "ABCDE"] == [11, 11, 4, 7, 5]
    assert [s[n].rfm_segment for n in "ABCDE"] == [
        RfmSegment.LOYAL, RfmSegment.LOYAL, RfmSegment.HIBERNATING, RfmSegment.NEW, RfmSegment.LOST]
    # means: 70.6 days, 1.8 orders, 340 spent
    assert [s[n].value_class for n in "ACDE"] == [
        ValueClass.IMPORTANT_VALUE, ValueClass.GENERAL_RETAIN, ValueClass.GENERAL_DEVELOP, ValueClass.IMPORTANT_RETAIN]
    # all-history figures: D's 2024 order counts here, void orders nowhere
    assert (s["D"].order_count, float(s["D"].total_spend)) == (2, 1050.0)
    assert (s["E"].order_count, float(s["E"].total_spend)) == (1, 400.0)
    # a customer without purchases has a row but no scores
    f = s["F"]
    assert (f.recency_days, f.r_score, f.rfm_segment, f.value_class, f.order_count) == (None, None, "", "", 0)
    assert run.parameters["thresholds"]["monetary"] == {"method": "quantile", "cuts": [50.0, 50.0, 400.0, 600.0]}
    assert run.parameters["thresholds"]["recency"]["cuts_days"] == [211.0, 121.0, 10.0, 10.0]
    assert run.counts["rfm_segment"] == {"hibernating": 1, "lost": 1, "loyal": 2, "new": 1}


def test_all_history_window_and_fixed_cut_offs(base):
    run = scoring_run(as_of=AS_OF, config=ScoringConfig(window_days=None, frequency_cuts=(2, 3, 5, 8),
                                                        recency_cuts=(365, 180, 30, 7)))
    s = scores_by_name(run)
    assert (s["D"].frequency, float(s["D"].monetary)) == (2, 1050.0)
    assert [s[n].f_score for n in "ABCDE"] == [3, 3, 1, 2, 1]
    assert [s[n].r_score for n in "ABCDE"] == [4, 4, 3, 5, 2]  # 10 ≤ 30, 121 ≤ 180, 1 ≤ 7, 211 ≤ 365


def test_rescoring_a_date_replaces_it(base, shop):
    first = scoring_run(as_of=AS_OF)
    shop.order(base["C"], "2025-06-28", 5000)
    second = scoring_run(as_of=AS_OF)
    assert second.pk == first.pk
    assert CustomerScore.objects.filter(as_of=AS_OF).count() == 6
    assert CustomerScore.objects.get(as_of=AS_OF, customer=base["C"]).recency_days == 2
    assert ScoringRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="insights.score").count() == 2


def test_dates_are_kept_apart(base):
    scoring_run(as_of=AS_OF)
    scoring_run(as_of=AS_OF - datetime.timedelta(days=30))
    assert CustomerScore.objects.count() == 12
    assert ScoringRun.current().as_of == AS_OF
    earlier = CustomerScore.objects.get(as_of=AS_OF - datetime.timedelta(days=30), customer=base["D"])
    assert earlier.recency_days == 547 - 30 - 1  # only the 2024-01-01 order existed then


def test_bad_input_is_rejected_before_anything_is_written(base):
    with pytest.raises(ValidationError) as error:
        scoring_run(as_of=datetime.date(2999, 1, 1))
    assert "as_of" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        scoring_run(as_of=AS_OF, config=ScoringConfig(window_days=0, monthly_discount=2, frequency_cuts=(5, 3, 2, 1)))
    assert set(error.value.message_dict) == {"window_days", "monthly_discount", "frequency_cuts"}
    assert not ScoringRun.objects.exists() and not CustomerScore.objects.exists()


def test_only_managers_or_the_system_start_runs(base, sales, manager):
    with pytest.raises(PermissionDenied):
        scoring_run(actor=sales, as_of=AS_OF)
    assert not ScoringRun.objects.exists()
    run = scoring_run(actor=manager, as_of=AS_OF)
    assert run.requested_by == manager and run.status == ScoringRunStatus.DONE


def _simulated_base(shop, customers: int = 150, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    start = datetime.date(2023, 1, 1)
    for i in range(customers):
        customer = shop.customer(f"S{i}")
        first = start + datetime.timedelta(days=int(rng.integers(0, 600)))
        rate, alive_until = rng.gamma(1.0, 1 / 40), first + datetime.timedelta(days=int(rng.exponential(400)))
        day = first
        while day < min(alive_until, AS_OF):
            shop.order(customer, day, round(float(rng.gamma(4, 25)), 2))
            day += datetime.timedelta(days=max(1, int(rng.exponential(1 / rate))))


def test_clv_figures_follow_the_fitted_model(shop):
    _simulated_base(shop)
    run = scoring_run(as_of=AS_OF, config=ScoringConfig(prediction_days=30, holdout_days=120))
    fit = run.diagnostics["bgnbd"]
    assert fit["converged"] and fit["time_unit"] == "day"
    params = clv.BgNbdParameters(**fit["parameters"])
    cutoff = at(AS_OF + datetime.timedelta(days=1), 0)
    checked = 0
    for score in CustomerScore.objects.filter(run=run, order_count__gte=2)[:5]:
        orders = list(score.customer.orders.order_by("ordered_at").values_list("ordered_at", flat=True))
        x = len(orders) - 1
        t_x = (orders[-1] - orders[0]).total_seconds() / 86400
        T = (cutoff - orders[0]).total_seconds() / 86400
        expected = clv.bgnbd_expected_conditional(params, 30.0, np.array([x]), np.array([t_x]), np.array([T]))[0]
        alive = clv.bgnbd_p_alive(params, np.array([x]), np.array([t_x]), np.array([T]))[0]
        assert score.expected_purchases == pytest.approx(expected, rel=1e-6)
        assert score.p_alive == pytest.approx(alive, rel=1e-6)
        assert score.clv is not None and score.expected_order_value > 0
        checked += 1
    assert checked == 5
    holdout = run.diagnostics["holdout"]
    assert holdout["holdout_days"] == 120 and holdout["by_frequency"]
    assert {"actual_mean", "predicted_mean", "customers"} <= set(holdout["by_frequency"][0])
    assert run.diagnostics["gamma_gamma"]["parameters"]["p"] > 0


def test_churn_signals_with_reasons(shop):
    steady = shop.customer("steady")
    for k in range(10):  # every 10 days until 2025-04-10, then silence: 81 days > 2 × 10
        shop.order(steady, datetime.date(2025, 1, 10) + datetime.timedelta(days=10 * k), 100)
    falling = shop.customer("falling")
    shop.order(falling, "2025-02-01", 1000)
    shop.order(falling, "2025-06-25", 100)  # last 90 days 100 against 1000 before: −90%
    calm = shop.customer("calm")
    shop.order(calm, "2025-06-01", 100)
    run = scoring_run(as_of=AS_OF)
    s = scores_by_name(run)
    settings = run.parameters["churn"]
    assert "overdue" in s["steady"].churn_signals.split()
    assert s["steady"].churn_risk in (ChurnRisk.MEDIUM, ChurnRisk.HIGH)
    overdue = next(r for r in churn.reasons(s["steady"], settings) if r["code"] == "overdue")
    assert overdue == {"code": "overdue", "recency_days": 81, "usual_gap_days": 10.0, "factor": 2.0}
    assert churn.describe(overdue) == "No purchase for 81 days: 8.1× their usual 10.0 days between purchases."
    fall = next(r for r in churn.reasons(s["falling"], settings) if r["code"] == "spend_fall")
    assert (fall["previous"], fall["recent"], fall["drop"]) == (1000.0, 100.0, 0.9)
    assert churn.describe(fall) == ("Spend in the last 90 days fell 90% against the 90 days before "
                                    "(1000.00 → 100.00).")
    assert s["calm"].churn_risk == ChurnRisk.NONE and s["calm"].churn_signals == ""
    assert churn.reasons(s["calm"], settings) == []


def test_churn_reasons_in_chinese(shop):
    from django.utils import translation

    reason = {"code": "p_alive", "p_alive": 0.2, "threshold": 0.5}
    assert churn.describe(reason) == "Probability still active is 20%, below 50%."
    with translation.override("zh-hans"):
        assert churn.describe(reason)  # translated once the catalogue has it; never empty


def test_deleting_a_customer_deletes_their_snapshots(base):
    scoring_run(as_of=AS_OF)
    base["C"].delete()
    assert CustomerScore.objects.count() == 5
    assert not CustomerScore.objects.filter(customer_id=base["C"].pk).exists()


def test_empty_base_and_base_without_orders(shop):
    run = scoring_run(as_of=AS_OF)
    assert run.counts["customers"] == 0 and "skipped" in run.diagnostics["bgnbd"]
    shop.customer("nobody")
    run = scoring_run(as_of=AS_OF)
    score = CustomerScore.objects.get()
    assert (score.order_count, score.r_score, score.clv, score.churn_risk) == (0, None, None, ChurnRisk.NONE)
    assert "skipped" in run.diagnostics["holdout"]
