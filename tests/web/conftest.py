"""Helpers for the web tests (personas come from tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from kehu.accounts.models import User


@pytest.fixture
def login(client: Client):
    """Sign `client` in as a persona and return it."""

    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login


def errors_of(response, form: str = "form") -> dict:
    """Field errors of a form in the response context (empty if none or not rendered)."""
    context_form = response.context.get(form) if response.context else None
    return dict(context_form.errors) if context_form is not None else {}
