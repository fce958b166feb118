"""Tie-consistent 1–5 scores, the R×FM segment grid and the eight value classes, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.insights import rfm
from kehu.insights.choices import RfmSegment, ValueClass


def scores(values) -> list[int]:
    values = np.asarray(values, dtype=float)
    return rfm.quantile_thresholds(values).score(values).tolist()


def test_distinct_values_are_quintiles():
    assert scores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_get_the_score_where_their_group_starts():
    # 6 of 10 customers bought once: NTILE would spread them over scores 1–3; here all score 1.
    # 2 orders: 6 customers below (60%) → 4; 3 orders: 70% → 4; 5 and 9 orders: ≥ 80% below → 5.
    assert scores([1, 1, 1, 1, 1, 1, 2, 3, 5, 9]) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]


def test_everyone_equal_scores_one():
    assert scores([3, 3, 3, 3]) == [1, 1, 1, 1]


@given(st.lists(st.integers(0, 6), min_size=1, max_size=60))
def test_equal_inputs_always_get_equal_scores(values):
    got = scores(values)
    by_value: dict[int, set[int]] = {}
    for value, score in zip(values, got, strict=True):
        by_value.setdefault(value, set()).add(score)
    assert all(len(s) == 1 for s in by_value.values())
    # and more is never worse
    ordered = sorted(zip(values, got, strict=True))
    assert all(a[1] <= b[1] for a, b in zip(ordered, ordered[1:], strict=False))


def test_fixed_cut_offs_are_at_least_bounds():
    thresholds = rfm.fixed_thresholds([2, 3, 5, 8])
    assert thresholds.score(np.array([0, 1, 2, 3, 4, 5, 7, 8, 20])).tolist() == [1, 1, 2, 3, 3, 4, 4, 5, 5]
    with pytest.raises(ValueError):
        rfm.fixed_thresholds([3, 2, 5, 8])


@pytest.mark.parametrize(("r", "f", "m", "segment"), [
    (5, 5, 5, RfmSegment.CHAMPIONS),
    (4, 4, 3, RfmSegment.CHAMPIONS),  # FM = (4+3)/2 → 4 (half up)
    (4, 3, 3, RfmSegment.LOYAL),
    (3, 5, 4, RfmSegment.LOYAL),
    (5, 2, 3, RfmSegment.POTENTIAL_LOYALIST),
    (5, 1, 1, RfmSegment.NEW),
    (4, 1, 1, RfmSegment.PROMISING),
    (3, 3, 3, RfmSegment.NEED_ATTENTION),
    (3, 1, 2, RfmSegment.ABOUT_TO_SLEEP),
    (2, 5, 5, RfmSegment.AT_RISK),
    (1, 3, 2, RfmSegment.AT_RISK),
    (1, 5, 4, RfmSegment.CANT_LOSE),
    (2, 1, 2, RfmSegment.HIBERNATING),
    (1, 1, 1, RfmSegment.LOST),
])
def test_segment_grid(r, f, m, segment):
    assert rfm.segments(np.array([r]), np.array([f]), np.array([m]))[0] == segment


def test_grid_uses_all_eleven_segments():
    cells = {cell for row in rfm.SEGMENT_GRID for cell in row}
    assert cells == set(RfmSegment)


def test_value_classes_against_the_average():
    # recency days, orders, spend; means: 50 days, 3 orders, 300
    recency = np.array([10, 10, 90, 90, 10, 10, 90, 90, 50])
    frequency = np.array([5, 1, 5, 1, 5, 1, 5, 1, 3])
    monetary = np.array([500, 500, 500, 500, 100, 100, 100, 100, 300])
    reference = rfm.value_class_reference(recency, frequency, monetary)
    assert reference.as_dict() == {"recency_days": 50.0, "frequency": 3.0, "monetary": 300.0}
    got = rfm.value_classes(recency, frequency, monetary, reference).tolist()
    assert got == [
        ValueClass.IMPORTANT_VALUE, ValueClass.IMPORTANT_DEVELOP, ValueClass.IMPORTANT_KEEP,
        ValueClass.IMPORTANT_RETAIN, ValueClass.GENERAL_VALUE, ValueClass.GENERAL_DEVELOP,
        ValueClass.GENERAL_KEEP, ValueClass.GENERAL_RETAIN,
        ValueClass.GENERAL_RETAIN,  # exactly average is "low" on every axis
    ]


def test_value_class_labels_are_the_chinese_names():
    assert str(ValueClass.IMPORTANT_VALUE.label) == "重要价值客户"
    assert [str(c.label) for c in ValueClass][-1] == "一般挽留客户"


def test_median_reference():
    reference = rfm.value_class_reference(np.array([1, 2, 100]), np.array([1, 1, 9]), np.array([1, 2, 3]),
                                          statistic="median")
    assert reference.recency_days == 2 and reference.frequency == 1
