"""A customer's preferences, next-purchase estimate and recommendations, for pages and the API.

Recommendations come from the customer's own categories and products plus the small table of
co-purchase neighbours the latest scoring run stored (`kehu.insights.affinity`): for every
category or product the customer has not bought, the strongest "customers who bought X also
bought Y" among the X they did buy. Three cheap queries whatever the size of the base — the
customer's products, the neighbours of their items, the recommended products' names — and
only rates over many customers are shown, never who those customers are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.accounts.models import User
from kehu.core.sql import one_of
from kehu.insights import next_purchase
from kehu.insights.choices import AffinityKind
from kehu.insights.models import CustomerScore, ItemAffinity, ScoringRun
from kehu.insights.selectors import current_run, may_see
from kehu.sales.choices import VOID_ORDER_STATUSES
from kehu.sales.models import ConsumptionProfile, Order, OrderLine, Product

SHOWN = 5
RECENT_ORDERS = 500


@dataclass(frozen=True)
class Recommendation:
    kind: str  # AffinityKind
    key: str  # the category, or the product id as text
    name: str  # the category, or the product's name
    category: str  # a product's category ("" for a category)
    because_of: str  # the customer's category or product name this comes from
    both: int  # customers who bought both
    source_buyers: int  # customers who bought `because_of`
    confidence: float  # both / source_buyers
    lift: float

    @property
    def product_id(self) -> int | None:
        return int(self.key) if self.kind == AffinityKind.PRODUCT else None

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)

    def reason(self) -> str:
        return _("Bought by %(percent)s%% of customers who bought %(item)s (%(lift)s× as often as customers "
                 "overall).") % {"percent": self.percent, "item": self.because_of, "lift": f"{self.lift:.1f}"}


@dataclass(frozen=True)
class Preferences:
    """What the customer page's Preferences card and the API show."""

    favourite_categories: list[str]
    next_purchase: next_purchase.NextPurchase
    categories: list[Recommendation] = field(default_factory=list)
    products: list[Recommendation] = field(default_factory=list)
    as_of: datetime.date | None = None  # the run whose neighbours were used; None: no run yet
    min_support: int | None = None


def bought_products(customer_id: int) -> set[int]:
    """The products on the customer's latest `RECENT_ORDERS` orders that were not refunded or
    cancelled — all of them for nearly every customer, and a bounded read for the few with a
    history of thousands of orders (the page must cost the same whatever the history)."""
    recent = (Order.objects.filter(customer_id=customer_id).exclude(status__in=VOID_ORDER_STATUSES)
              .order_by("-ordered_at", "-id").values("id")[:RECENT_ORDERS])
    return set(
        OrderLine.objects.filter(order_id__in=recent, product_id__isnull=False)
        .values_list("product_id", flat=True).distinct()
    )


class _Row(NamedTuple):
    kind: str
    item: str
    other: str
    both: int
    item_buyers: int
    confidence: float
    lift: float


def _best(rows: list[_Row]) -> list[_Row]:
    """One row per item suggested: the strongest reason for it (highest lift, then confidence)."""
    best: dict[str, _Row] = {}
    for row in rows:
        held = best.get(row.other)
        if held is None or (row.lift, row.confidence, row.item) > (held.lift, held.confidence, held.item):
            best[row.other] = row
    return sorted(best.values(), key=lambda r: (-r.lift, -r.confidence, r.other))


def recommend(*, customer_id: int, categories: set[str], run: ScoringRun | None, limit: int = SHOWN
              ) -> tuple[list[Recommendation], list[Recommendation]]:
    """(categories, products) to suggest to a customer who bought `categories` (and, read here,
    their products), from the neighbours of the `run`'s date."""
    if run is None:
        return [], []
    products = bought_products(customer_id)
    product_keys = {str(pk) for pk in products}
    if not categories and not products:
        return [], []
    # What the customer already has is left out in the database: a customer who bought most
    # of the catalogue has many neighbours and none of them to show.
    scope = Q()
    for kind, items in ((AffinityKind.CATEGORY, categories), (AffinityKind.PRODUCT, product_keys)):
        if items:
            scope |= Q(kind=kind, item__in=one_of(sorted(items))) & ~Q(other__in=one_of(sorted(items)))
    rows = [_Row(*row) for row in ItemAffinity.objects.filter(scope, as_of=run.as_of).values_list(*_Row._fields)]
    category_rows = _best([r for r in rows if r.kind == AffinityKind.CATEGORY])
    product_rows = _best([r for r in rows if r.kind == AffinityKind.PRODUCT])
    # Names of the products to show and of those they are recommended because of; sold-out
    # (inactive) products are not suggested. Over-fetch so inactive ones can be skipped.
    product_rows = product_rows[: limit * 4]
    ids = {int(r.other) for r in product_rows} | {int(r.item) for r in product_rows}
    catalogue = {p["pk"]: p for p in Product.objects.filter(pk__in=ids).values("pk", "name", "category", "active")}
    suggested_products = []
    for row in product_rows:
        product, source = catalogue.get(int(row.other)), catalogue.get(int(row.item))
        if product is None or not product["active"] or source is None:
            continue
        suggested_products.append(Recommendation(
            AffinityKind.PRODUCT, row.other, product["name"], product["category"], source["name"], row.both,
            row.item_buyers, row.confidence, row.lift))
        if len(suggested_products) == limit:
            break
    suggested_categories = [
        Recommendation(AffinityKind.CATEGORY, row.other, row.other, "", row.item, row.both, row.item_buyers,
                       row.confidence, row.lift)
        for row in category_rows[:limit]
    ]
    return suggested_categories, suggested_products


def preferences_of(
    *, viewer: User, customer_id: int, run: ScoringRun | None = None, profile: ConsumptionProfile | None = None,
    score: CustomerScore | None = None, today: datetime.date | None = None, limit: int = SHOWN,
    preloaded: bool = False,
) -> Preferences | None:
    """None when the viewer may not see the customer (answered 404 like a missing one).

    `preloaded`: the caller (the customer page) has checked visibility and read the current
    run, the consumption profile and the snapshot already — each possibly None — and passes
    them in; then this costs three queries."""
    if not preloaded:
        if not may_see(viewer, customer_id):
            return None
        run = current_run()
        profile = ConsumptionProfile.objects.filter(customer_id=customer_id).first()
        score = (CustomerScore.objects.filter(as_of=run.as_of, customer_id=customer_id).only("p_alive").first()
                 if run is not None else None)
    today = today or timezone.localdate()
    estimate = next_purchase.estimate(
        order_count=profile.order_count if profile else 0,
        first_order_at=profile.first_order_at if profile else None,
        last_order_at=profile.last_order_at if profile else None,
        usual_gap_days=profile.average_days_between_orders if profile else None,
        today=today, bgnbd=next_purchase.bgnbd_parameters(run), p_alive=score.p_alive if score else None,
        as_of=run.as_of if run else None,
    )
    categories = set((profile.counters or {}).get("categories", {})) if profile else set()
    suggested_categories, suggested_products = recommend(customer_id=customer_id, categories=categories, run=run,
                                                         limit=limit)
    min_support = ((run.parameters or {}).get("affinity") or {}).get("min_support") if run else None
    return Preferences(list(profile.favourite_categories) if profile else [], estimate, suggested_categories,
                       suggested_products, run.as_of if run else None, min_support)
