"""Phone numbers: one parser for forms, API, import and search.

NFKC first folds full-width digits (１３８…) and the ideographic plus; then
`phonenumbers` handles spaces, dashes, `+86` and `0086`. A number that parses but is
not a valid number for its region (e.g. `12345`) is rejected.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIGITS = re.compile(r"\d+")


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return the E.164 form of `raw` or raise ValidationError."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a phone number."), code="required")
    if len(text) > 40:
        raise ValidationError(_("A phone number cannot be longer than 40 characters."), code="max_length")
    try:
        parsed = phonenumbers.parse(text, region or settings.KEHU_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number."), code="invalid", params={"value": raw}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."), code="invalid", params={"value": raw}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_search_keys(e164: str) -> list[str]:
    """Index keys for a stored E.164 number: full digits, national number, last four digits."""
    parsed = phonenumbers.parse(e164)
    national = str(parsed.national_number)
    digits = e164.lstrip("+")
    return [digits, national, "#" + national[-4:]]


def query_digits(query: str) -> str | None:
    """If the query looks like (part of) a phone number, return its digits."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not text or not re.fullmatch(r"[+\d\s\-().]+", text):
        return None
    digits = "".join(_DIGITS.findall(text))
    if text.startswith("00"):
        digits = digits[2:]
    return digits if len(digits) >= 3 else None


def format_phone(e164: str) -> str:
    """Human form: national format for the default region, international otherwise."""
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(parsed)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.KEHU_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
