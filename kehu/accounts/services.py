from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import ALL_SCOPES, ApiToken, User
from kehu.audit.services import audit

MAX_TOKEN_DAYS = 3650


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    unknown = [scope for scope in chosen if scope not in ALL_SCOPES]
    if unknown:
        raise ValidationError({"scopes": _("Unknown scope “%(scope)s”; choose from %(choices)s.") % {
            "scope": unknown[0], "choices": ", ".join(ALL_SCOPES)}})
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    return [scope for scope in ALL_SCOPES if scope in chosen]


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, scopes: Iterable[str], expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `actor` limited to `scopes`; returns the row and the secret (shown once)."""
    chosen = _checked_scopes(scopes)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ValidationError({"expires_in_days": _(
            "Give a number of days from 1 to %(max)d, or none for a token that does not expire."
        ) % {"max": MAX_TOKEN_DAYS}})
    expires_at = timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=actor, name=name[:100] or "token", token_hash=ApiToken.hash(secret), hint=secret[:10],
        scopes=chosen, expires_at=expires_at,
    )
    audit(actor=actor, action="api_token.create", target=token,
          changes={"scopes": chosen, "expires_at": expires_at})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=actor, action="api_token.revoke", target=token)


def api_token_find(secret: str) -> ApiToken | None:
    """The active (unrevoked, unexpired, user still active) token with this secret, its user joined."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=ApiToken.hash(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so reads do not turn into writes on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(secret: str) -> User | None:
    token = api_token_find(secret)
    return token.user if token is not None else None
