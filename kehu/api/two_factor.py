"""/api/two-factor: one's own two-factor state; administrators reset someone else's.

Enrolment itself happens in the browser (Settings → Two-factor sign-in): it shows a QR code
to scan, which a script has no use for.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from kehu.accounts.models import TwoFactor
from kehu.accounts.permissions import may_reset_two_factor, must_use_two_factor
from kehu.accounts.two_factor import recovery_codes_left, two_factor_reset
from kehu.api.lookups import actor_of, user_or_none
from kehu.api.schemas.admin import TwoFactorOut, TwoFactorResetOut
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, PathId

router = Router(tags=["Two-factor sign-in"])


@router.get("/two-factor", response={200: TwoFactorOut, **AUTH_ERRORS})
def two_factor_state(request: HttpRequest) -> TwoFactorOut:
    user = actor_of(request)
    device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    return TwoFactorOut(
        enabled=device is not None, required=must_use_two_factor(user),
        confirmed_at=device.confirmed_at if device else None,
        recovery_codes_left=recovery_codes_left(user) if device else 0,
    )


@router.post("/users/{user_id}/two-factor/reset", response={200: TwoFactorResetOut, **OBJECT_ERRORS})
def reset_two_factor(request: HttpRequest, user_id: PathId) -> TwoFactorResetOut:
    """Remove a user's authenticator (administrators only; audited). They enrol again after signing in."""
    if not may_reset_two_factor(actor_of(request)):
        raise PermissionDenied(_("Only administrators can reset another user's two-factor sign-in."))
    user = user_or_none(user_id)
    if user is None:
        raise Http404
    return TwoFactorResetOut(user_id=user.pk, reset=two_factor_reset(actor=actor_of(request), user=user, via="api"))
