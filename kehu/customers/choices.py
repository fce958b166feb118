"""Enumerations of the archive. Stored values are English codes; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")
    ARCHIVED = "archived", _("Archived")


class SourceChannel(models.TextChoices):
    # direct collection
    SURVEY = "survey", _("Survey / interview")
    BUSINESS_CONTACT = "business_contact", _("Business contact")
    SERVICE = "service", _("Customer service")
    POINT_OF_SALE = "point_of_sale", _("Point of sale / membership card")
    CALL_CENTRE = "call_centre", _("Call centre")
    WEBSITE = "website", _("Website")
    SOCIAL = "social", _("Social media")
    # indirect collection
    MEDIA = "media", _("Media")
    REGISTRY = "registry", _("Registry / regulator")
    BANK = "bank", _("Bank")
    RESEARCH_FIRM = "research_firm", _("Research firm")
    PARTNER = "partner", _("Partner / association")
    REFERRAL = "referral", _("Referral")


DIRECT_SOURCE_CHANNELS = frozenset(
    {"survey", "business_contact", "service", "point_of_sale", "call_centre", "website", "social"}
)


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    OTHER = "other", _("Other")


class BloodType(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"
    O = "O", "O"
    OTHER = "other", _("Other")


class IncomeBand(models.TextChoices):
    UNDER_50K = "lt50k", _("Under ¥50,000")
    FROM_50K = "50k-150k", _("¥50,000–150,000")
    FROM_150K = "150k-300k", _("¥150,000–300,000")
    FROM_300K = "300k-1m", _("¥300,000–1,000,000")
    OVER_1M = "gt1m", _("Over ¥1,000,000")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Degree(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    SECONDARY = "secondary", _("Secondary school")
    VOCATIONAL = "vocational", _("Vocational college")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")


class Habit(models.TextChoices):
    NEVER = "never", _("Never")
    OCCASIONALLY = "occasionally", _("Occasionally")
    REGULARLY = "regularly", _("Regularly")


class PriceBand(models.TextChoices):
    BUDGET = "budget", _("Budget")
    MID = "mid", _("Mid-range")
    PREMIUM = "premium", _("Premium")
    LUXURY = "luxury", _("Luxury")


class FamilyRelation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class OrganizationForm(models.TextChoices):
    LIMITED = "limited", _("Limited company")
    JOINT_STOCK = "joint_stock", _("Joint-stock company")
    STATE_OWNED = "state_owned", _("State-owned enterprise")
    PARTNERSHIP = "partnership", _("Partnership")
    SOLE_PROPRIETOR = "sole_proprietor", _("Sole proprietorship")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    FOREIGN = "foreign", _("Foreign-invested enterprise")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class StaffSize(models.TextChoices):
    MICRO = "1-9", "1–9"
    SMALL = "10-49", "10–49"
    MEDIUM = "50-199", "50–199"
    LARGE = "200-999", "200–999"
    HUGE = "1000+", "1000+"


class CreditRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    C = "C", "C"


class CooperationAttitude(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("cooperation attitude", "Active")
    NEUTRAL = "neutral", _("Neutral")
    RELUCTANT = "reluctant", _("Reluctant")


class ContactType(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", "QQ"
    ADDRESS = "address", _("Address")
    SOCIAL = "social", _("Social account")


PHONE_CONTACT_TYPES = frozenset({"mobile", "phone"})


class ContactWindow(models.TextChoices):
    ANY = "", _("Any time")
    WEEKDAY = "weekday", _("Weekdays, office hours")
    EVENING = "evening", _("Evenings")
    WEEKEND = "weekend", _("Weekends")


class RelationshipType(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT_OF = "parent_of", _("Parent of")
    SIBLING = "sibling", _("Sibling")
    RELATIVE = "relative", _("Relative")
    FRIEND = "friend", _("Friend")
    COLLEAGUE = "colleague", _("Colleague")
    REFERRER_OF = "referrer_of", _("Referred")
    KEY_PERSON_OF = "key_person_of", _("Key person of")
    SUBSIDIARY_OF = "subsidiary_of", _("Subsidiary of")


SYMMETRIC_RELATIONSHIPS = frozenset({"spouse", "sibling", "relative", "friend", "colleague"})

# How a relationship reads from the other end (B's page for "A parent_of B").
INVERSE_LABELS = {
    "parent_of": _("Child of"),
    "referrer_of": _("Referred by"),
    "key_person_of": _("Key person"),
    "subsidiary_of": _("Parent company of"),
}


class KeyPersonRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    EXECUTIVE = "executive", _("Executive")
    PURCHASING = "purchasing", _("Purchasing contact")
    FINANCE = "finance", _("Finance contact")
    OTHER = "other", _("Other")


class DateKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("Anniversary")
    CUSTOM = "custom", _("Other")


class CalendarKind(models.TextChoices):
    SOLAR = "solar", _("Solar (Gregorian)")
    LUNAR = "lunar", _("Lunar")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")


class AppliesTo(models.TextChoices):
    ALL = "all", _("All customers")
    PERSON = "person", _("People")
    ORGANIZATION = "organization", _("Organisations")
