from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One row per write, view, reveal, export, import, login: who, what, when, from where.

    Rows are only inserted, by `kehu.audit.services.audit`, inside the transaction of the
    change they describe. Each row's `hash` covers the previous row's hash, its own
    metadata and a digest of its payload, so `kehu audit verify` finds any edited,
    removed or reordered row. The payload itself may be redacted by an erasure (a
    data-subject's personal data must go) without breaking the chain: the digest stays.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: users are deactivated, never deleted, once they have acted (the hash covers the id).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    # Indexed with the time (Meta.indexes): a customer's history is read newest first.
    customer_id = models.BigIntegerField(null=True)
    changes = models.JSONField(default=dict, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    payload_digest = models.CharField(max_length=64, default="")
    prev_hash = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")
    redacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # One customer's events newest first (the history on the customer page). With
            # customer_id alone SQLite walked the whole log backwards by `at` until it had
            # found 20 of this customer's events: a cost growing with the log.
            models.Index(fields=["customer_id", "at", "id"], name="audit_customer_at"),
        ]


class AuditChainHead(models.Model):
    """One row: the hash of the newest event. Locking it serialises appends, so the chain
    never forks, and it shows when events were cut off the end."""

    last_hash = models.CharField(max_length=64, default="")
    last_event_id = models.BigIntegerField(default=0)
