"""Every read of customers that depends on who asks starts here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from kehu.accounts.models import User
from kehu.accounts.permissions import role_of, sees_all_customers
from kehu.customers.models import Customer
from kehu.customers.search import filter_by_query


def visible_to(viewer: User) -> QuerySet[Customer]:
    """The customers `viewer` may see: the only door to the archive.

    Managers, administrators and analysts see everyone; sales and service staff see
    what they own, their team's customers and the pool (customers with no owner).
    """
    if role_of(viewer) is None:
        return Customer.objects.none()
    if sees_all_customers(viewer):
        return Customer.objects.all()
    scope = Q(owner=viewer) | Q(owner__isnull=True)
    if viewer.team_id is not None:
        scope |= Q(team_id=viewer.team_id)
    return Customer.objects.filter(scope)


def customer_get(*, viewer: User, pk: int) -> Customer:
    """One visible customer, or Http404 (an invisible one looks like a missing one)."""
    customer = visible_to(viewer).select_related("person", "organization", "owner", "team").filter(pk=pk).first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


@dataclass(frozen=True)
class CustomerFilters:
    query: str = ""
    kind: str = ""
    status: str = ""
    owner_id: int | None = None
    in_pool: bool | None = None
    tag: str = ""
    mine: bool = False


SORTS = {
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "-created": ("-id",),
    "created": ("id",),
    "number": ("number",),
    "-completeness": ("-completeness", "-id"),
}


def customer_list(*, viewer: User, filters: CustomerFilters, sort: str = "-created") -> QuerySet[Customer]:
    customers = visible_to(viewer)
    if filters.query.strip():
        customers = filter_by_query(customers, filters.query)
    if filters.kind:
        customers = customers.filter(kind=filters.kind)
    if filters.status:
        customers = customers.filter(status=filters.status)
    if filters.owner_id is not None:
        customers = customers.filter(owner_id=filters.owner_id)
    if filters.mine:
        customers = customers.filter(owner=viewer)
    if filters.in_pool is True:
        customers = customers.filter(owner__isnull=True)
    elif filters.in_pool is False:
        customers = customers.filter(owner__isnull=False)
    if filters.tag:
        customers = customers.filter(tags__name=filters.tag)
    return customers.select_related("owner", "team").order_by(*SORTS.get(sort, SORTS["-created"]))
