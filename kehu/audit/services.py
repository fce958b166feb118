from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from kehu.audit.models import AuditChainHead, AuditEvent
from kehu.core.middleware import client_address

REDACTED = {"redacted": True}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def payload_digest(changes: Any) -> str:
    return hashlib.sha256(_canonical(changes).encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    metadata = [
        event.prev_hash, event.at.isoformat(), event.actor_id, event.action, event.object_type, event.object_id,
        event.customer_id, event.client_address, event.payload_digest,
    ]
    return hashlib.sha256(_canonical(metadata).encode()).hexdigest()


@transaction.atomic
def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    customer_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (inside the caller's transaction)."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    changes = json.loads(_canonical(changes or {}))  # exactly what the JSON column will hold
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        customer_id=customer_id,
        changes=changes,
        client_address=client_address.get(),
        payload_digest=payload_digest(changes),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    event.save()
    head.last_hash, head.last_event_id = event.hash, event.pk
    head.save(update_fields=["last_hash", "last_event_id"])
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


@dataclass(frozen=True)
class VerifyResult:
    events: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, limit_problems: int = 20) -> VerifyResult:
    """Recompute every hash in order; report edited, removed or reordered events."""
    problems: list[str] = []
    previous = ""
    count = 0
    last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        last_id = event.pk
        if event.prev_hash != previous:
            problems.append(f"event {event.pk}: does not follow the event before it (one was removed or reordered)")
        if event_hash(event) != event.hash:
            problems.append(f"event {event.pk}: its fields were changed after it was written")
        if event.redacted_at is None and payload_digest(event.changes) != event.payload_digest:
            problems.append(f"event {event.pk}: its payload was changed after it was written")
        previous = event.hash
        if len(problems) >= limit_problems:
            break
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and len(problems) < limit_problems and (head.last_hash != previous or head.last_event_id != last_id):
        problems.append("the newest events are missing (the chain was cut short)")
    return VerifyResult(count, problems)


def redact_payloads(*, customer_id: int, objects: list[tuple[str, Any]] = ()) -> int:
    """Erase the personal data in a customer's audit payloads, keeping the chain verifiable.

    `objects` names further (object_type, id) pairs whose events concern the customer but
    are filed under another one (a relationship is filed under the customer it starts from).
    """
    from django.db.models import Q

    scope = Q(customer_id=customer_id)
    for object_type, object_id in objects:
        scope |= Q(object_type=object_type, object_id=str(object_id))
    return AuditEvent.objects.filter(scope, redacted_at__isnull=True).update(changes=REDACTED, redacted_at=timezone.now())
