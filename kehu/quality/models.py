from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One import of a file: what was asked, what happened, and the row-level errors."""

    kind = models.CharField(max_length=20)
    file_name = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dry_run = models.BooleanField(default=False)
    skip_bad_rows = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped_existing = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    committed = models.BooleanField(default=False)
    errors = models.JSONField(default=list, help_text="the first errors: [row, column, value, reason]")

    class Meta:
        ordering = ["-started_at"]
