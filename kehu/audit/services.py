from __future__ import annotations

from typing import Any

from django.db import models

from kehu.audit.models import AuditEvent
from kehu.core.middleware import client_address


def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    customer_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        customer_id=customer_id,
        changes=changes or {},
        client_address=client_address.get(),
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}
