"""/api/users: staff accounts (administrators; a token needs the `admin` scope).

Every change is a permission change, recorded in the audit log. Passwords are generated
by kehu and returned once, in the response that made them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from kehu.accounts.models import Role, Team, User
from kehu.accounts.users import UserChanges, staff, user_create, user_set_password, user_update
from kehu.api.lookups import actor_of
from kehu.api.schemas.common import (
    AUTH_ERRORS,
    MAX_ID,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    PathId,
    choice,
    text,
)

router = Router(tags=["staff accounts"])
RoleValue = choice(Role)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    role: RoleValue
    team_id: int | None
    is_active: bool
    is_superuser: bool
    last_login: datetime.datetime | None = Field(None, description="The last sign-in, or null.")


class UserIn(InputSchema):
    username: text(150, min_length=1, strip=True)
    role: RoleValue
    team_id: int | None = Field(None, ge=1, le=MAX_ID)
    display_name: text(100) = ""
    email: text(254) = ""


class UserPatch(InputSchema):
    role: RoleValue | None = None
    team_id: int | None = Field(None, ge=0, le=MAX_ID, description="0 takes the user out of their team.")
    is_active: bool | None = Field(None, description="false: the account's sessions and tokens stop at once.")
    display_name: text(100) | None = None
    email: text(254) | None = None


class UserCreated(Schema):
    user: UserOut
    password: str = Field(description="Generated; shown only in this response.")


class PasswordOut(Schema):
    password: str = Field(description="Generated; shown only in this response. The user's other sessions end.")


def _team(team_id: int | None) -> Team | None:
    if not team_id:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationError({"team_id": _("No team with this id.")})
    return team


def _user(request: HttpRequest, user_id: int) -> User:
    staff(viewer=actor_of(request))  # administrators only, before anything is looked up
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("No such user.")
    return user


@router.get("/users", response={200: list[UserOut], **AUTH_ERRORS})
def list_users(request: HttpRequest) -> list[User]:
    return list(staff(viewer=actor_of(request)))


@router.post("/users", response={201: UserCreated, **WRITE_ERRORS})
def create_user(request: HttpRequest, payload: UserIn) -> Status:
    staff(viewer=actor_of(request))
    user, password = user_create(
        actor=actor_of(request), username=payload.username, role=payload.role, team=_team(payload.team_id),
        display_name=payload.display_name, email=payload.email,
    )
    return Status(201, {"user": user, "password": password})


@router.patch("/users/{user_id}", response={200: UserOut, **WRITE_ERRORS, **OBJECT_ERRORS})
def update_user(request: HttpRequest, user_id: PathId, payload: UserPatch) -> User:
    user = _user(request, user_id)
    return user_update(actor=actor_of(request), user=user, changes=UserChanges(
        role=payload.role, team=_team(payload.team_id), clear_team=payload.team_id == 0, is_active=payload.is_active,
        display_name=payload.display_name, email=payload.email,
    ))


@router.post("/users/{user_id}/password", response={200: PasswordOut, **WRITE_ERRORS, **OBJECT_ERRORS})
def reset_password(request: HttpRequest, user_id: PathId) -> dict[str, str]:
    user = _user(request, user_id)
    return {"password": user_set_password(actor=actor_of(request), user=user)}
