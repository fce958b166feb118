"""Communications (沟通记录): in, out, and their edit history."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from kehu.api.schemas.common import Id, InputSchema, JsonDate, JsonDateTime, Page, choice, int_between, text
from kehu.api.schemas.customers import UserRef
from kehu.api.schemas.links import CustomerRef
from kehu.interactions.models import Channel, Direction, Outcome

ChannelValue = choice(Channel)
DirectionValue = choice(Direction)
OutcomeValue = choice(Outcome, blank=True)
Minutes = int_between(0, 24 * 60)
MAX_PEOPLE = 50


class InteractionIn(InputSchema):
    channel: ChannelValue
    direction: DirectionValue = "outbound"
    occurred_at: JsonDateTime | None = Field(None, description="Leave out for now. Without an offset: local time.")
    duration_minutes: Minutes | None = None
    subject: text(200) = ""
    content: text(20000) = ""
    outcome: OutcomeValue = ""
    customer_needs: text(4000) = ""
    next_step: text(500) = ""
    next_contact_on: JsonDate | None = None
    staff_ids: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = Field(
        [], description="Staff who took part; leave out for yourself."
    )
    people_ids: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = Field(
        [], description="The customer's people who took part (key people, family): customers linked to this one."
    )


class InteractionPatch(InputSchema):
    """Only the keys sent change; every edit is kept in the history. null clears a text or date."""

    channel: ChannelValue = None
    direction: DirectionValue = None
    occurred_at: JsonDateTime = None
    duration_minutes: Minutes | None = None
    subject: text(200) | None = None
    content: text(20000) | None = None
    outcome: OutcomeValue | None = None
    customer_needs: text(4000) | None = None
    next_step: text(500) | None = None
    next_contact_on: JsonDate | None = None
    staff_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_PEOPLE)] = Field(
        None, description="Replaces the staff who took part."
    )
    people_ids: Annotated[list[Id], Field(max_length=MAX_PEOPLE)] = Field(
        None, description="Replaces the customer's people who took part."
    )


class InteractionOut(Schema):
    id: int
    channel: ChannelValue
    direction: DirectionValue
    occurred_at: datetime.datetime
    duration_minutes: int | None
    subject: str
    content: str
    outcome: OutcomeValue
    customer_needs: str
    next_step: str
    next_contact_on: datetime.date | None
    staff: list[UserRef]
    people: list[CustomerRef]
    created_by: UserRef | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class InteractionPage(Page[InteractionOut]):
    pass


class HistoryEntryOut(Schema):
    at: datetime.datetime
    actor: UserRef | None
    action: str = Field(description="interaction.create or interaction.update.")
    changes: dict[str, Any] = Field(
        description="create: the values logged; update: {field: [old, new]} for each field changed."
    )
