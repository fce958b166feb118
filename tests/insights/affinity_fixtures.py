"""A small shop whose co-purchase figures are worked out by hand (see test_affinity).

As of 2025-06-30, with refunded/cancelled orders and orders after the date left out:

    customer  categories (products)            note
    C1, C2    护肤 (A), 彩妆 (B)
    C3        护肤 (A), 彩妆 (B), 香水 (C)
    C4        护肤 (A)
    C5        香水 (C)
    C6        茶叶 (D)
    C7        茶叶 (D)                          + a refunded order of 护肤 (A), 彩妆 (B)
    C10, C11  护肤 (A), 茶叶 (D)
    C8        —                                 only a cancelled order of 彩妆 (B)
    C9        —                                 护肤 (A), 彩妆 (B) on 2025-07-05, after the date
    C12       —                                 never bought

    N = 9 (C1–C7, C10, C11); n(护肤) = 6, n(彩妆) = 3, n(香水) = 2, n(茶叶) = 4
    n(护肤, 彩妆) = 3: 护肤 → 彩妆 confidence 3/6 = 0.5, lift 0.5 / (3/9) = 1.5
                      彩妆 → 护肤 confidence 3/3 = 1.0, lift 1.0 / (6/9) = 1.5; cosine 3/√18
    n(护肤, 茶叶) = 2: lift (2/6) / (4/9) = 0.75 < 1, not a neighbour
    n(护肤, 香水) = n(彩妆, 香水) = 1: below a minimum support of 2
Products mirror the categories one to one (A 护肤, B 彩妆, C 香水, D 茶叶).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from kehu.customers.models import Customer
from kehu.sales import stats
from kehu.sales.models import Order, OrderLine, Product

AS_OF = datetime.date(2025, 6, 30)


def at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


class Basket:
    def __init__(self) -> None:
        self.count = 0
        self.products = {
            key: Product.objects.create(sku=f"P-{key}", name=f"{category}{key}", category=category, price=100)
            for key, category in (("A", "护肤"), ("B", "彩妆"), ("C", "香水"), ("D", "茶叶"))
        }

    def customer(self, name: str, **fields) -> Customer:
        self.count += 1
        return Customer.objects.create(kind="person", number=f"R{self.count:05d}", name=name, **fields)

    def order(self, customer: Customer, day: str, keys: str, *, status: str = "paid") -> Order:
        self.count += 1
        total = Decimal(100 * len(keys))
        order = Order(customer=customer, number=f"RO{self.count:06d}", ordered_at=at(day), channel="store",
                      status=status, total=total, refunded_amount=total if status == "refunded" else Decimal(0))
        order.set_local_parts()
        order.save()
        for key in keys:
            product = self.products[key]
            OrderLine.objects.create(order=order, customer=customer, product=product, product_name=product.name,
                                     category=product.category, quantity=1, unit_price=100, line_total=100)
        return order


def build(**owners) -> dict[str, Customer]:
    """The shop of the module docstring; `owners` gives some customers an owner (name → user)."""
    shop = Basket()
    names = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11", "C12")
    c = {name: shop.customer(name, **({"owner": owners[name]} if name in owners else {})) for name in names}
    shop.order(c["C1"], "2025-03-01", "AB")
    shop.order(c["C2"], "2025-02-01", "A")
    shop.order(c["C2"], "2025-04-01", "B")
    shop.order(c["C3"], "2025-01-05", "ABC")
    shop.order(c["C4"], "2025-05-01", "A")
    shop.order(c["C5"], "2025-05-02", "C")
    shop.order(c["C6"], "2025-05-03", "D")
    shop.order(c["C7"], "2025-05-04", "D")
    shop.order(c["C7"], "2025-05-05", "AB", status="refunded")
    shop.order(c["C8"], "2025-05-06", "B", status="cancelled")
    shop.order(c["C9"], "2025-07-05", "AB")
    shop.order(c["C10"], "2025-04-10", "AD")
    shop.order(c["C11"], "2025-04-11", "A")
    shop.order(c["C11"], "2025-04-12", "D")
    stats.refresh_profiles(customer.pk for customer in c.values())
    return c | {key: shop.products[key] for key in "ABCD"}
