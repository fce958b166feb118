from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.fields import BoundedTextField
from kehu.customers.models import Customer


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    ONLINE_CHAT = "online_chat", _("Online chat")
    EVENT = "event", _("Event")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Outcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    INTERESTED = "interested", _("Interested")
    OBJECTION = "objection", _("Objection")
    COMPLAINT = "complaint", _("Complaint raised")
    DEAL = "deal", _("Deal")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    OTHER = "other", _("Other")


class Interaction(models.Model):
    """One communication with a customer (沟通记录)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="+")
    people = models.ManyToManyField(
        Customer, verbose_name=_("their people involved"), blank=True, related_name="+",
        help_text=_("An organisation's key people who took part."),
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    content = BoundedTextField(_("content"), blank=True, max_length=20000)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    customer_needs = BoundedTextField(_("what they need"), blank=True, max_length=4000)
    next_step = models.CharField(_("next step"), max_length=500, blank=True)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)
    import_key = models.CharField(max_length=100, blank=True, help_text="natural key of an imported row")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        indexes = [models.Index(fields=["customer", "-occurred_at"]), models.Index(fields=["next_contact_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "import_key"], condition=~models.Q(import_key=""), name="interaction_import_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"
