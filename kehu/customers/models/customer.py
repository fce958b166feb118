from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import BoundedTextField
from kehu.customers.choices import CustomerKind, CustomerStatus, SourceChannel

NAME_MAX_LENGTH = 200


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """One file in the archive: a person or an organisation."""

    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices)
    number = models.CharField(
        _("customer number"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Use letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        help_text=_("Empty means the customer is in the pool (公海)."),
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    source_channel = models.CharField(_("source channel"), max_length=20, choices=SourceChannel.choices, blank=True)
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    notes = BoundedTextField(_("notes"), blank=True, max_length=10000)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(_("completeness"), default=0)
    completeness_by_section = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "-id"]),
            models.Index(fields=["team", "-id"]),
            models.Index(fields=["status", "-id"]),
            models.Index(fields=["kind", "-id"]),
            models.Index(fields=["-updated_at"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())

    @property
    def is_person(self) -> bool:
        return self.kind == CustomerKind.PERSON

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None


class CustomerNumberSequence(models.Model):
    """Single-row counter behind generated customer numbers (KH00000001, …)."""

    value = models.BigIntegerField(default=0)
