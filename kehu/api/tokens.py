"""/api/tokens: a user's own API tokens. The secret is returned once, at creation.

Managing tokens with a token needs its `admin` scope (kehu.api.scopes).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kehu.accounts.models import ApiToken
from kehu.accounts.services import api_token_create, api_token_revoke
from kehu.api.lookups import actor_of
from kehu.api.schemas.admin import TokenCreated, TokenIn, TokenOut
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, PathId

router = Router(tags=["API tokens"])


@router.get("/tokens", response={200: list[TokenOut], **AUTH_ERRORS})
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=actor_of(request)).order_by("-created_at", "-id"))


@router.post("/tokens", response={201: TokenCreated, **AUTH_ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    calling = getattr(request, "api_token", None)
    if calling is not None:
        wider = [scope for scope in payload.scopes if not calling.has_scope(scope)]
        if wider:
            raise PermissionDenied(_("A token cannot create a token with scopes it lacks itself: %(scopes)s.")
                                   % {"scopes": ", ".join(wider)})
    token, secret = api_token_create(
        actor=actor_of(request), name=payload.name, scopes=payload.scopes, expires_in_days=payload.expires_in_days
    )
    return Status(201, {"token": token, "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None, **OBJECT_ERRORS})
def revoke_token(request: HttpRequest, token_id: PathId) -> Status:
    # Someone else's token is as absent as a token that never existed.
    token = ApiToken.objects.filter(user=actor_of(request), pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=actor_of(request), token=token)
    return Status(204, None)
