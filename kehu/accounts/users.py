"""Staff accounts: who may sign in, with which role and team — administrators decide.

Every change is a permission change and goes into the audit log with before and after.
A deactivated user's sessions and API tokens stop working at their next request (the
authentication backend and the token lookup both refuse inactive users); a new password
ends the user's other sessions (Django's session hash). The last active administrator
can be neither demoted nor deactivated, so the archive never locks itself out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.accounts.models import Role, Team, User
from kehu.accounts.permissions import is_administrator
from kehu.audit.services import audit

TRACKED = ("role", "team_id", "is_active", "display_name", "email")


@dataclass(frozen=True)
class UserChanges:
    """What to change of an account; None leaves a field as it is."""

    role: str | None = None
    team: Team | None = None
    clear_team: bool = False
    is_active: bool | None = None
    display_name: str | None = None
    email: str | None = None


def ensure_may_manage_users(actor: User) -> None:
    if not is_administrator(actor):
        raise PermissionDenied(_("Only administrators manage staff accounts."))


def generated_password() -> str:
    """A password to hand over once: 16 URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role “%(role)s”; choose from %(choices)s.") % {
            "role": role, "choices": ", ".join(Role.values)}})


def _checked_password(password: str, user: User) -> str:
    """`password` if it passes the archive's password rules (length, not common, not like the username)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    return password


def _snapshot(user: User) -> dict:
    return {field: getattr(user, field) for field in TRACKED}


@transaction.atomic
def user_create(*, actor: User, username: str, role: str, team: Team | None = None, display_name: str = "",
                email: str = "", password: str | None = None) -> tuple[User, str]:
    """A new staff account; returns it and its password (generated when none is given, shown once)."""
    ensure_may_manage_users(actor)
    _check_role(role)
    username = username.strip()
    user = User(username=username, role=role, team=team, display_name=display_name.strip(), email=email.strip())
    user.full_clean(exclude=["password"])  # username rules and uniqueness, e-mail form, lengths
    password = _checked_password(password or generated_password(), user)
    user.set_password(password)
    user.save()
    audit(actor=actor, action="user.create", target=user, changes={
        "username": user.username, **{k: v for k, v in _snapshot(user).items() if k != "email"}})
    return user, password


@transaction.atomic
def user_update(*, actor: User, user: User, changes: UserChanges) -> User:
    ensure_may_manage_users(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = _snapshot(user)
    if changes.role is not None:
        _check_role(changes.role)
        user.role = changes.role
    if changes.clear_team:
        user.team = None
    elif changes.team is not None:
        user.team = changes.team
    if changes.display_name is not None:
        user.display_name = changes.display_name.strip()
    if changes.email is not None:
        user.email = changes.email.strip()
    if changes.is_active is not None:
        if user.pk == actor.pk and not changes.is_active:
            raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
        user.is_active = changes.is_active
    _keep_an_administrator(user, before)
    user.full_clean(exclude=["password"])
    user.save()
    after = _snapshot(user)
    moved = {field: [before[field], after[field]] for field in TRACKED if before[field] != after[field]}
    if moved:
        audit(actor=actor, action="user.update", target=user, changes=moved)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str | None = None) -> str:
    """A new password for `user` (generated when none is given); their sessions end."""
    ensure_may_manage_users(actor)
    password = _checked_password(password or generated_password(), user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit(actor=actor, action="user.password_reset", target=user)
    return password


def _keep_an_administrator(user: User, before: dict) -> None:
    was_admin = before["role"] == Role.ADMINISTRATOR and before["is_active"]
    stays_admin = user.role == Role.ADMINISTRATOR and user.is_active
    if not was_admin or stays_admin or user.is_superuser:
        return
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if not (others.filter(role=Role.ADMINISTRATOR).exists() or others.filter(is_superuser=True).exists()):
        raise ValidationError({"role": _("This is the last active administrator: make another one first.")})


def staff(*, viewer: User):
    """Every account, for the administrators' page, list and API."""
    ensure_may_manage_users(viewer)
    return User.objects.select_related("team").order_by("-is_active", "username")
