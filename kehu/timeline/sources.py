"""What appears on the timeline. A later app adds its source to SOURCES."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from kehu.insights.models import TierChange
from kehu.interactions.models import Interaction
from kehu.sales.models import Order, Payment
from kehu.service.models import ServiceRecord


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    model: type[models.Model]
    time_field: str
    title: Callable[[Any], str]
    summary: Callable[[Any], str]
    related: tuple[str, ...] = ()


def _interaction_title(item: Interaction) -> str:
    return f"{item.get_channel_display()} · {item.get_direction_display()}" + (f" · {item.subject}" if item.subject else "")


def _order_summary(order: Order) -> str:
    lines = pgettext("list separator", ", ").join(f"{line.product_name}×{line.quantity.normalize()}" for line in order.lines.all()[:5])
    return f"{order.total} {order.currency} · {order.get_status_display()} · {lines}"


SOURCES: tuple[Source, ...] = (
    Source("interaction", _("Communication"), Interaction, "occurred_at", _interaction_title,
           lambda i: (i.get_outcome_display() + " · " if i.outcome else "") + i.content[:200]),
    Source("order", _("Order"), Order, "ordered_at", lambda o: f"{o.number} · {o.get_channel_display()}", _order_summary),
    Source("payment", _("Payment"), Payment, "received_at", lambda p: f"{p.amount} {p.currency}",
           lambda p: p.get_method_display() + (f" · {p.reference}" if p.reference else "")),
    Source("service", _("After-sales service"), ServiceRecord, "reported_at",
           lambda s: f"{s.get_kind_display()} · {s.get_status_display()}",
           lambda s: (s.product + " · " if s.product else "") + s.problem[:200], related=("technician", "order")),
    Source("tier_change", _("Tier change"), TierChange, "changed_at",
           lambda c: f"{c.from_name or '—'} → {c.to_name or '—'}",
           lambda c: f"{c.get_cause_display()}" + (f" · {c.reason}" if c.reason else ""), related=("actor",)),
)

SOURCES_BY_KIND = {source.kind: source for source in SOURCES}
