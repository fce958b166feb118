"""Forms for orders, refunds, receivables, payments, credit incidents and the catalogue."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehu.sales.choices import OrderChannel, PaymentMethod
from kehu.sales.models import CreditIncident, Order, Payment, Product, Receivable
from kehu.web.forms.activity import datetime_field
from kehu.web.forms.widgets import DateInput, field_from_model

PRODUCT_CHOICES_LIMIT = 1000
MONEY = {"max_digits": 14, "decimal_places": 2}


def _blank_choice(choices: list) -> list:
    return [("", "—"), *choices]


class OrderForm(forms.Form):
    number = field_from_model(Order, "number")
    ordered_at = datetime_field(_("Ordered at"))
    channel = forms.ChoiceField(label=_("Channel"), choices=OrderChannel.choices, initial=OrderChannel.STORE)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=_blank_choice(PaymentMethod.choices),
                                       required=False)
    paid_in_full = forms.BooleanField(label=_("Paid in full"), required=False)
    due_on = forms.DateField(label=_("Due on"), required=False,
                             help_text=_("Empty: the order date plus the customer's payment terms."))
    notes = field_from_model(Order, "notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].widget = DateInput()
        self.fields["number"].widget.attrs.update(autocomplete="off")


class OrderLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Catalogue product"), queryset=Product.objects.none(), required=False)
    product_name = forms.CharField(label=_("Product"), max_length=200, required=False)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    # The service checks the numbers (quantity > 0, price ≥ 0, discount ≤ line); the form only parses them.
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=3, initial=1, required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, **MONEY)
    discount = forms.DecimalField(label=_("Discount"), required=False, **MONEY)

    def __init__(self, *args: Any, products: list[Product] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products = products or []
        field = self.fields["product"]
        field.queryset = Product.objects.filter(active=True)
        field.choices = [("", _("— free text —")), *[(p.pk, f"{p.name} · {p.sku}") for p in products]]
        self.products = products
        for name in ("quantity", "unit_price", "discount"):
            self.fields[name].widget.attrs.update(step="any", inputmode="decimal")

    def has_changed(self) -> bool:
        # A row is blank (and skipped) unless a product is chosen or typed: the default
        # quantity of 1, or a row removed in the browser, is not an order line.
        return any(self[name].value() not in (None, "") for name in ("product", "product_name", "unit_price"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.has_content() and data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter a quantity."))
        return data

    def has_content(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("product") or (data.get("product_name") or "").strip() or data.get("unit_price") is not None)


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, products: list[Product] | None = None, **kwargs: Any) -> None:
        self.products = products or []
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"products": self.products}


OrderLineFormSet = forms.formset_factory(OrderLineForm, formset=BaseLineFormSet, extra=0, min_num=1, max_num=200,
                                         absolute_max=200, validate_max=True)


def catalogue_products() -> list[Product]:
    return list(Product.objects.filter(active=True).order_by("category", "name")[:PRODUCT_CHOICES_LIMIT])


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), required=False, help_text=_("Empty: the whole remaining amount."),
                                **MONEY)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ReceivableForm(forms.Form):
    number = field_from_model(Receivable, "number")
    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    issued_on = field_from_model(Receivable, "issued_on")
    due_on = field_from_model(Receivable, "due_on")
    description = field_from_model(Receivable, "description")


class PaymentForm(forms.Form):
    """A payment; allocated oldest due first unless amounts are typed against invoices."""

    amount = forms.DecimalField(label=_("Amount"), **MONEY)
    received_at = datetime_field(_("Received at"))
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER)
    reference = field_from_model(Payment, "reference")

    def __init__(self, *args: Any, receivables: list[Receivable] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.receivables = receivables or []
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for receivable in self.receivables:
            self.fields[self.allocation_field(receivable)] = forms.DecimalField(
                label=receivable.number, required=False, min_value=Decimal("0"), **MONEY,
            )

    @staticmethod
    def allocation_field(receivable: Receivable) -> str:
        return f"alloc_{receivable.pk}"

    def allocation_rows(self) -> list[tuple[Receivable, forms.BoundField]]:
        return [(r, self[self.allocation_field(r)]) for r in self.receivables]

    def allocations(self) -> list[tuple[Receivable, Decimal]] | None:
        """The typed allocations in order, or None for automatic allocation."""
        chosen = [(r, self.cleaned_data[self.allocation_field(r)]) for r in self.receivables]
        chosen = [(r, amount) for r, amount in chosen if amount]
        return chosen or None


class CreditIncidentForm(forms.Form):
    occurred_on = field_from_model(CreditIncident, "occurred_on")
    description = field_from_model(CreditIncident, "description")
    amount = forms.DecimalField(label=_("Amount involved"), required=False, **MONEY)


class ProductForm(forms.Form):
    sku = field_from_model(Product, "sku")
    name = field_from_model(Product, "name")
    category = field_from_model(Product, "category")
    price = forms.DecimalField(label=_("Price"), **MONEY)
    active = forms.BooleanField(label=pgettext_lazy("enabled", "Active"), required=False, initial=True)


def line_values(form: OrderLineForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "product": data.get("product"),
        "product_name": (data.get("product_name") or "").strip(),
        "category": (data.get("category") or "").strip(),
        "quantity": data.get("quantity"),
        "unit_price": data.get("unit_price"),
        "discount": data.get("discount") or 0,
    }

