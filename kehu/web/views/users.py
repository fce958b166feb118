"""Staff accounts: administrators add people, set role and team, deactivate, reset passwords."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts.models import User
from kehu.accounts.users import (
    UserChanges,
    ensure_may_manage_users,
    staff,
    user_create,
    user_set_password,
    user_update,
)
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.users import UserCreateForm, UserEditForm


@login_required
@require_http_methods(["GET", "POST"])
def user_list_view(request: HttpRequest) -> HttpResponse:
    ensure_may_manage_users(request.user)
    form = UserCreateForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            user, password = user_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            # The password is rendered in this response only; it is never stored in clear or shown again.
            context.update(form=UserCreateForm(), password=password, password_for=user.username)
    context["users"] = staff(viewer=request.user)
    return render(request, "web/settings/users.html", context, status=400 if form.errors else 200)


def _account(request: HttpRequest, pk: int) -> User:
    ensure_may_manage_users(request.user)
    return get_object_or_404(User, pk=pk)


def _edit_form(account: User, data=None) -> UserEditForm:
    initial = {"role": account.role, "team": account.team, "display_name": account.display_name,
               "email": account.email, "is_active": account.is_active}
    return UserEditForm(data, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def user_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = _edit_form(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(actor=request.user, user=account, changes=UserChanges(
                role=data["role"], team=data["team"], clear_team=data["team"] is None, is_active=data["is_active"],
                display_name=data["display_name"], email=data["email"],
            ))
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Account saved."))
            return redirect("web:user-list")
    return render(request, "web/settings/user_form.html", {"form": form, "account": account},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def user_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    password = user_set_password(actor=request.user, user=account)
    return render(request, "web/settings/user_form.html", {"form": _edit_form(account), "account": account,
                                                           "password": password})
