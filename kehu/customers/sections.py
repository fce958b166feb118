"""The shape of a profile, in one place.

Each section lists its fields (on PersonProfile / OrganizationProfile), the weight of
each field in profile completeness, and each field's data class (public / personal /
sensitive, PIPL art. 28). Forms, API schemas and completeness are built from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DataClass(StrEnum):
    PUBLIC = "public"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"


@dataclass(frozen=True)
class Field:
    name: str
    weight: int = 1
    data_class: DataClass = DataClass.PERSONAL


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


P, S, PUB = DataClass.PERSONAL, DataClass.SENSITIVE, DataClass.PUBLIC

PERSON_SECTIONS: tuple[Section, ...] = (
    Section("basic", _("Basic"), (
        Field("gender", 2), Field("birthday", 3), Field("id_number", 1, S), Field("english_name"), Field("native_place"),
        Field("household_registration"), Field("height_cm"), Field("weight_kg"), Field("blood_type", 1, S),
    )),
    Section("career", _("Career"), (
        Field("employer", 3), Field("position", 2), Field("industry", 2), Field("annual_income_band", 2),
        Field("career_history"),
    )),
    Section("family", _("Family"), (
        Field("marital_status", 2), Field("wedding_anniversary", 2), Field("family_notes"),
    )),
    Section("life", _("Life"), (
        Field("health_notes", 1, S), Field("smoking"), Field("drinking"), Field("favourite_food"),
        Field("favourite_restaurants"), Field("hobbies", 2), Field("sports"), Field("holiday_preferences"),
        Field("media"), Field("conversation_topics", 2),
    )),
    Section("education", _("Education"), (
        Field("highest_degree", 2), Field("major"), Field("school", 2), Field("graduation_year"), Field("honours"),
    )),
    Section("personality", _("Personality"), (
        Field("clubs"), Field("beliefs", 1, S), Field("likes", 2), Field("dislikes", 2),
        Field("communication_style", 2), Field("values"),
    )),
    Section("social", _("Social circle"), (Field("social_notes"),)),
    Section("consumption", _("Consumption preferences"), (
        Field("price_band", 2), Field("style_preference"), Field("preferred_channel", 2),
        Field("preferred_payment"), Field("peak_seasons"),
    )),
)

ORGANIZATION_SECTIONS: tuple[Section, ...] = (
    Section("basic", _("Basic"), (
        Field("legal_name", 3, PUB), Field("credit_code", 3, PUB), Field("address", 2, PUB), Field("phone", 2, PUB),
        Field("website", 1, PUB), Field("founded_on", 1, PUB), Field("organization_form", 1, PUB),
        Field("registered_capital", 1, PUB), Field("asset_scale", 1, PUB), Field("staff_size", 1, PUB),
        Field("industry", 2, PUB),
    )),
    Section("characteristics", _("Characteristics"), (
        Field("services", 2, PUB), Field("region", 1, PUB), Field("business_philosophy", 1, PUB),
        Field("reputation", 1, PUB),
    )),
    Section("business", _("Business status"), (
        Field("sales_capacity"), Field("performance"), Field("potential"), Field("problems"),
    )),
    Section("trade", _("Trade terms and credit"), (
        Field("payment_terms_days", 2), Field("payment_terms"), Field("credit_rating", 2), Field("credit_limit", 2),
        Field("credit_incidents"), Field("cooperation_attitude"),
    )),
)


def sections_for(kind: str) -> tuple[Section, ...]:
    return PERSON_SECTIONS if kind == "person" else ORGANIZATION_SECTIONS


def data_class_of(kind: str, field_name: str) -> DataClass:
    for section in sections_for(kind):
        for field in section.fields:
            if field.name == field_name:
                return field.data_class
    raise KeyError(field_name)
