"""Settings pages: custom field definitions (managers) and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kehu.accounts.models import ApiToken
from kehu.accounts.services import api_token_create, api_token_revoke
from kehu.customers.models import CustomFieldDefinition
from kehu.customers.services import custom_field_define, custom_field_update
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.settings import ApiTokenForm, CustomFieldDefinitionForm
from kehu.web.views.common import ensure_configurer


@login_required
@require_GET
def custom_field_list_view(request: HttpRequest) -> HttpResponse:
    ensure_configurer(request.user)
    definitions = CustomFieldDefinition.objects.all()
    return render(request, "web/settings/custom_fields.html", {"definitions": definitions})


@login_required
@require_http_methods(["GET", "POST"])
def custom_field_create_view(request: HttpRequest) -> HttpResponse:
    ensure_configurer(request.user)
    form = CustomFieldDefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            custom_field_define(actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Custom field created."))
            return redirect("web:custom-field-list")
    return render(request, "web/settings/custom_field_form.html", {"form": form, "definition": None})


@login_required
@require_http_methods(["GET", "POST"])
def custom_field_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    ensure_configurer(request.user)
    definition = get_object_or_404(CustomFieldDefinition, pk=pk)
    form = CustomFieldDefinitionForm(
        request.POST or None, editing=True, initial=CustomFieldDefinitionForm.initial_for(definition)
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("key", "field_type")}
        try:
            custom_field_update(actor=request.user, definition=definition, values=values)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            messages.success(request, _("Custom field saved."))
            return redirect("web:custom-field-list")
    return render(request, "web/settings/custom_field_form.html", {"form": form, "definition": definition})


@login_required
@require_http_methods(["GET", "POST"])
def api_token_list_view(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, fallback=form)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    # The secret is rendered in this response only; it is never stored or shown again.
    return render(request, "web/settings/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("web:api-token-list")
