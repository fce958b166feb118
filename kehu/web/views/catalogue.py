"""The product catalogue: everyone may look, administrators and archive managers edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kehu.accounts.permissions import may_configure
from kehu.sales.models import Product
from kehu.sales.services import PRODUCT_FIELDS, product_save
from kehu.web.forms.errors import attach_errors
from kehu.web.forms.sales import ProductForm
from kehu.web.pagination import paginate
from kehu.web.views.common import ensure_configurer, vary_on_htmx

MAX_QUERY = 100


@login_required
@require_GET
def product_list_view(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    products = Product.objects.order_by("category", "name", "id")
    if query:
        products = products.filter(Q(name__icontains=query) | Q(sku__icontains=query) | Q(category__icontains=query))
    context = {"page": paginate(products, request.GET.get("page")), "q": query,
               "can_edit": may_configure(request.user)}
    return vary_on_htmx(render(request, "web/catalogue/list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def product_edit_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ensure_configurer(request.user)
    product = get_object_or_404(Product, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = ProductForm(request.POST)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in PRODUCT_FIELDS}
            try:
                product_save(actor=request.user, values=values, product=product)
            except ValidationError as error:
                attach_errors(error, fallback=form)
            except IntegrityError:
                form.add_error("sku", _("A product with this SKU already exists."))
            else:
                messages.success(request, _("Catalogue saved."))
                return redirect("web:product-list")
    else:
        initial = {name: getattr(product, name) for name in PRODUCT_FIELDS} if product else {"active": True}
        form = ProductForm(initial=initial)
    return render(request, "web/catalogue/form.html", {"form": form, "product": product})
