from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kehu.accounts.models import ApiToken, User
from kehu.audit.services import audit


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `actor`; returns the row and the secret (shown once)."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=actor, name=name[:100] or "token", token_hash=ApiToken.hash(secret), hint=secret[:10])
    audit(actor=actor, action="api_token.create", target=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=actor, action="api_token.revoke", target=token)


def api_token_authenticate(secret: str) -> User | None:
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=ApiToken.hash(secret)).first()
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so reads do not turn into writes on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
