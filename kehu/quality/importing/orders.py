"""Orders: one row per order line; the lines of an order sit on consecutive rows.

Default columns: customer_code, order_number, ordered_at, amount, currency, channel,
category, product, quantity (+ optional unit_price, discount, payment_method, status,
salesperson). `amount` is the line's total; without it, quantity × unit_price − discount.
`status` is paid (default: historic orders were paid outside kehu) or unpaid, which
opens a receivable due after the customer's payment terms.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.bulk import TableWriter, allocate_ids
from kehu.core.sql import one_of
from kehu.customers.models import OrganizationProfile
from kehu.quality.importing import cells
from kehu.quality.importing.base import Importer, Row
from kehu.sales.choices import OrderChannel, OrderStatus, PaymentMethod
from kehu.sales.models import ZERO, Order, OrderLine, Receivable
from kehu.sales.stats import FoldedOrders, NewOrder, fold_orders, save_folded

CENT = Decimal("0.01")
HEADER_FIELDS = ("customer_code", "ordered_at", "channel", "currency", "payment_method", "status")


class OrderImporter(Importer):
    kind = "orders"
    required = ("customer_code", "order_number", "ordered_at")
    optional = ("amount", "currency", "channel", "category", "product", "quantity", "unit_price", "discount",
                "payment_method", "status", "salesperson")
    group_by = "order_number"
    partition_by = "customer_code"
    prepares_apart = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.numbers_seen: set[str] = set()
        self.salespeople: dict[str, int | None] = {}
        self.zone = timezone.get_current_timezone()
        self.currency = settings.KEHU_CURRENCY  # read once: a setting is a lazy object's attribute
        self.horizon = cells.future_horizon()

    def _line(self, number: int, row: dict[str, Any]) -> dict[str, Any] | None:
        errors_before = self.report.failed
        p, repeated = self.parse, self.parse_repeated
        parsed = {
            "customer_code": p(number, row, "customer_code", cells.text, max_length=32, required=True),
            "ordered_at": p(number, row, "ordered_at", cells.moment, zone=self.zone),
            "channel": repeated(number, row, "channel", cells.choice, OrderChannel, default=OrderChannel.STORE),
            "currency": (repeated(number, row, "currency", cells.text, max_length=3) or self.currency).upper(),
            "payment_method": repeated(number, row, "payment_method", cells.choice, PaymentMethod, default=""),
            "status": repeated(number, row, "status", cells.choice, OrderStatus, default=OrderStatus.PAID),
            "product": repeated(number, row, "product", cells.text, max_length=200),
            "category": repeated(number, row, "category", cells.text, max_length=100),
            "quantity": repeated(number, row, "quantity", cells.decimal, required=False, positive=True) or Decimal(1),
            "unit_price": repeated(number, row, "unit_price", cells.decimal, required=False, minimum=ZERO),
            "discount": repeated(number, row, "discount", cells.decimal, required=False, minimum=ZERO) or ZERO,
            "amount": p(number, row, "amount", cells.decimal, required=False, minimum=ZERO),
            "salesperson": repeated(number, row, "salesperson", cells.text, max_length=150),
        }
        if self.report.failed > errors_before:
            return None
        try:
            cells.not_future(parsed["ordered_at"], self.horizon)
        except cells.CellError as error:
            self.report.error(number, "ordered_at", row.get("ordered_at"), str(error))
            return None
        if parsed["currency"] != self.currency:
            self.report.error(number, "currency", row.get("currency"),
                              _("This archive keeps amounts in %(c)s.") % {"c": self.currency})
            return None
        if parsed["status"] not in (OrderStatus.PAID, OrderStatus.UNPAID):
            self.report.error(number, "status", row.get("status"), _("Import orders as paid or unpaid."))
            return None
        if parsed["amount"] is None and parsed["unit_price"] is None:
            self.report.error(number, "amount", "", _("Give the line amount or a unit price."))
            return None
        gross = (parsed["quantity"] * parsed["unit_price"]).quantize(CENT) if parsed["unit_price"] is not None else None
        line_total = parsed["amount"] if parsed["amount"] is not None else gross - parsed["discount"]
        if line_total < 0:
            self.report.error(number, "discount", row.get("discount"), _("The discount is larger than the line amount."))
            return None
        parsed["line_total"] = line_total.quantize(CENT)
        parsed["unit_price"] = parsed["unit_price"] if parsed["unit_price"] is not None else (line_total / parsed["quantity"]).quantize(CENT)
        return parsed

    def _salesperson(self, username: str) -> int | None:
        if username not in self.salespeople:
            self.salespeople[username] = User.objects.filter(username=username).values_list("id", flat=True).first()
        return self.salespeople[username]

    def process(self, batch: list[Row]) -> None:
        self.write(self.prepare(batch, lock=True))

    def prepare(self, batch: list[Row], *, lock: bool = False) -> PreparedOrders:
        """Check the batch and build its rows and profiles, reading only: it may run outside
        the transaction `write` runs in (`lock`: it runs inside, see `fold_orders`)."""
        self.horizon = cells.future_horizon()
        groups = [(order_number, list(rows)) for order_number, rows in
                  groupby(batch, key=lambda r: cells.text(r[1].get("order_number"), max_length=10_000))]
        numbers = [n for n, _ in groups]
        existing, existing_invoices = _numbers_in_use(Order, numbers), _numbers_in_use(Receivable, numbers)
        parsed_groups = []
        for order_number, rows in groups:
            parsed = self._group(order_number, rows, existing, existing_invoices)
            if parsed is not None:
                parsed_groups.append(parsed)
        customers = self.customers_by_code({g[1][0][1]["customer_code"] for g in parsed_groups})
        valid = []
        for order_number, lines in parsed_groups:
            head = lines[0][1]
            customer_id = customers.get(head["customer_code"])
            if customer_id is None:
                for number, _line in lines:
                    self.unknown_customer(number, head["customer_code"])
                continue
            valid.append((order_number, customer_id, lines))
        return self._build(valid, lock=lock)

    def note_elsewhere(self, rows: list[Row]) -> None:
        order_number = cells.text(rows[0][1].get("order_number"), max_length=10_000)
        if 0 < len(order_number) <= 64:  # what `_group` counts as seen
            self.numbers_seen.add(order_number)

    def _group(self, order_number, rows, existing, existing_invoices):
        numbers = [n for n, _ in rows]
        if not order_number or len(order_number) > 64:
            for number, row in rows:
                self.report.error(number, "order_number", row.get("order_number"), _("An order number of 1 to 64 characters is required."))
            return None
        if order_number in self.numbers_seen:
            for number, _row in rows:
                self.report.error(number, "order_number", order_number, _("The lines of one order must be on consecutive rows."))
            return None
        self.numbers_seen.add(order_number)
        if order_number in existing:
            self.report.skipped_existing += len(rows)
            return None
        lines = [(number, self._line(number, row)) for number, row in rows]
        if any(line is None for _n, line in lines):
            for number, line in lines:
                if line is not None:
                    self.report.error(number, "order_number", order_number, _("Another line of this order has an error."))
            return None
        head = lines[0][1]
        for number, line in lines[1:]:
            for name in HEADER_FIELDS:
                if line[name] != head[name]:
                    self.report.error(number, name, line[name], _("Differs from the first line of order %(n)s (row %(row)d).") % {"n": order_number, "row": numbers[0]})
        if any(n in self.report.failed_rows for n in numbers):
            return None
        if head["status"] == OrderStatus.UNPAID and order_number in existing_invoices:
            self.report.error(numbers[0], "order_number", order_number, _("An invoice with this number already exists."))
            return None
        return order_number, lines

    def _build(self, valid: list, *, lock: bool) -> PreparedOrders:
        """The rows of the valid orders, their ids left to `write`, and their profiles folded."""
        prepared = PreparedOrders(valid)
        if not valid:
            return prepared
        terms = dict(OrganizationProfile.objects.filter(
            customer_id__in=one_of({cid for _n, cid, _l in valid}), payment_terms_days__isnull=False
        ).values_list("customer_id", "payment_terms_days"))
        orders, order_lines, receivables, new_orders = [], [], [], []
        now = timezone.now()
        for index, (order_number, customer_id, lines) in enumerate(valid):
            head = lines[0][1]
            # Most orders have one line: no generator to sum it.
            total = head["line_total"] if len(lines) == 1 else sum((line["line_total"] for _n, line in lines), ZERO)
            local = head["ordered_at"].astimezone(self.zone)
            category_spend: dict[str, Decimal] = {}
            for _n, line in lines:
                if line["category"]:
                    category_spend[line["category"]] = category_spend.get(line["category"], ZERO) + line["line_total"]
            new_orders.append(NewOrder(
                customer_id=customer_id, ordered_at=head["ordered_at"], channel=head["channel"], total=total,
                local_weekday=local.isoweekday(), local_hour=local.hour, local_month=local.month,
                category_spend=category_spend,
            ))
            orders.append({
                "local_weekday": local.isoweekday(), "local_hour": local.hour, "local_month": local.month,
                "id": index, "customer_id": customer_id, "number": order_number, "ordered_at": head["ordered_at"],
                "channel": head["channel"], "payment_method": head["payment_method"], "status": head["status"],
                "currency": head["currency"], "total": total, "created_at": now,
                "salesperson_id": self._salesperson(head["salesperson"]) if head["salesperson"] else None,
            })
            for _n, line in lines:
                order_lines.append({
                    "order_id": index, "customer_id": customer_id,
                    "product_name": line["product"] or line["category"] or "—", "category": line["category"],
                    "quantity": line["quantity"], "unit_price": line["unit_price"], "discount": line["discount"],
                    "line_total": line["line_total"],
                })
            if head["status"] == OrderStatus.UNPAID and total > 0:
                issued = local.date()
                receivables.append({
                    "customer_id": customer_id, "order_id": index, "number": order_number, "amount": total,
                    "issued_on": issued, "due_on": issued + datetime.timedelta(days=terms.get(customer_id, 0)),
                })
        # Encoded here, where workers overlap; `write` only puts the ids in.
        prepared.orders = _WRITERS["order"].encode_many(orders)
        prepared.lines = _WRITERS["line"].encode_many(order_lines)
        prepared.receivables = _WRITERS["receivable"].encode_many(receivables)
        prepared.unpaid = {r["number"] for r in receivables}
        prepared.folded = fold_orders(new_orders, balances_moved={r["customer_id"] for r in receivables}, lock=lock)
        return prepared

    def write(self, prepared: PreparedOrders) -> None:
        """Write what `prepare` built, in the caller's transaction. Orders someone else
        wrote since (the same number) are left out, and the rest built again."""
        if not prepared.valid:
            return
        if not prepared.folded.locked:
            taken = _numbers_in_use(Order, [n for n, _c, _l in prepared.valid])
            invoiced = _numbers_in_use(Receivable, prepared.unpaid)
            if taken or invoiced:
                prepared = self._build(self._without(prepared.valid, taken, invoiced), lock=True)
                if not prepared.valid:
                    return
        ids = allocate_ids(Order, len(prepared.valid))
        _WRITERS["order"].insert(_WRITERS["order"].with_ids(prepared.orders, "id", ids))
        _WRITERS["line"].insert(_WRITERS["line"].with_ids(prepared.lines, "order_id", ids))
        _WRITERS["receivable"].insert(_WRITERS["receivable"].with_ids(prepared.receivables, "order_id", ids))
        save_folded(prepared.folded)
        self.report.created += len(prepared.lines)

    def _without(self, valid: list, taken: set[str], invoiced: set[str]) -> list:
        kept = []
        for order_number, customer_id, lines in valid:
            if order_number in taken:
                self.report.skipped_existing += len(lines)
            elif order_number in invoiced and lines[0][1]["status"] == OrderStatus.UNPAID:
                self.report.error(lines[0][0], "order_number", order_number, _("An invoice with this number already exists."))
            else:
                kept.append((order_number, customer_id, lines))
        return kept


def _numbers_in_use(model: type[Order] | type[Receivable], numbers: Collection[str]) -> set[str]:
    """Which of these order or invoice numbers are already stored."""
    if not numbers:
        return set()
    return set(model.objects.filter(number__in=one_of(numbers)).values_list("number", flat=True))


@dataclass
class PreparedOrders:
    """One batch's valid orders as `OrderImporter.prepare` built them for `write`."""

    valid: list  # (order number, customer id, [(row number, parsed line)])
    # Encoded rows; their order ids are the order's index in `valid` until `write`.
    orders: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)
    receivables: list[tuple] = field(default_factory=list)
    unpaid: set[str] = field(default_factory=set)  # numbers of the orders that open a receivable
    folded: FoldedOrders | None = None


class _Writers(dict):
    """Table writers, built on first use (they read field defaults from the live connection)."""

    def __missing__(self, name: str) -> TableWriter:
        model = {"order": Order, "line": OrderLine, "receivable": Receivable}[name]
        self[name] = writer = TableWriter(model, with_id=name == "order")
        return writer


_WRITERS = _Writers()
