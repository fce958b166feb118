"""Payments: customer_code, received_at, amount, method, currency, reference, invoice_number.

`reference` (the bank or WeChat Pay transaction id) is the natural key: a payment whose
reference is already recorded for the customer is skipped, so a file can be re-imported.
Each payment goes through `payment_record`, so allocation and balances follow the same
rules as a payment typed in by hand (and one larger than what is owed is refused).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehu.customers.models import Customer
from kehu.quality.importing import cells
from kehu.quality.importing.base import Importer, Row
from kehu.sales.choices import PaymentMethod
from kehu.sales.models import Payment, Receivable
from kehu.sales.services import payment_record

FIELD_TO_COLUMN = {"amount": "amount", "received_at": "received_at", "currency": "currency", "method": "method",
                   "reference": "reference", "allocations": "invoice_number"}


class PaymentImporter(Importer):
    kind = "payments"
    required = ("customer_code", "received_at", "amount", "reference")
    optional = ("method", "currency", "invoice_number")
    # A payment's natural key, its allocation and the balances it moves are one customer's.
    partition_by = "customer_code"

    def process(self, batch: list[Row]) -> None:
        customers = self.customers_by_code(cells.text(r.get("customer_code"), max_length=10_000) for _n, r in batch)
        for number, row in batch:
            self._one(number, row, customers)

    def _one(self, number: int, row: dict[str, Any], customers: dict[str, int]) -> int | None:
        before = self.report.failed
        code = self.parse(number, row, "customer_code", cells.text, max_length=32, required=True)
        received = self.parse(number, row, "received_at", cells.moment)
        amount = self.parse(number, row, "amount", cells.decimal, positive=True)
        reference = self.parse(number, row, "reference", cells.text, max_length=100, required=True)
        method = self.parse(number, row, "method", cells.choice, PaymentMethod, default=PaymentMethod.TRANSFER)
        invoice = self.parse(number, row, "invoice_number", cells.text, max_length=64)
        if self.report.failed > before:
            return None
        customer_id = customers.get(code)
        if customer_id is None:
            self.unknown_customer(number, code)
            return None
        if Payment.objects.filter(customer_id=customer_id, reference=reference).exists():
            self.report.skipped_existing += 1
            return None
        customer = Customer.objects.select_related("organization", "person").get(pk=customer_id)
        allocations = None
        if invoice:
            receivable = Receivable.objects.filter(customer_id=customer_id, number=invoice).first()
            if receivable is None:
                self.report.error(number, "invoice_number", invoice, "No open invoice with this number for this customer.")
                return None
            allocations = [(receivable, amount)]
        try:
            with transaction.atomic():
                payment_record(
                    actor=self.actor, customer=customer, amount=amount, received_at=received, method=method,
                    currency=row.get("currency") or "CNY", reference=reference, allocations=allocations,
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = FIELD_TO_COLUMN.get(field.split(".")[0], field)
                for message in messages:
                    self.report.error(number, column, row.get(column), message)
            return None
        self.report.created += 1
        return customer_id
