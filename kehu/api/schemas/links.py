"""Contact points, family members, relationships and important dates: in and out."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import Id, InputSchema, JsonBool, JsonDate, choice, int_between, text
from kehu.customers import choices

ContactTypeValue = choice(choices.ContactType)
ContactWindowValue = choice(choices.ContactWindow, blank=True)
FamilyRelationValue = choice(choices.FamilyRelation)
DegreeValue = choice(choices.Degree, blank=True)
RelationshipTypeValue = choice(choices.RelationshipType)
KeyPersonRoleValue = choice(choices.KeyPersonRole, blank=True)
DateKindValue = choice(choices.DateKind)
CalendarValue = choice(choices.CalendarKind)
Year = int_between(1, 9999)
Month = int_between(1, 12)
Day = int_between(1, 31)


class CustomerRef(Schema):
    id: int
    number: str
    name: str
    kind: choice(choices.CustomerKind)


# --- contact points ---------------------------------------------------------------


class ContactPointIn(InputSchema):
    type: ContactTypeValue
    value: text(300, min_length=1) = Field(description="Phones in any usual format (138-0013-8000, +86…, full-width digits).")
    label: text(50) = ""
    preferred: JsonBool = False
    best_time: ContactWindowValue = ""
    do_not_contact: JsonBool = False


class ContactPointPatch(InputSchema):
    """Only the keys sent are changed. Fields the row cannot be without are not nullable."""

    type: ContactTypeValue = None
    value: text(300, min_length=1) = None
    label: text(50) | None = None
    preferred: JsonBool = None
    best_time: ContactWindowValue | None = None
    do_not_contact: JsonBool = None


class ContactPointOut(Schema):
    id: int
    type: ContactTypeValue
    value: str = Field(description="Stored form: phones in E.164, e-mail lower-cased.")
    display: str = Field(description="Human form: phones formatted for the default region.")
    label: str
    preferred: bool
    best_time: ContactWindowValue
    do_not_contact: bool


# --- family members -----------------------------------------------------------------


class FamilyMemberIn(InputSchema):
    relation: FamilyRelationValue
    name: text(100) = ""
    birthday: JsonDate | None = None
    education: DegreeValue = ""
    school_or_employer: text(200) = ""
    notes: text(500) = ""
    linked_customer_id: Id | None = Field(None, description="The family member's own customer file, if any.")


class FamilyMemberPatch(InputSchema):
    relation: FamilyRelationValue = None
    name: text(100) | None = None
    birthday: JsonDate | None = None
    education: DegreeValue | None = None
    school_or_employer: text(200) | None = None
    notes: text(500) | None = None
    linked_customer_id: Id | None = None


class FamilyMemberOut(Schema):
    id: int
    relation: FamilyRelationValue
    name: str
    birthday: datetime.date | None
    education: DegreeValue
    school_or_employer: str
    notes: str
    linked_customer_id: int | None


# --- relationships ------------------------------------------------------------------


class RelationshipIn(InputSchema):
    other_customer_id: Id
    type: RelationshipTypeValue
    direction: Literal["outgoing", "incoming"] = Field(
        "outgoing",
        description="outgoing: this customer <type> the other (e.g. this person is key_person_of the other); "
        "incoming: the other customer <type> this one.",
    )
    role: KeyPersonRoleValue = Field("", description="For key_person_of only.")
    title: text(100) = ""
    notes: text(500) = ""


class RelationshipPatch(InputSchema):
    """The two ends stay; type, role, title and notes may change. null clears the text fields."""

    type: RelationshipTypeValue = None
    role: KeyPersonRoleValue | None = None
    title: text(100) | None = None
    notes: text(500) | None = None


class RelationshipOut(Schema):
    id: int
    type: RelationshipTypeValue
    label: str = Field(description="The relationship as read from this customer's file (e.g. “Child of”).")
    direction: Literal["outgoing", "incoming"]
    role: KeyPersonRoleValue
    title: str
    notes: str
    other: CustomerRef


# --- important dates ----------------------------------------------------------------


class ImportantDateIn(InputSchema):
    kind: DateKindValue
    label: text(100) = ""
    calendar: CalendarValue = "solar"
    year: Year | None = None
    month: Month
    day: Day
    leap_month: JsonBool = False
    notes: text(500) = ""


class ImportantDatePatch(InputSchema):
    kind: DateKindValue = None
    label: text(100) | None = None
    calendar: CalendarValue = None
    year: Year | None = None
    month: Month = None
    day: Day = None
    leap_month: JsonBool = None
    notes: text(500) | None = None


class ImportantDateOut(Schema):
    id: int
    kind: DateKindValue
    label: str
    calendar: CalendarValue
    year: int | None
    month: int
    day: int
    leap_month: bool
    notes: str
