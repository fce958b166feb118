"""A segment's member list as CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.audit.services import audit
from kehu.core.spreadsheet import SafeWriter
from kehu.customers.choices import ContactType
from kehu.customers.models import ContactPoint, Customer
from kehu.sales.models import ConsumptionProfile
from kehu.segments.models import Segment
from kehu.segments.selectors import members

CHUNK = 2000
_PHONES = (ContactType.MOBILE, ContactType.PHONE)


def header() -> list[str]:
    return [_("Customer number"), _("Name"), _("Kind"), _("Status"), _("Owner"), _("Phone"), _("Email"),
            _("Total spend")]


def _first(points: list[ContactPoint], types) -> str:
    return next((p.value for p in points if p.type in types), "")


def rows(customers: QuerySet[Customer], *, purpose: str) -> Iterator[list[str]]:
    """One row per member. On a marketing list a contact point marked “do not contact” is
    left out, as if the customer had none."""
    points = ContactPoint.objects.filter(type__in=[*_PHONES, ContactType.EMAIL])
    if purpose == "marketing":
        points = points.filter(do_not_contact=False)
    customers = customers.select_related("consumption").prefetch_related(
        Prefetch("contact_points", queryset=points, to_attr="listed_points"))
    for customer in customers.iterator(chunk_size=CHUNK):  # contact points: one query per chunk
        yield [customer.number, customer.name, customer.get_kind_display(), customer.get_status_display(),
               customer.owner.get_username() if customer.owner else "", _first(customer.listed_points, _PHONES),
               _first(customer.listed_points, (ContactType.EMAIL,)), _spend(customer)]


def _spend(customer: Customer) -> str:
    try:
        return str(customer.consumption.total_spend)
    except ConsumptionProfile.DoesNotExist:
        return "0"


def csv_chunks(customers: QuerySet[Customer], *, purpose: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    buffer.write("\ufeff")
    writer.writerow(header())
    for number, row in enumerate(rows(customers, purpose=purpose), start=1):
        writer.writerow(row)
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def audited_members(user: User, segment: Segment, purpose: str, *, via: str) -> QuerySet[Customer]:
    """The members about to leave kehu, with the export audited before the first row goes."""
    customers = members(viewer=user, segment=segment, purpose=purpose)
    with transaction.atomic():
        audit(actor=user, action="segment.export", target=segment, changes={
            "segment": segment.name, "purpose": purpose, "rows": customers.count(), "via": via})
    return customers


def export_response(user: User, segment: Segment, purpose: str, *, via: str) -> StreamingHttpResponse:
    """The CSV download (the web page and the API share it)."""
    customers = audited_members(user, segment, purpose, via=via)
    response = StreamingHttpResponse(csv_chunks(customers, purpose=purpose), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}-{purpose}-{stamp}.csv"'
    return response
