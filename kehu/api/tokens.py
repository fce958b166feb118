"""/api/tokens: a user's own API tokens. The secret is returned once, at creation."""

from __future__ import annotations

from django.http import Http404, HttpRequest
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
    token, secret = api_token_create(actor=actor_of(request), name=payload.name)
    return Status(201, {"token": token, "secret": secret})


@router.delete("/tokens/{token_id}", response={204: None, **OBJECT_ERRORS})
def revoke_token(request: HttpRequest, token_id: PathId) -> Status:
    # Someone else's token is as absent as a token that never existed.
    token = ApiToken.objects.filter(user=actor_of(request), pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=actor_of(request), token=token)
    return Status(204, None)
