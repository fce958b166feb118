"""Recurring dates in the solar and the lunar calendar."""

from __future__ import annotations

import datetime

from lunardate import LunarDate


def age_on(birthday: datetime.date, today: datetime.date) -> int:
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def next_occurrence(
    *, calendar: str, month: int, day: int, today: datetime.date, leap_month: bool = False
) -> datetime.date | None:
    """The next solar date (today included) on which a yearly date falls.

    29 February falls on 28 February in common years. A lunar day 30 falls on day 29 in
    years whose month has 29 days; a leap-month date falls on the ordinary month in years
    without that leap month — the usual practice for lunar birthdays.
    """
    for year in range(today.year - 1, today.year + 2):
        candidate = _solar(calendar, year, month, day, leap_month)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _solar(calendar: str, year: int, month: int, day: int, leap_month: bool) -> datetime.date | None:
    if calendar != "lunar":
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return datetime.date(year, month, 28) if (month, day) == (2, 29) else None
    for leap in ((True, False) if leap_month else (False,)):
        for lunar_day in (day, day - 1):
            try:
                return LunarDate(year, month, lunar_day, leap).to_solar_date()
            except ValueError:
                continue
    return None
