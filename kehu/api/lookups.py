"""Fetching what a request names, through the selectors: invisible means 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from kehu.accounts.models import Team, User
from kehu.api.errors import ApiValidationError
from kehu.customers.models import Customer
from kehu.customers.selectors import customer_get, visible_to

ModelT = TypeVar("ModelT", bound=models.Model)


def actor_of(request: HttpRequest) -> User:
    """The authenticated user (set by `kehu.api.auth` on every protected operation)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


def visible_customer(request: HttpRequest, customer_id: int) -> Customer:
    return customer_get(viewer=actor_of(request), pk=customer_id)


def child_of(customer: Customer, manager: models.Manager[ModelT], pk: int) -> ModelT:
    """A contact point, family member or date of `customer`; 404 if it belongs elsewhere."""
    row = manager.filter(customer=customer, pk=pk).first()
    if row is None:
        raise Http404
    row.customer = customer  # type: ignore[attr-defined]  # reuse the visible, joined instance
    return row


def visible_customer_or_none(request: HttpRequest, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    return visible_to(actor_of(request)).filter(pk=customer_id).first()


def family_values(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Swap `linked_customer_id` for the customer the family-member services expect."""
    if "linked_customer_id" not in values:
        return values
    values = dict(values)
    linked_id = values.pop("linked_customer_id")
    linked = visible_customer_or_none(request, linked_id)
    if linked_id is not None and linked is None:
        # The service's own wording, so an invisible file reads exactly like a missing one.
        raise ApiValidationError([("linked_customer_id", _("No such customer."))])
    values["linked_customer"] = linked
    return values


def user_or_none(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).select_related("team").first()


def team_or_none(team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()
