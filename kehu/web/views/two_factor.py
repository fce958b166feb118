"""Two-factor sign-in pages: the second sign-in step, enrolment in one's settings, and the
administrators' reset for someone who lost their authenticator."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kehu.accounts import two_factor
from kehu.accounts.models import TwoFactor, User
from kehu.accounts.permissions import may_reset_two_factor, must_use_two_factor
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.two_factor import CodeForm

# The user who gave the right password and still owes a code. Until the code is right the
# session is not signed in at all: nothing else in kehu sees a half-signed-in user.
PENDING = "kehu_two_factor_pending"
PENDING_SECONDS = 300


def _address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


class SignInView(LoginView):
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not two_factor.enabled(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk, "backend": user.backend, "next": self.get_success_url(), "at": int(time.time()),
        }
        return redirect("login-two-factor")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    return User.objects.filter(pk=pending.get("user"), is_active=True).first(), pending


@require_http_methods(["GET", "POST"])
def sign_in_code_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    user, pending = _pending_user(request)
    if user is None:
        if PENDING in request.session:
            del request.session[PENDING]
            messages.info(request, _("The sign-in was not finished in time. Sign in again."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.check_code(
            user=user, code=form.cleaned_data["code"], purpose="sign_in", address=_address(request)
        )
        if result.ok:
            del request.session[PENDING]
            two_factor.signed_in_with_code(user=user)
            auth_login(request, user, backend=pending["backend"])
            if result.used_recovery_code:
                left = two_factor.recovery_codes_left(user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(n)d is left. Make new ones in Settings → Two-factor sign-in.",
                    "You signed in with a recovery code; %(n)d are left. Make new ones in Settings → Two-factor sign-in.",
                    left,
                ) % {"n": left})
            return redirect(pending["next"])
        attach_errors(two_factor.wrong_code_error(result), fallback=form)
    return render(request, "web/auth/two_factor.html", {"form": form})


CODE_ACTIONS = ("confirm", "recovery", "disable")


def _code_form(action: str, data: Any = None) -> CodeForm:
    # Three forms on one page: distinct ids, and only turning it off accepts a recovery code.
    return CodeForm(data, recovery=action == "disable", auto_id=f"id_{action}_%s")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """One's own two-factor settings: enrol, confirm, make new recovery codes, turn off."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start":
        try:
            two_factor.two_factor_begin(actor=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("web:two-factor")
    forms = {name: _code_form(name) for name in CODE_ACTIONS}
    recovery_codes: list[str] = []
    if action in CODE_ACTIONS:
        form = forms[action] = _code_form(action, request.POST)
        if form.is_valid():
            code, address = form.cleaned_data["code"], _address(request)
            try:
                if action == "confirm":
                    recovery_codes = two_factor.two_factor_confirm(actor=user, code=code, address=address)
                    messages.success(request, _("Two-factor sign-in is on."))
                elif action == "recovery":
                    recovery_codes = two_factor.recovery_codes_regenerate(actor=user, code=code, address=address)
                    messages.success(request, _("New recovery codes made; the old ones no longer work."))
                else:
                    two_factor.two_factor_disable(actor=user, code=code, address=address)
                    messages.success(request, _("Two-factor sign-in is off."))
                    return redirect("web:two-factor")
            except ValidationError as error:
                attach_errors(error, fallback=form)
            else:
                forms[action] = _code_form(action)
    elif action is not None:
        messages.error(request, _("Unknown action."))
    device = TwoFactor.objects.filter(user=user).first()
    enabled = device is not None and device.confirmed_at is not None
    # A form for a state the page no longer shows (confirming with no enrolment under way)
    # still owes its errors to the user.
    shown = {"confirm": device is not None and not enabled, "recovery": enabled, "disable": enabled}
    for name, form in forms.items():
        if form.is_bound and form.errors and not shown[name]:
            for error_list in form.errors.values():
                for message in error_list:
                    messages.error(request, message)
    context: dict[str, Any] = {
        "device": device,
        "enabled": enabled,
        "required": must_use_two_factor(user),
        "forms": forms,
        "recovery_codes": recovery_codes,
    }
    if device is not None and device.confirmed_at is None:
        context["qr_svg"] = two_factor.qr_svg(device)
        context["secret_groups"] = " ".join(device.secret[i:i + 4] for i in range(0, len(device.secret), 4))
    elif context["enabled"]:
        context["recovery_left"] = two_factor.recovery_codes_left(user)
    # The page may show the secret or recovery codes: never keep it in any cache.
    response = render(request, "web/settings/two_factor.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _ensure_may_reset(user: User) -> None:
    if not may_reset_two_factor(user):
        raise PermissionDenied(_("Only administrators can reset another user's two-factor sign-in."))


@login_required
@require_http_methods(["GET"])
def two_factor_users_view(request: HttpRequest) -> HttpResponse:
    _ensure_may_reset(request.user)
    confirmed = TwoFactor.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
    users = User.objects.filter(is_active=True).annotate(has_two_factor=Exists(confirmed)).order_by("username")
    return render(request, "web/settings/two_factor_users.html", {"users": users})


@login_required
@require_POST
def two_factor_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    _ensure_may_reset(request.user)
    target = get_object_or_404(User, pk=pk)
    if two_factor.two_factor_reset(actor=request.user, user=target):
        messages.success(request, _("Two-factor sign-in of %(user)s was reset: they enrol again at their next sign-in.")
                         % {"user": target})
    else:
        messages.info(request, _("%(user)s had no two-factor sign-in to reset.") % {"user": target})
    return redirect("web:two-factor-users")
