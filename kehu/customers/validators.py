"""Field rules shared by model `clean()` methods (and so by forms, API and import)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

from kehu.core.phone import normalize_phone
from kehu.core.text import fold
from kehu.customers.choices import PHONE_CONTACT_TYPES


def not_in_future(value: object) -> None:
    # Runs in model.clean() even when the field itself failed to parse; only judge real dates.
    if isinstance(value, datetime.date) and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def normalize_contact_value(type_: str, raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("This field is required."), code="required")
    if type_ in PHONE_CONTACT_TYPES:
        return normalize_phone(value)
    if type_ == "email":
        value = fold(value).replace(" ", "")
        validate_email(value)
        return value
    if type_ == "qq":
        value = fold(value)
        if not value.isdigit() or not 5 <= len(value) <= 12:
            raise ValidationError(_("A QQ number is 5 to 12 digits."), code="invalid")
        return value
    if type_ == "wechat":
        value = value.strip()
        if len(value) > 40 or " " in value:
            raise ValidationError(_("A WeChat ID has no spaces and at most 40 characters."), code="invalid")
        return value
    return value


def check_calendar_date(*, calendar: str, year: int | None, month: int, day: int, leap_month: bool) -> None:
    if calendar == "lunar":
        if not 1 <= month <= 12 or not 1 <= day <= 30:
            raise ValidationError(_("A lunar date has a month from 1 to 12 and a day from 1 to 30."), code="invalid")
        if year is not None:
            try:
                LunarDate(year, month, day, leap_month).to_solar_date()
            except ValueError:
                raise ValidationError(_("That lunar date does not exist in that year."), code="invalid") from None
        return
    if leap_month:
        raise ValidationError(_("Only lunar dates have leap months."), code="invalid")
    try:
        datetime.date(year or 2000, month, day)  # 2000 is a leap year, so 29 February is allowed without a year
    except ValueError:
        raise ValidationError(_("That day does not exist in that month."), code="invalid") from None
