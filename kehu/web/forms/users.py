"""Forms of the staff accounts page (administrators)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.accounts.models import Role, Team


class _UserFields(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("name"), required=False,
                                  empty_label=_("No team"))
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class UserCreateForm(_UserFields):
    username = forms.CharField(label=_("Username"), max_length=150)
    field_order = ["username", "role", "team", "display_name", "email"]


class UserEditForm(_UserFields):
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)
