"""What hangs off a customer: contact points, family, relationships, dates."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.calendar import next_occurrence
from kehu.customers.choices import (
    CalendarKind,
    ContactType,
    ContactWindow,
    DateKind,
    Degree,
    FamilyRelation,
    KeyPersonRole,
    RelationshipType,
)
from kehu.customers.models.customer import Customer
from kehu.customers.validators import check_calendar_date, normalize_contact_value, not_in_future


class ContactPoint(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    type = models.CharField(_("type"), max_length=10, choices=ContactType.choices)
    value = models.CharField(_("value"), max_length=300, help_text=_("Phones are stored in E.164 (+8613800138000)."))
    label = models.CharField(_("label"), max_length=50, blank=True)
    preferred = models.BooleanField(_("preferred"), default=False)
    best_time = models.CharField(_("best time to contact"), max_length=10, choices=ContactWindow.choices, blank=True)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["-preferred", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "type", "value"],
                name="contact_point_unique_per_customer",
                violation_error_message=_("This customer already has this contact point."),
            )
        ]
        indexes = [models.Index(fields=["type", "value"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.value}"

    def clean(self) -> None:
        if self.type in ContactType.values:
            try:
                self.value = normalize_contact_value(self.type, self.value)
            except ValidationError as error:
                raise ValidationError({"value": error}) from None


class FamilyMember(models.Model):
    """A family member kept inline, or pointing at their own customer file."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="family_members")
    relation = models.CharField(_("relation"), max_length=10, choices=FamilyRelation.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    education = models.CharField(_("education"), max_length=12, choices=Degree.choices, blank=True)
    school_or_employer = models.CharField(_("school / employer"), max_length=200, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    linked_customer = models.ForeignKey(
        Customer, verbose_name=_("linked customer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["relation", "id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.name}"

    def clean(self) -> None:
        if not self.name and self.linked_customer_id is None:
            raise ValidationError({"name": _("Give a name or link the family member's own customer file.")})
        try:
            not_in_future(self.birthday)
        except ValidationError as error:
            raise ValidationError({"birthday": error}) from None


class Relationship(models.Model):
    """A typed link between two customers, stored once and shown from both ends."""

    from_customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="relationships_out")
    to_customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="relationships_in")
    type = models.CharField(_("type"), max_length=16, choices=RelationshipType.choices)
    role = models.CharField(_("role"), max_length=24, choices=KeyPersonRole.choices, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(condition=~Q(from_customer=F("to_customer")), name="relationship_not_self"),
            models.UniqueConstraint(
                fields=["from_customer", "to_customer", "type"],
                name="relationship_unique",
                violation_error_message=_("These two customers are already linked this way."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_customer_id} {self.type} {self.to_customer_id}"

    def clean(self) -> None:
        if self.from_customer_id is None or self.to_customer_id is None:
            return
        if self.from_customer_id == self.to_customer_id:
            raise ValidationError({"to_customer": _("A customer cannot be related to themselves.")})
        kinds = (self.from_customer.kind, self.to_customer.kind)
        if self.type == RelationshipType.KEY_PERSON_OF and kinds != ("person", "organization"):
            raise ValidationError({"type": _("A key person is a person linked to an organisation.")})
        if self.type == RelationshipType.SUBSIDIARY_OF and kinds != ("organization", "organization"):
            raise ValidationError({"type": _("Only an organisation can be a subsidiary of an organisation.")})
        if self.type in ("spouse", "parent_of", "sibling", "relative") and kinds != ("person", "person"):
            raise ValidationError({"type": _("Family relationships link two people.")})
        if self.role and self.type != RelationshipType.KEY_PERSON_OF:
            raise ValidationError({"role": _("Only key people have a role.")})


class ImportantDate(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="important_dates")
    kind = models.CharField(_("kind"), max_length=12, choices=DateKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    calendar = models.CharField(_("calendar"), max_length=5, choices=CalendarKind.choices, default=CalendarKind.SOLAR)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    leap_month = models.BooleanField(_("leap month"), default=False, help_text=_("Lunar calendar only."))
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")
        ordering = ["month", "day"]
        indexes = [models.Index(fields=["month", "day"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month}-{self.day}"

    def next_occurrence(self, today: datetime.date | None = None) -> datetime.date | None:
        return next_occurrence(
            calendar=self.calendar, month=self.month, day=self.day, leap_month=self.leap_month,
            today=today or timezone.localdate(),
        )

    def clean(self) -> None:
        if not all(isinstance(v, int) for v in (self.month, self.day)) or not isinstance(self.year, int | None):
            return  # field validation already reported it
        try:
            check_calendar_date(
                calendar=self.calendar, year=self.year, month=self.month, day=self.day, leap_month=self.leap_month
            )
        except ValidationError as error:
            raise ValidationError({"day": error}) from None
