"""/api/products: the catalogue. Everyone signed in reads it; managers and administrators
change it (the service enforces that)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from kehu.api.lookups import actor_of
from kehu.api.paging import page_of
from kehu.api.schemas.common import AUTH_ERRORS, OBJECT_ERRORS, WRITE_ERRORS, PathId
from kehu.api.schemas.sales import ProductIn, ProductOut, ProductPage, ProductPatch, ProductQuery
from kehu.sales.models import Product
from kehu.sales.services import product_save

router = Router(tags=["catalogue"])


def product_out(product: Product) -> dict[str, Any]:
    return {"id": product.pk, "sku": product.sku, "name": product.name, "category": product.category,
            "price": product.price, "active": product.active}


@router.get("/products", response={200: ProductPage, **AUTH_ERRORS})
def list_products(request: HttpRequest, query: Query[ProductQuery]) -> dict[str, Any]:
    products = Product.objects.order_by("category", "name", "id")
    if query.q.strip():
        products = products.filter(Q(sku__icontains=query.q.strip()) | Q(name__icontains=query.q.strip()))
    if query.category:
        products = products.filter(category=query.category)
    if query.active is not None:
        products = products.filter(active=query.active)
    return page_of(products, query, product_out)


@router.get("/products/{product_id}", response={200: ProductOut, **OBJECT_ERRORS})
def get_product(request: HttpRequest, product_id: PathId) -> dict[str, Any]:
    return product_out(_product(product_id))


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS})
def create_product(request: HttpRequest, payload: ProductIn) -> Status:
    product = product_save(actor=actor_of(request), values=payload.model_dump())
    return Status(201, product_out(_product(product.pk)))  # as stored: 50 → "50.00"


@router.patch("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS})
def update_product(request: HttpRequest, product_id: PathId, payload: ProductPatch) -> dict[str, Any]:
    product = _product(product_id)
    values = payload.model_dump(exclude_unset=True)
    if "category" in values and values["category"] is None:
        values["category"] = ""
    product_save(actor=actor_of(request), values=values, product=product)
    return product_out(_product(product.pk))


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product
