"""Customer files: list rows, the full file, create and partial update."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, PlainValidator, WithJsonSchema

from kehu.api.schemas.common import CUSTOMER_NUMBER, NO_NUL, Id, InputSchema, JsonDate, choice, text
from kehu.api.schemas.links import (
    ContactPointIn,
    ContactPointOut,
    FamilyMemberIn,
    FamilyMemberOut,
    ImportantDateIn,
    ImportantDateOut,
    RelationshipOut,
)
from kehu.api.schemas.profiles import OrganizationProfileOut, PersonProfileOut, ProfileIn
from kehu.customers import choices
from kehu.customers.models.customer import NAME_MAX_LENGTH

KindValue = choice(choices.CustomerKind)
StatusValue = choice(choices.CustomerStatus)
SourceChannelValue = choice(choices.SourceChannel, blank=True)
TagName = text(50, min_length=1)
# Stripped here because `Customer.clean` collapses spaces only after the blank check has
# passed, so "   " would otherwise be saved as an empty name.
Name = text(NAME_MAX_LENGTH, min_length=1, strip=True)


def _custom_value(value: Any) -> Any:
    """Only the JSON shapes a custom value can take; the services check it against its definition.

    One validator rather than a union so a wrong value gives one message, not one per
    member of the union.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        if "\x00" in (value if isinstance(value, str) else "".join(value)):
            raise ValueError(_("Null characters are not allowed."))
        return value
    raise ValueError(_("Enter text, a number, a date (YYYY-MM-DD) or a list of choices."))


CustomValue = Annotated[
    Any,
    PlainValidator(_custom_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": NO_NUL},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "array", "items": {"type": "string", "pattern": NO_NUL}},
                {"type": "null"},
            ],
            "description": "Text, number, date (YYYY-MM-DD), choice or list of choices, as the field's type says.",
        }
    ),
]
CustomFields = Annotated[dict[text(40), CustomValue], Field(max_length=100)]
MAX_ITEMS = 50
DataClassValue = Literal["public", "personal", "sensitive"]


class UserRef(Schema):
    id: int
    username: str
    display_name: str = Field(description="The name to show: display name, full name or username.")


class TeamRef(Schema):
    id: int
    name: str


class CustomerListItem(Schema):
    id: int
    number: str
    kind: KindValue
    name: str
    status: StatusValue
    owner: UserRef | None = Field(description="null: the customer is in the pool (公海).")
    team: TeamRef | None
    tags: list[str]
    phone: str | None = Field(description="First phone, preferred first, in E.164.")
    email: str | None
    completeness: int = Field(ge=0, le=100)
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SectionFieldOut(Schema):
    name: str = Field(description="The key of the field in `person` / `organization` and in `profile` input.")
    label: str
    data_class: DataClassValue = Field(description="PIPL classification: public, personal or sensitive.")


class SectionOut(Schema):
    key: str
    label: str
    completeness: int = Field(ge=0, le=100)
    fields: list[SectionFieldOut] = Field(description="The section's profile fields, in display order.")


class CustomerDetail(CustomerListItem):
    source_channel: SourceChannelValue
    source_detail: str
    notes: str
    last_verified_on: datetime.date | None
    custom_fields: dict[str, Any]
    completeness_by_section: dict[str, int] = Field(
        description="Per profile section, plus `contact` and `archive` (source, tags, verification)."
    )
    sections: list[SectionOut]
    person: PersonProfileOut | None = Field(description="The profile when kind is person.")
    organization: OrganizationProfileOut | None = Field(description="The profile when kind is organization.")
    contact_points: list[ContactPointOut]
    family_members: list[FamilyMemberOut]
    relationships: list[RelationshipOut] = Field(description="Both directions, to customers you can see.")
    important_dates: list[ImportantDateOut]


class CustomerCreate(InputSchema):
    kind: KindValue
    name: Name
    number: text(32, pattern=CUSTOMER_NUMBER) = Field("", description="Leave empty for the next KH… number.")
    status: StatusValue = "active"
    owner_id: Id | None = Field(
        None, description="Leave out to own the customer yourself; null puts it in the pool. "
        "Only managers may assign someone else."
    )
    team_id: Id | None = Field(None, description="Leave out for the owner's team.")
    source_channel: SourceChannelValue = ""
    source_detail: text(200) = ""
    notes: text(10000) = ""
    last_verified_on: JsonDate | None = None
    tags: Annotated[list[TagName], Field(max_length=MAX_ITEMS)] = []
    custom_fields: CustomFields = {}
    profile: ProfileIn | None = None
    contact_points: Annotated[list[ContactPointIn], Field(max_length=MAX_ITEMS)] = []
    family_members: Annotated[list[FamilyMemberIn], Field(max_length=MAX_ITEMS)] = Field(
        [], description="People only."
    )
    important_dates: Annotated[list[ImportantDateIn], Field(max_length=MAX_ITEMS)] = []


class CustomerPatch(InputSchema):
    """Only the keys sent are changed. Fields a file cannot be without are not nullable."""

    name: Name = None
    number: text(32, min_length=1, pattern=CUSTOMER_NUMBER) = None
    status: StatusValue = None
    owner_id: Id | None = Field(None, description="null puts the customer in the pool.")
    team_id: Id | None = None
    source_channel: SourceChannelValue | None = None
    source_detail: text(200) | None = None
    notes: text(10000) | None = None
    last_verified_on: JsonDate | None = None
    tags: Annotated[list[TagName], Field(max_length=MAX_ITEMS)] | None = Field(
        None, description="Replaces the customer's tags."
    )
    custom_fields: CustomFields | None = Field(
        None, description="Merged into the existing values; null or \"\" clears one."
    )
    profile: ProfileIn | None = None
