"""Two-factor sign-in with TOTP (RFC 6238) authenticator apps, and one-time recovery codes.

Codes are accepted one 30-second step either side of now (phone clocks drift), and never
twice: each accepted code's step is remembered and only later steps pass. Wrong codes count
as failed sign-ins (kehu.accounts.throttle), so guessing codes is throttled like guessing
passwords. Every enrolment, removal, reset and wrong code is audited.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import pyotp
import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import RecoveryCode, TwoFactor, User
from kehu.accounts.permissions import may_reset_two_factor, must_use_two_factor
from kehu.accounts.throttle import clear_failures, locked_out, record_failure
from kehu.audit.services import audit
from kehu.core.crypto import keyring

ISSUER = "kehu"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def enabled(user: User) -> bool:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def enrolment_required(user: User) -> bool:
    """True for a signed-in user who may do nothing until they enrol (an administrator without TOTP)."""
    return must_use_two_factor(user) and not enabled(user)


def provisioning_uri(device: TwoFactor) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


def qr_svg(device: TwoFactor) -> str:
    """The enrolment QR code as inline SVG: drawn by kehu, no image service involved."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(scale=4, dark="#111", light="#fff")


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(timezone.now())
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_hash(code: str) -> str:
    # Keyed with the encryption key (kept outside the database): a stolen table of hashes
    # cannot be brute-forced offline.
    return keyring().blind_index(code, purpose="recovery-code")


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _use_totp(device: TwoFactor, code: str) -> bool:
    if not (len(code) == 6 and code.isdigit()):
        return False
    step = _matching_step(device.secret, code)
    if step is None:
        return False
    # Conditional update: of two requests racing with the same code, one wins.
    newer = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    return TwoFactor.objects.filter(newer, pk=device.pk).update(last_used_step=step) == 1


def _use_recovery_code(user: User, code: str) -> bool:
    if not code or len(code) > 40:
        return False
    return (
        RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True)
        .update(used_at=timezone.now())
        == 1
    )


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    locked: bool = False
    used_recovery_code: bool = False


def check_code(*, user: User, code: str, purpose: str, address: str | None = None, recovery: bool = True) -> CodeCheck:
    """Verify a code from the authenticator (or, if allowed, a recovery code); throttled and audited."""
    device = TwoFactor.objects.filter(user=user).first()
    if locked_out(user.get_username(), address):
        record_failure(user.get_username(), address)
        audit(actor=user, action="two_factor.code_failed", target=user, changes={"purpose": purpose, "locked": True})
        return CodeCheck(ok=False, locked=True)
    code = _normalised(code or "")
    if device is not None and _use_totp(device, code):
        return CodeCheck(ok=True)
    if recovery and device is not None and device.confirmed_at is not None and _use_recovery_code(user, code):
        audit(actor=user, action="two_factor.recovery_code_used", target=user, changes={"purpose": purpose})
        return CodeCheck(ok=True, used_recovery_code=True)
    record_failure(user.get_username(), address)
    audit(actor=user, action="two_factor.code_failed", target=user, changes={"purpose": purpose})
    return CodeCheck(ok=False)


def wrong_code_error(result: CodeCheck) -> ValidationError:
    if result.locked:
        return ValidationError(
            {"code": _("Too many wrong codes or passwords. Wait 15 minutes, then try again.")}, code="locked"
        )
    return ValidationError({"code": _("That code is not right, or it was already used. Enter the current code.")},
                           code="wrong_code")


def signed_in_with_code(*, user: User) -> None:
    """The second step succeeded: the failures before it no longer count."""
    clear_failures(user.get_username())


# --- services ---------------------------------------------------------------------------


@transaction.atomic
def two_factor_begin(*, actor: User) -> TwoFactor:
    """Start (or restart) enrolment with a fresh secret; nothing changes for sign-in until confirmed."""
    device = TwoFactor.objects.select_for_update().filter(user=actor).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationError(_("Two-factor sign-in is already on. Turn it off first to enrol a new authenticator."))
    if device is None:
        device = TwoFactor(user=actor)
    device.secret = pyotp.random_base32()
    device.created_at = timezone.now()
    device.last_used_step = None
    device.save()
    return device


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_hash(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def two_factor_confirm(*, actor: User, code: str, address: str | None = None) -> list[str]:
    """Finish enrolment with a code from the app; returns the recovery codes (shown once)."""
    device = TwoFactor.objects.filter(user=actor).first()
    if device is None or device.confirmed_at is not None:
        raise ValidationError(_("There is no enrolment under way. Start again."))
    result = check_code(user=actor, code=code, purpose="enrol", address=address, recovery=False)
    if not result.ok:
        raise wrong_code_error(result)
    with transaction.atomic():
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        codes = _new_recovery_codes(actor)
        audit(actor=actor, action="two_factor.enable", target=actor)
    return codes


def two_factor_disable(*, actor: User, code: str, address: str | None = None) -> None:
    """Turn off one's own two-factor sign-in; a current code (or a recovery code) proves it is really them."""
    if not enabled(actor):
        raise ValidationError(_("Two-factor sign-in is not on."))
    result = check_code(user=actor, code=code, purpose="disable", address=address)
    if not result.ok:
        raise wrong_code_error(result)
    with transaction.atomic():
        _remove(actor)
        audit(actor=actor, action="two_factor.disable", target=actor)


def recovery_codes_regenerate(*, actor: User, code: str, address: str | None = None) -> list[str]:
    if not enabled(actor):
        raise ValidationError(_("Two-factor sign-in is not on."))
    result = check_code(user=actor, code=code, purpose="recovery_codes", address=address, recovery=False)
    if not result.ok:
        raise wrong_code_error(result)
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        audit(actor=actor, action="two_factor.recovery_codes_regenerate", target=actor)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _remove(user: User) -> bool:
    RecoveryCode.objects.filter(user=user).delete()
    deleted, _detail = TwoFactor.objects.filter(user=user).delete()
    return bool(deleted)


@transaction.atomic
def two_factor_reset(*, actor: User | None, user: User, via: str = "web") -> bool:
    """Remove `user`'s authenticator (they lost it). By an administrator, or by an operator
    at the command line (`actor` None). Returns whether there was one to remove."""
    if actor is not None and not may_reset_two_factor(actor):
        raise PermissionDenied(_("Only administrators can reset another user's two-factor sign-in."))
    removed = _remove(user)
    audit(actor=actor, action="two_factor.reset", target=user, changes={"via": via, "had_authenticator": removed})
    return removed
