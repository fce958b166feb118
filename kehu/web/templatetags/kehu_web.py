"""Small display helpers for the web templates."""

from __future__ import annotations

from django import template

from kehu.core.phone import format_phone
from kehu.customers.choices import PHONE_CONTACT_TYPES
from kehu.customers.models import ContactPoint

register = template.Library()


@register.filter
def contact_value(point: ContactPoint) -> str:
    """Phones in their human form; everything else as stored."""
    if point.type in PHONE_CONTACT_TYPES:
        return format_phone(point.value)
    return point.value


@register.filter
def level(percent: int | None) -> str:
    """A CSS modifier for a completeness figure."""
    value = percent or 0
    if value >= 70:
        return "high"
    if value >= 35:
        return "mid"
    return "low"


@register.filter
def initial(name: str) -> str:
    """First character of a name, for the avatar circle."""
    return (name or "?").strip()[:1].upper()
