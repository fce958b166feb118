from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access / copy")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class DataSubjectRequest(models.Model):
    """A person's request about their own data, tracked against its deadline."""

    customer_id = models.BigIntegerField(_("customer"), db_index=True)  # kept after the file is anonymised
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_on = models.DateField(_("due"))
    details = models.CharField(_("details"), max_length=1000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=1000, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        # Open requests first (closed_at is empty), the most urgent at the top.
        ordering = [models.F("closed_at").desc(nulls_first=True), "due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
