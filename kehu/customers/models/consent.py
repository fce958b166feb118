from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.customers.models.customer import Customer


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("Service (managing the relationship)")
    MARKETING = "marketing", _("Marketing")
    PROFILING = "profiling", _("Profiling and analytics")
    SENSITIVE = "sensitive", _("Sensitive personal information")
    SHARING = "sharing", _("Sharing with third parties")


class ConsentChannel(models.TextChoices):
    PAPER = "paper", _("Signed form")
    ONLINE = "online", _("Online form")
    VERBAL = "verbal", _("Verbal, recorded")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class Consent(models.Model):
    """A customer's consent (同意) to one purpose, under one version of the privacy notice.

    Never edited: withdrawal stamps `withdrawn_at`; consenting again is a new row.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=ConsentPurpose.choices)
    notice_version = models.CharField(_("privacy notice version"), max_length=40)
    channel = models.CharField(_("channel"), max_length=8, choices=ConsentChannel.choices)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    guardian_name = models.CharField(
        _("guardian"), max_length=100, blank=True, help_text=_("Required when the person is under 14.")
    )
    evidence = models.CharField(_("evidence"), max_length=300, blank=True, help_text=_("Where the signed form is kept, …"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["customer", "purpose"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "purpose"], condition=Q(withdrawn_at__isnull=True), name="one_active_consent_per_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.notice_version})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
