"""Segments (客户群): saved filters over customers, evaluated live for whoever looks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A named list of conditions (all must hold). The definition is shared; its members are
    computed when asked, within what the asking user may see (`visible_to`), so one segment
    shows a salesperson their share and a manager the whole archive."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    conditions = models.JSONField(_("conditions"), default=list,
                                  help_text="[{field, op, value}], see kehu.segments.conditions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
