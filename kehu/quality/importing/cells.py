"""Parsing one cell. Each parser returns a clean value or raises CellError with the reason."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.core.text import fold


class CellError(ValueError):
    pass


def text(value: Any, *, max_length: int, required: bool = False) -> str:
    result = "" if value is None else str(value).strip()
    if required and not result:
        raise CellError(_("This column is required."))
    if len(result) > max_length:
        raise CellError(_("At most %(n)d characters.") % {"n": max_length})
    return result


_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d",
                     "%Y%m%d", "%Y.%m.%d")


def moment(value: Any, *, required: bool = True, zone: datetime.tzinfo | None = None) -> datetime.datetime | None:
    """A date-time in the archive's time zone (or `zone`, which a long import looks up
    once instead of per cell); plain dates are taken as midnight."""
    if value in (None, ""):
        if required:
            raise CellError(_("This column is required."))
        return None
    if isinstance(value, datetime.datetime):
        result = value
    elif isinstance(value, datetime.date):
        result = datetime.datetime.combine(value, datetime.time())
    else:
        raw = str(value).strip()
        result = None
        try:
            result = datetime.datetime.fromisoformat(raw)
        except ValueError:
            for pattern in _DATETIME_FORMATS:
                try:
                    result = datetime.datetime.strptime(raw, pattern)
                    break
                except ValueError:
                    continue
        if result is None:
            raise CellError(_("Not a date or time (use e.g. 2024-03-01 14:30)."))
    if timezone.is_naive(result):
        result = timezone.make_aware(result, zone)
    return result


def day(value: Any, *, required: bool = False) -> datetime.date | None:
    parsed = moment(value, required=required)
    return timezone.localdate(parsed) if parsed is not None else None


def future_horizon() -> datetime.datetime:
    """The latest moment `not_future` accepts (ten minutes of clock skew): a long import
    takes it once per batch instead of once per cell."""
    return timezone.now() + datetime.timedelta(minutes=10)


def not_future(value: datetime.datetime | None, horizon: datetime.datetime | None = None) -> None:
    if value is not None and value > (horizon or future_horizon()):
        raise CellError(_("This time is in the future."))


def decimal(value: Any, *, required: bool = True, minimum: Decimal | None = None, positive: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise CellError(_("This column is required."))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise CellError(_("Not a number."))
    if positive and number <= 0:
        raise CellError(_("Must be greater than zero."))
    if minimum is not None and number < minimum:
        raise CellError(_("Must be at least %(min)s.") % {"min": minimum})
    return number


def choice(value: Any, choices: type[models.TextChoices], *, default: str | None = None) -> str:
    """A choice by its code or by its label in either language (门店 or store)."""
    raw = fold("" if value is None else str(value))
    if not raw:
        if default is None:
            raise CellError(_("This column is required."))
        return default
    if raw in choices.values:
        return raw
    for code, label in choices.choices:
        if fold(str(label)) == raw:
            return code
    for code, _label in choices.choices:
        if _zh_label(choices, code) == raw:
            return code
    raise CellError(_("Unknown value; use one of: %(values)s.") % {"values": ", ".join(choices.values)})


def _zh_label(choices: type[models.TextChoices], code: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return fold(str(dict(choices.choices)[code]))
