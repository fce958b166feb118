import datetime

from kehu.core.calendar import age_on, next_occurrence

D = datetime.date


def test_age_turns_on_the_birthday():
    assert age_on(D(1990, 5, 1), D(2026, 4, 30)) == 35
    assert age_on(D(1990, 5, 1), D(2026, 5, 1)) == 36


def test_solar_next_occurrence_and_29_february():
    assert next_occurrence(calendar="solar", month=5, day=1, today=D(2026, 5, 2)) == D(2027, 5, 1)
    assert next_occurrence(calendar="solar", month=2, day=29, today=D(2026, 1, 1)) == D(2026, 2, 28)
    assert next_occurrence(calendar="solar", month=2, day=29, today=D(2027, 12, 1)) == D(2028, 2, 29)


def test_lunar_mid_autumn():
    # 八月十五 (Mid-Autumn) fell on 2025-10-06 and falls on 2026-09-25.
    assert next_occurrence(calendar="lunar", month=8, day=15, today=D(2025, 10, 1)) == D(2025, 10, 6)
    assert next_occurrence(calendar="lunar", month=8, day=15, today=D(2025, 10, 7)) == D(2026, 9, 25)


def test_lunar_day_30_in_a_short_month_falls_on_29():
    result = next_occurrence(calendar="lunar", month=1, day=30, today=D(2026, 1, 1))
    assert result is not None and result.year in (2026, 2027)
