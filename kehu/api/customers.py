"""/api/customers: list and search, the full file, create, partial update, delete."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kehu.api import present
from kehu.api.errors import ApiValidationError, service_errors
from kehu.api.lookups import actor_of, family_values, team_or_none, user_or_none, visible_customer
from kehu.api.schemas.common import (
    LIMITED_ERRORS,
    MAX_ID,
    MAX_LIMIT,
    OBJECT_ERRORS,
    WRITE_ERRORS,
    PathId,
    QueryId,
    text,
)
from kehu.api.schemas.customers import (
    CustomerCreate,
    CustomerDetail,
    CustomerListItem,
    CustomerPatch,
    KindValue,
    StatusValue,
)
from kehu.audit.services import audit
from kehu.core import ratelimit
from kehu.customers.selectors import SORTS, CustomerFilters, customer_get, customer_list, read_counted_page
from kehu.customers.services import (
    ContactPointData,
    customer_create,
    customer_delete,
    customer_update,
    family_member_add,
    important_date_add,
    profile_update,
)

router = Router(tags=["customers"])

SortValue = Literal[tuple(SORTS)]


class CustomerQuery(Schema):
    q: text(200) = Field("", description="Name (incl. Chinese substring, pinyin, initials), phone in any "
                         "format or its last four digits, e-mail, company, customer number.")
    kind: KindValue | None = None
    status: StatusValue | None = None
    owner_id: QueryId | None = None
    in_pool: bool | None = Field(None, description="true: only the pool (公海); false: only owned customers.")
    tag: text(50) = ""
    mine: bool = Field(False, description="Only customers you own.")
    sort: SortValue = "-created"
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_ID)


# The list counts matches up to this many (see list_customers).
COUNT_CAP = 1000


class CustomerPage(Schema):
    count: int = Field(
        description=f"Matching customers over all pages, counted up to {COUNT_CAP:,}: when `count_exact` is "
        f"false there are more than {COUNT_CAP:,} and `count` is {COUNT_CAP + 1:,}."
    )
    count_exact: bool = Field(description="Whether `count` is the exact number of matches.")
    has_more: bool = Field(description="Whether another page follows this one (offset + limit).")
    limit: int
    offset: int
    items: list[CustomerListItem]


@router.get("/customers", response={200: CustomerPage, **LIMITED_ERRORS})
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> dict[str, Any]:
    """Search and list customers. Rate-limited per user (`KEHU_SEARCH_RATE_PER_MINUTE`): 429 with Retry-After."""
    ratelimit.hit_for_user(ratelimit.SEARCH, actor_of(request))
    filters = CustomerFilters(
        query=query.q, kind=query.kind or "", status=query.status or "", owner_id=query.owner_id,
        in_pool=query.in_pool, tag=query.tag, mine=query.mine,
    )
    # The same few queries whatever the page size: the count and the page's ids (often one
    # query for both, see read_counted_page), the rows, their tags, their contact points.
    # An exact count over a million matches costs more than the page, so counting stops
    # past COUNT_CAP (as on the web list).
    customers = customer_list(viewer=actor_of(request), filters=filters, sort=query.sort).prefetch_related(
        "tags", "contact_points"
    )
    rows, count = read_counted_page(customers, query.offset, query.offset + query.limit + 1, COUNT_CAP)
    exact = count <= COUNT_CAP
    return {
        "count": count, "count_exact": exact, "has_more": len(rows) > query.limit, "limit": query.limit,
        "offset": query.offset, "items": [present.customer_row(c) for c in rows[: query.limit]],
    }


def _detail(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    customer = customer_get(viewer=actor, pk=customer_id)
    return present.customer_detail(customer, viewer=actor)


@router.get("/customers/{customer_id}", response={200: CustomerDetail, **OBJECT_ERRORS})
def get_customer(request: HttpRequest, customer_id: PathId) -> dict[str, Any]:
    """The whole file. Each read is recorded in the audit log (who looked at whom, when)."""
    actor = actor_of(request)
    customer = customer_get(viewer=actor, pk=customer_id)
    audit(actor=actor, action="customer.view", target=customer, customer_id=customer.pk)
    return present.customer_detail(customer, viewer=actor)


def _people(data: dict[str, Any]) -> dict[str, Any]:
    """Turn `owner_id` / `team_id` into the users and teams the services take."""
    resolved: dict[str, Any] = {}
    errors: list[tuple[str | None, str]] = []
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        owner = None if owner_id is None else user_or_none(owner_id)
        if owner_id is not None and owner is None:
            errors.append(("owner_id", _("No such user.")))
        resolved["owner"] = owner
    if "team_id" in data:
        team_id = data.pop("team_id")
        team = None if team_id is None else team_or_none(team_id)
        if team_id is not None and team is None:
            errors.append(("team_id", _("Unknown team.")))
        resolved["team"] = team
    if errors:
        raise ApiValidationError(errors)
    return resolved


def _prefixed(error: ValidationError, prefix: str) -> ApiValidationError:
    return ApiValidationError(service_errors(error, prefix=prefix))


@router.post("/customers", response={201: CustomerDetail, **WRITE_ERRORS})
def create_customer(request: HttpRequest, payload: CustomerCreate) -> Status:
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    people = _people(data)
    members, dates = payload.family_members, payload.important_dates
    for key in ("family_members", "important_dates", "contact_points", "profile"):
        data.pop(key, None)
    # The file and what hangs off it are one write: a bad family member undoes the file.
    with transaction.atomic():
        customer = customer_create(
            actor=actor,
            **data,
            **people,
            profile=payload.profile.model_dump(exclude_unset=True) if payload.profile else None,
            contact_points=[ContactPointData(**point.model_dump()) for point in payload.contact_points],
        )
        for index, member in enumerate(members):
            try:
                family_member_add(actor=actor, customer=customer, values=family_values(request, member.model_dump()))
            except ValidationError as error:
                raise _prefixed(error, f"family_members.{index}.") from None
        for index, date in enumerate(dates):
            try:
                important_date_add(actor=actor, customer=customer, values=date.model_dump())
            except ValidationError as error:
                raise _prefixed(error, f"important_dates.{index}.") from None
    return Status(201, _detail(request, customer.pk))


@router.patch("/customers/{customer_id}", response={200: CustomerDetail, **WRITE_ERRORS})
def update_customer(request: HttpRequest, customer_id: PathId, payload: CustomerPatch) -> dict[str, Any]:
    actor = actor_of(request)
    customer = visible_customer(request, customer_id)
    changes = payload.model_dump(exclude_unset=True)
    profile = changes.pop("profile", None)
    changes.update(_people(changes))
    errors: list[tuple[str | None, str]] = []
    # Both services validate before writing; collecting both sets of messages and rolling
    # back together gives the client every problem at once and never half an update.
    with transaction.atomic():
        if changes:
            try:
                customer_update(actor=actor, customer=customer, changes=changes)
            except ValidationError as error:
                errors.extend(service_errors(error))
        if profile:
            try:
                profile_update(actor=actor, customer=customer, values=profile)
            except ValidationError as error:
                errors.extend(service_errors(error))
        if errors:
            raise ApiValidationError(errors)
    return _detail(request, customer.pk)


@router.delete("/customers/{customer_id}", response={204: None, **WRITE_ERRORS})
def delete_customer(request: HttpRequest, customer_id: PathId) -> Status:
    customer = visible_customer(request, customer_id)
    customer_delete(actor=actor_of(request), customer=customer)
    return Status(204, None)
