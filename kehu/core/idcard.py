"""居民身份证号码 (resident identity card number, GB 11643-1999): validation and masking."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    number = (raw or "").strip().upper().replace(" ", "")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID card number has 17 digits and a final digit or X."), code="invalid")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside this ID card number does not exist."), code="invalid") from None
    if born > datetime.date.today() or born.year < 1880:
        raise ValidationError(_("The birth date inside this ID card number is not plausible."), code="invalid")
    if check_character(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of this ID card number is wrong: it is mistyped."), code="invalid")
    return number


def looks_like_id_number(text: str) -> bool:
    try:
        normalize_id_number(text)
    except ValidationError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """110***********1234: enough to recognise, not enough to use."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
