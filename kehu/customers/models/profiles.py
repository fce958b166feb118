"""Profile sections of a person and of an organisation (one row each, one-to-one).

Which field belongs to which section, its weight in completeness and its data
class live in `kehu.customers.sections`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehu.core.calendar import age_on
from kehu.core.crypto import keyring
from kehu.core.fields import BoundedTextField, EncryptedTextField
from kehu.core.idcard import normalize_id_number
from kehu.core.phone import normalize_phone
from kehu.core.uscc import normalize_uscc
from kehu.customers import choices
from kehu.customers.models.customer import Customer
from kehu.customers.validators import not_in_future


def _text(label: str, max_length: int = 200) -> models.CharField:
    return models.CharField(label, max_length=max_length, blank=True)


def _long_text(label: str) -> models.TextField:
    return BoundedTextField(label, blank=True, max_length=4000)


class PersonProfile(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="person")

    # basic
    gender = models.CharField(_("gender"), max_length=6, choices=choices.Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    english_name = _text(_("English name"), 100)
    native_place = _text(_("native place (籍贯)"), 100)
    household_registration = _text(_("household registration (户籍)"), 100)
    height_cm = models.PositiveSmallIntegerField(
        _("height (cm)"), null=True, blank=True, validators=[MinValueValidator(30), MaxValueValidator(260)]
    )
    weight_kg = models.PositiveSmallIntegerField(
        _("weight (kg)"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(400)]
    )
    blood_type = EncryptedTextField(_("blood type"), max_length=5, choices=choices.BloodType.choices, blank=True)
    id_number = EncryptedTextField(_("ID card number"), max_length=18, blank=True)
    # Keyed hash of the ID number: finds a customer by exact number without storing it in clear.
    id_number_index = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    # career
    employer = _text(_("employer"))
    position = _text(_("position"), 100)
    industry = _text(_("industry"), 100)
    annual_income_band = models.CharField(
        _("annual income"), max_length=10, choices=choices.IncomeBand.choices, blank=True
    )
    career_history = _long_text(_("career history"))
    # family
    marital_status = models.CharField(
        _("marital status"), max_length=10, choices=choices.MaritalStatus.choices, blank=True
    )
    wedding_anniversary = models.DateField(_("wedding anniversary"), null=True, blank=True)
    family_notes = _long_text(_("family notes"))
    # life
    health_notes = EncryptedTextField(_("health notes"), blank=True, max_length=4000)
    smoking = models.CharField(_("smoking"), max_length=12, choices=choices.Habit.choices, blank=True)
    drinking = models.CharField(_("drinking"), max_length=12, choices=choices.Habit.choices, blank=True)
    favourite_food = _text(_("favourite food"))
    favourite_restaurants = _text(_("favourite restaurants"))
    hobbies = _text(_("hobbies"), 500)
    sports = _text(_("sports"))
    holiday_preferences = _text(_("holidays and travel"))
    media = _text(_("books, TV, media"), 500)
    conversation_topics = _text(_("topics they enjoy"), 500)
    # education
    highest_degree = models.CharField(_("highest degree"), max_length=12, choices=choices.Degree.choices, blank=True)
    major = _text(_("major"), 100)
    school = _text(_("school"))
    graduation_year = models.PositiveSmallIntegerField(
        _("graduation year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    honours = _text(_("honours"), 500)
    # personality
    clubs = _text(_("clubs and associations"), 500)
    beliefs = EncryptedTextField(_("religious or political beliefs"), blank=True, max_length=200)
    likes = _text(_("likes"), 500)
    dislikes = _text(_("dislikes"), 500)
    communication_style = _text(_("communication style"), 200)
    values = _text(_("values"), 500)
    # social circle
    social_notes = _long_text(_("social circle notes"))
    # consumption preferences
    price_band = models.CharField(_("price band"), max_length=8, choices=choices.PriceBand.choices, blank=True)
    style_preference = _text(_("style preference"))
    preferred_channel = _text(_("preferred purchase channel"), 100)
    preferred_payment = _text(_("preferred payment method"), 100)
    peak_seasons = _text(_("peak buying seasons"), 100)

    class Meta:
        verbose_name = _("person profile")

    def __str__(self) -> str:
        return f"person profile {self.pk}"

    @property
    def age(self) -> int | None:
        """Derived from the birthday, never stored, so it is always current."""
        if not isinstance(self.birthday, datetime.date):
            return None
        return age_on(self.birthday, timezone.localdate())

    def clean(self) -> None:
        errors = {}
        for name in ("birthday", "wedding_anniversary"):
            try:
                not_in_future(getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        if isinstance(self.birthday, datetime.date) and self.birthday.year < 1900:
            errors["birthday"] = ValidationError(_("A birthday before 1900 is not plausible."), code="invalid")
        self.id_number_index = ""
        if self.id_number:
            try:
                self.id_number = normalize_id_number(self.id_number)
                self.id_number_index = keyring().blind_index(self.id_number, purpose="id_number")
            except ValidationError as error:
                errors["id_number"] = error
        if errors:
            raise ValidationError(errors)


class OrganizationProfile(models.Model):
    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="organization"
    )

    # basic
    legal_name = _text(_("legal name"))
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    address = _text(_("registered address"), 300)
    phone = _text(_("main phone"), 20)
    website = models.URLField(_("website"), blank=True, max_length=300)
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    organization_form = models.CharField(
        _("organisation form"), max_length=20, choices=choices.OrganizationForm.choices, blank=True
    )
    registered_capital = models.DecimalField(
        _("registered capital (¥10k)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    asset_scale = _text(_("asset scale"), 100)
    staff_size = models.CharField(_("staff size"), max_length=8, choices=choices.StaffSize.choices, blank=True)
    industry = _text(_("industry"), 100)
    # characteristics
    services = _long_text(_("products and services"))
    region = _text(_("region served"), 200)
    business_philosophy = _long_text(_("business philosophy"))
    reputation = _long_text(_("reputation"))
    # business status
    sales_capacity = _text(_("sales capacity"), 200)
    performance = _long_text(_("performance"))
    potential = _long_text(_("development potential"))
    problems = _long_text(_("current problems"))
    # trade terms
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), null=True, blank=True, validators=[MaxValueValidator(720)]
    )
    payment_terms = _text(_("payment terms"), 200)
    credit_rating = models.CharField(
        _("credit rating"), max_length=3, choices=choices.CreditRating.choices, blank=True
    )
    credit_limit = models.DecimalField(
        _("credit limit (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    credit_incidents = _long_text(_("credit incidents"))
    cooperation_attitude = models.CharField(
        _("cooperation attitude"), max_length=10, choices=choices.CooperationAttitude.choices, blank=True
    )

    class Meta:
        verbose_name = _("organisation profile")

    def __str__(self) -> str:
        return f"organisation profile {self.pk}"

    def clean(self) -> None:
        errors = {}
        if self.credit_code:
            try:
                self.credit_code = normalize_uscc(self.credit_code)
            except ValidationError as error:
                errors["credit_code"] = error
        else:
            self.credit_code = None
        if self.phone:
            try:
                self.phone = normalize_phone(self.phone)
            except ValidationError as error:
                errors["phone"] = error
        try:
            not_in_future(self.founded_on)
        except ValidationError as error:
            errors["founded_on"] = error
        if errors:
            raise ValidationError(errors)
