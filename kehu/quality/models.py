from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    # The process running it stopped (a restart, a crash) before it finished; what a
    # skip-bad-rows import had committed stays, an all-or-nothing one left nothing.
    INTERRUPTED = "interrupted", _("interrupted")


class ImportRun(models.Model):
    """One import of a file: what was asked, what happened, and the row-level errors.

    A large upload is imported in the background (kehu.quality.importing.background): its
    run exists from the start, RUNNING, and `rows` / `total_rows` say how far it got.
    """

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
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.FINISHED)
    total_rows = models.PositiveIntegerField(null=True, help_text="data rows in the file, counted before the import")

    class Meta:
        ordering = ["-started_at"]
