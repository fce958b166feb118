from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.customers.models import Customer
from kehu.sales.models import Order

AS_OF = datetime.date(2025, 6, 30)


def at(day: datetime.date | str, hour: int = 12) -> datetime.datetime:
    day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Shop:
    """Writes customers and orders straight to the tables: scoring reads only these rows."""

    def __init__(self) -> None:
        self.count = 0

    def customer(self, name: str, **fields) -> Customer:
        self.count += 1
        return Customer.objects.create(kind="person", number=f"T{self.count:05d}", name=name, **fields)

    def order(self, customer: Customer, day, total, *, status: str = "paid", refunded="0") -> Order:
        self.count += 1
        return Order.objects.create(customer=customer, number=f"O{self.count:06d}", ordered_at=at(day),
                                    channel="store", status=status, total=Decimal(str(total)),
                                    refunded_amount=Decimal(str(refunded)))


@pytest.fixture
def shop(db) -> Shop:
    return Shop()


@pytest.fixture
def base(shop) -> dict[str, Customer]:
    """Hand-computed RFM case as of 2025-06-30 with a 365-day window (see test_scoring)."""
    a, b, c, d, e, f = (shop.customer(n) for n in ("A", "B", "C", "D", "E", "F"))
    for customer in (a, b):  # B is A's twin: equal inputs must get equal scores
        shop.order(customer, "2025-06-20", 100)
        shop.order(customer, "2025-05-01", 200)
        shop.order(customer, "2025-01-10", 300)
    shop.order(a, "2025-07-05", 999)  # after the as-of date: ignored
    shop.order(c, "2025-03-01", 50)
    shop.order(d, "2024-01-01", 1000)  # outside the window: recency/CLV only
    shop.order(d, "2025-06-29", 80, status="partially_paid", refunded="30")  # net 50
    shop.order(e, "2025-06-25", 500, status="cancelled")  # void
    shop.order(e, "2025-06-26", 70, status="refunded", refunded="70")  # void
    shop.order(e, "2024-12-01", 400)
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}
