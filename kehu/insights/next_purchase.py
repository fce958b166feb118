"""When a customer is expected to buy next, whether that is overdue, and on what basis.

Two bases, chosen by how much history the customer has:

- `usual_gap` (three purchases or more): the last purchase plus the customer's own average
  days between purchases — the consumption profile's figure, kept up to date with every order.
- `model` (one or two purchases, too few for a gap of their own): the BG/NBD fit of the
  latest scoring run. While a customer is active their purchases are Poisson with a rate
  λ whose Gamma(r, α) prior is updated by their history; after x repeat purchases over the
  t_x days from their first purchase to their last, E[λ] = (r + x) / (α + t_x), so the gap
  the model expects is (α + t_x) / (r + x) days — the base's typical gap for a one-time
  buyer, moving towards their own with each purchase. Read as of the last purchase, so the
  date stays put until they buy again and can fall due. P(alive) says how likely it is that
  they still buy at all.

Without purchases there is nothing to estimate; without a fit (no scoring run yet, or too few
customers to fit) a short history gets no estimate, and says so. Pure arithmetic on figures
the page reads anyway: no query of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

USUAL_GAP, MODEL, NO_PURCHASES, TOO_FEW = "usual_gap", "model", "no_purchases", "too_few"
MIN_ORDERS_FOR_OWN_GAP = 3  # two gaps: one gap alone is an accident of timing
MIN_GAP_DAYS = 1.0  # several orders on one day say nothing about a rhythm
MAX_GAP_DAYS = 36500.0


@dataclass(frozen=True)
class NextPurchase:
    basis: str
    order_count: int
    last_order_on: datetime.date | None
    gap_days: float | None
    expected_on: datetime.date | None
    today: datetime.date
    p_alive: float | None = None
    as_of: datetime.date | None = None  # the scoring run whose fit was used (basis `model`)

    @property
    def days_until(self) -> int | None:
        """Days from today to the expected date; negative when overdue."""
        return (self.expected_on - self.today).days if self.expected_on else None

    @property
    def overdue(self) -> bool:
        return self.expected_on is not None and self.expected_on < self.today

    @property
    def overdue_days(self) -> int:
        return -self.days_until if self.overdue and self.days_until is not None else 0

    def status(self) -> str:
        """"Overdue by 12 days" / "Expected in 5 days" / "Expected today", in the active language."""
        days = self.days_until
        if days is None:
            return ""
        if days < 0:
            return ngettext("Overdue by %(days)s day", "Overdue by %(days)s days", -days) % {"days": -days}
        if days == 0:
            return _("Expected today")
        return ngettext("Expected in %(days)s day", "Expected in %(days)s days", days) % {"days": days}

    def basis_text(self) -> str:
        """Which basis was used and why, in words, in the active language."""
        if self.basis == NO_PURCHASES:
            return _("No purchases yet, so there is nothing to estimate from.")
        if self.basis == TOO_FEW:
            return ngettext(
                "Only %(count)s purchase: too few for a usual gap of their own, and no purchase-rate model has been "
                "fitted yet (each scoring run fits one).",
                "Only %(count)s purchases: too few for a usual gap of their own, and no purchase-rate model has been "
                "fitted yet (each scoring run fits one).", self.order_count) % {"count": self.order_count}
        gap = round(self.gap_days or 0)
        last = self.last_order_on.isoformat() if self.last_order_on else ""
        if self.basis == USUAL_GAP:
            return _("Last purchase on %(last)s plus this customer's usual %(gap)s days between purchases "
                     "(the average over their %(count)s purchases).") % {
                "last": last, "gap": gap, "count": self.order_count}
        if self.p_alive is not None:
            return ngettext(
                "Only %(count)s purchase, too few for a usual gap of their own: the purchase-rate model (BG/NBD) "
                "fitted on all customers expects about %(gap)s days between purchases for this customer while they "
                "stay active, counted from the last purchase on %(last)s. Probability still active: %(p)s%%.",
                "Only %(count)s purchases, too few for a usual gap of their own: the purchase-rate model (BG/NBD) "
                "fitted on all customers expects about %(gap)s days between purchases for this customer while they "
                "stay active, counted from the last purchase on %(last)s. Probability still active: %(p)s%%.",
                self.order_count) % {"count": self.order_count, "gap": gap, "last": last,
                                     "p": round(100 * self.p_alive)}
        return ngettext(
            "Only %(count)s purchase, too few for a usual gap of their own: the purchase-rate model (BG/NBD) "
            "fitted on all customers expects about %(gap)s days between purchases for this customer while they "
            "stay active, counted from the last purchase on %(last)s.",
            "Only %(count)s purchases, too few for a usual gap of their own: the purchase-rate model (BG/NBD) "
            "fitted on all customers expects about %(gap)s days between purchases for this customer while they "
            "stay active, counted from the last purchase on %(last)s.",
            self.order_count) % {"count": self.order_count, "gap": gap, "last": last}


def model_gap_days(parameters: dict[str, Any], *, order_count: int, span_days: float) -> float | None:
    """(α + t_x) / (r + x): the BG/NBD posterior mean gap of an active customer, in days."""
    try:
        r, alpha = float(parameters["r"]), float(parameters["alpha"])
    except (KeyError, TypeError, ValueError):
        return None
    x = max(order_count - 1, 0)
    if not (r > 0 and alpha > 0):
        return None
    return (alpha + max(span_days, 0.0)) / (r + x)


def estimate(
    *, order_count: int, first_order_at: datetime.datetime | None, last_order_at: datetime.datetime | None,
    usual_gap_days: float | None, today: datetime.date, bgnbd: dict[str, Any] | None = None,
    p_alive: float | None = None, as_of: datetime.date | None = None,
) -> NextPurchase:
    """The estimate from a customer's purchase figures (the consumption profile's) and, for a
    short history, the run's BG/NBD parameters (`diagnostics["bgnbd"]["parameters"]`)."""
    if not order_count or last_order_at is None:
        return NextPurchase(NO_PURCHASES, 0, None, None, None, today)
    last = timezone.localdate(last_order_at)
    if order_count >= MIN_ORDERS_FOR_OWN_GAP and usual_gap_days is not None and usual_gap_days >= MIN_GAP_DAYS:
        gap = min(usual_gap_days, MAX_GAP_DAYS)
        return NextPurchase(USUAL_GAP, order_count, last, gap, last + datetime.timedelta(days=round(gap)), today)
    span = (last_order_at - first_order_at).total_seconds() / 86400 if first_order_at else 0.0
    gap = model_gap_days(bgnbd, order_count=order_count, span_days=span) if bgnbd else None
    if gap is None:
        return NextPurchase(TOO_FEW, order_count, last, None, None, today)
    gap = min(gap, MAX_GAP_DAYS)
    return NextPurchase(MODEL, order_count, last, gap, last + datetime.timedelta(days=round(gap)), today,
                        p_alive=p_alive, as_of=as_of)


def bgnbd_parameters(run: Any) -> dict[str, Any] | None:
    """The fitted BG/NBD parameters of a scoring run, or None (no run, fit skipped)."""
    if run is None:
        return None
    return ((run.diagnostics or {}).get("bgnbd") or {}).get("parameters")
