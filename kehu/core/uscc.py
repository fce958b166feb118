"""统一社会信用代码 (unified social credit code, GB 32100-2015) validation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(raw: str) -> str:
    """Upper-cased, stripped code; raises ValidationError naming what is wrong."""
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; “%(value)s” has %(count)d."),
            code="invalid",
            params={"value": raw, "count": len(code)},
        )
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise ValidationError(
            _("“%(char)s” cannot appear in a unified social credit code."), code="invalid", params={"char": bad[0]}
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of “%(value)s” is wrong: the code is mistyped."), code="invalid", params={"value": raw}
        )
    return code
