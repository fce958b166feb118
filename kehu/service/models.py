from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import BoundedTextField
from kehu.customers.models import Customer


class ServiceKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    INSTALLATION = "installation", _("Installation")
    CONSULTATION = "consultation", _("Consultation")
    RETURN = "return", _("Return / exchange")


class ServiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceRecord(models.Model):
    """An after-sales service or repair (售后), so the next call starts from what was done."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="service_records")
    order = models.ForeignKey("sales.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=ServiceKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.OPEN)
    product = models.CharField(_("product"), max_length=200, blank=True)
    problem = BoundedTextField(_("problem"), max_length=4000)
    diagnosis = BoundedTextField(_("diagnosis"), blank=True, max_length=4000)
    parts = models.CharField(_("parts used"), max_length=500, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0)])
    result = BoundedTextField(_("result"), blank=True, max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [models.Index(fields=["customer", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reported_at:%Y-%m-%d}"
