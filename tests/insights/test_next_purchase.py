"""Next-purchase estimates on hand-built histories: own usual gap, the BG/NBD gap, none."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from kehu.insights import next_purchase
from kehu.insights.recommendations import preferences_of
from kehu.sales import stats
from tests.insights.affinity_fixtures import Basket, at

D = datetime.date
FIT = {"r": 0.5, "alpha": 20.0, "a": 0.8, "b": 2.5}


def estimate(days: list[str], today: str, **extra) -> next_purchase.NextPurchase:
    moments = [at(day) for day in days]
    count = len(moments)
    gap = (moments[-1] - moments[0]).total_seconds() / 86400 / (count - 1) if count > 1 else None
    return next_purchase.estimate(order_count=count, first_order_at=moments[0] if moments else None,
                                  last_order_at=moments[-1] if moments else None, usual_gap_days=gap,
                                  today=D.fromisoformat(today), **extra)


def test_three_purchases_or_more_use_the_customers_own_gap():
    # Gaps 30, 30, 30 days: the next is expected 30 days after 2025-04-01.
    days = ["2025-01-01", "2025-01-31", "2025-03-02", "2025-04-01"]
    early = estimate(days, "2025-04-20", bgnbd=FIT)
    assert early.basis == "usual_gap" and early.gap_days == pytest.approx(30)
    assert early.expected_on == D(2025, 5, 1) and early.days_until == 11 and not early.overdue
    assert early.status() == "Expected in 11 days"
    due = estimate(days, "2025-05-01")
    assert not due.overdue and due.status() == "Expected today"
    late = estimate(days, "2025-05-11")
    assert late.overdue and late.overdue_days == 10 and late.status() == "Overdue by 10 days"
    assert late.basis_text() == ("Last purchase on 2025-04-01 plus this customer's usual 30 days between purchases "
                                 "(the average over their 4 purchases).")


def test_a_single_purchase_uses_the_model_gap():
    # x = 0, t_x = 0: (α + 0) / (r + 0) = 20 / 0.5 = 40 days.
    one = estimate(["2025-03-01"], "2025-04-20", bgnbd=FIT, p_alive=1.0, as_of=D(2025, 4, 19))
    assert one.basis == "model" and one.gap_days == pytest.approx(40)
    assert one.expected_on == D(2025, 4, 10) and one.overdue and one.overdue_days == 10
    text = one.basis_text()
    assert text.startswith("Only 1 purchase, too few for a usual gap of their own")
    assert "about 40 days" in text and "2025-03-01" in text and "Probability still active: 100%." in text


def test_two_purchases_move_towards_their_own_gap():
    # x = 1, t_x = 10: (20 + 10) / (0.5 + 1) = 20 days after the second purchase.
    two = estimate(["2025-03-01", "2025-03-11"], "2025-03-20", bgnbd=FIT)
    assert two.basis == "model" and two.gap_days == pytest.approx(20)
    assert two.expected_on == D(2025, 3, 31) and not two.overdue and two.days_until == 11
    assert "Only 2 purchases" in two.basis_text() and "Probability" not in two.basis_text()


def test_purchases_on_one_day_give_no_gap_of_their_own():
    same_day = estimate(["2025-03-01", "2025-03-01", "2025-03-01"], "2025-03-05", bgnbd=FIT)
    assert same_day.basis == "model"
    # x = 2, t_x = 0: 20 / 2.5 = 8 days.
    assert same_day.gap_days == pytest.approx(8) and same_day.expected_on == D(2025, 3, 9)


def test_a_short_history_without_a_fit_has_no_estimate():
    for fit in (None, {}, {"r": 0, "alpha": 3}):
        short = estimate(["2025-03-01", "2025-03-11"], "2025-03-20", bgnbd=fit)
        assert short.basis == "too_few" and short.expected_on is None and not short.overdue and short.status() == ""
    assert "no purchase-rate model has been fitted yet" in short.basis_text()


def test_no_purchases_no_estimate():
    none = next_purchase.estimate(order_count=0, first_order_at=None, last_order_at=None, usual_gap_days=None,
                                  today=D(2025, 3, 1), bgnbd=FIT)
    assert none.basis == "no_purchases" and none.expected_on is None and none.days_until is None
    assert none.basis_text() == "No purchases yet, so there is nothing to estimate from."


def test_the_estimate_reads_in_chinese():
    days = ["2025-01-01", "2025-01-31", "2025-03-02", "2025-04-01"]
    with translation.override("zh-hans"):
        late = estimate(days, "2025-05-11")
        assert late.status() == "已逾期 10 天"
        assert late.basis_text() == "最近一次购买日期 2025-04-01 加上该客户通常的购买间隔 30 天（按其 4 次购买的平均值）。"
        one = estimate(["2025-03-01"], "2025-03-05", bgnbd=FIT, p_alive=0.42)
        assert one.status() == "预计 36 天后"
        assert "BG/NBD" in one.basis_text() and "仍活跃的概率：42%。" in one.basis_text()


@pytest.mark.django_db
def test_refunded_and_cancelled_orders_are_not_purchases(manager):
    shop = Basket()
    customer = shop.customer("退款客户")
    for day in ("2025-01-01", "2025-01-11", "2025-01-21"):
        shop.order(customer, day, "A")
    shop.order(customer, "2025-02-20", "A", status="refunded")
    shop.order(customer, "2025-02-25", "B", status="cancelled")
    stats.refresh_profiles([customer.pk])
    estimate = preferences_of(viewer=manager, customer_id=customer.pk, today=D(2025, 2, 10)).next_purchase
    # Three purchases 10 days apart; the February orders count for nothing.
    assert estimate.basis == "usual_gap" and estimate.order_count == 3
    assert estimate.last_order_on == D(2025, 1, 21) and estimate.expected_on == D(2025, 1, 31)
    assert estimate.overdue and estimate.overdue_days == 10
