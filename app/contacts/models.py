"""Contacts: the people met along the way (recruiters, interviewers, referrers, peers)."""

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator
from pydantic import Field as PydanticField
from sqlalchemy import Date, Index, String
from sqlmodel import Field, SQLModel

from app.core.db import JSONList
from app.shared.fields import Day, Email, Name, ShortText, Tags, Text, Url
from app.shared.pagination import ListParams, page_model
from app.shared.records import (
    OwnedRecord,
    PartialUpdate,
    RecordPublic,
    StrictInput,
    owned_indexes,
)
from app.shared.repository import Filter, Records, equal
from app.shared.search import matches_substring, substring_pattern
from app.shared.tags import list_contains, member_value


class Relationship(StrEnum):
    recruiter = "recruiter"
    hiring_manager = "hiring_manager"
    interviewer = "interviewer"
    referrer = "referrer"
    peer = "peer"
    other = "other"


Links = Annotated[list[Url], PydanticField(max_length=10)]


def _first_of_each(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Each id once, in the order first sent: a repeated link means nothing more."""
    return list(dict.fromkeys(ids))


ApplicationIds = Annotated[
    list[uuid.UUID], PydanticField(max_length=50), AfterValidator(_first_of_each)
]
Phone = Annotated[str, PydanticField(max_length=40, pattern=r"^[0-9+()./ -]{3,40}$")]


class Contact(OwnedRecord, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        *owned_indexes("contacts"),
        Index("ix_contacts_user_follow_up", "user_id", "next_follow_up_on"),
    )

    name: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    links: list[str] = Field(default_factory=list, sa_type=JSONList)
    relationship: str = Field(sa_type=String(16))
    notes: str | None = Field(default=None, max_length=10_000)
    last_contacted_on: date | None = Field(default=None, sa_type=Date)
    next_follow_up_on: date | None = Field(default=None, sa_type=Date)
    tags: list[str] = Field(default_factory=list, sa_type=JSONList)
    # The applications this person is part of (the caller's own; checked on write).
    application_ids: list[str] = Field(default_factory=list, sa_type=JSONList)


class ContactFields(SQLModel):
    name: Name
    role: ShortText | None = None
    company: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    links: Links = []
    relationship: Relationship = Relationship.other
    notes: Text | None = None
    last_contacted_on: Day | None = None
    next_follow_up_on: Day | None = PydanticField(
        default=None, description="When to get back in touch; the agenda lists it when due."
    )
    tags: Tags = []
    application_ids: ApplicationIds = PydanticField(
        default=[], description="Applications this person is part of."
    )


class ContactCreate(ContactFields, StrictInput):
    id: uuid.UUID | None = None


class ContactUpdate(PartialUpdate):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"name", "links", "relationship", "tags", "application_ids"}
    )

    name: Name | None = None
    role: ShortText | None = None
    company: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    links: Links | None = None
    relationship: Relationship | None = None
    notes: Text | None = None
    last_contacted_on: Day | None = None
    next_follow_up_on: Day | None = None
    tags: Tags | None = None
    application_ids: ApplicationIds | None = None


class ContactPublic(ContactFields, RecordPublic):
    """A person met along the way. Deleting a contact keeps the feedback conversations with
    them: each loses the link (`contact_id` becomes null) and keeps its `contact_name`."""


ContactPage = page_model("ContactPage", ContactPublic)


class ContactParams(ListParams):
    relationship: Relationship | None = None
    application_id: uuid.UUID | None = None
    tag: str | None = PydanticField(default=None, max_length=50)
    q: str | None = PydanticField(
        default=None, min_length=1, max_length=200, description="Substring of name or company."
    )


_table = Contact.__table__.c  # type: ignore[attr-defined]
CONTACTS = Records(
    Contact,
    ContactPublic,
    "contact",
    filters={
        "relationship": equal(_table.relationship),
        # Linked ids are stored as the API writes a UUID: lower case, dashed.
        "application_id": Filter(
            lambda dialect: list_contains(_table.application_ids, "f_application_id", dialect),
            lambda application_id, dialect: member_value(str(application_id), dialect),
        ),
        "tag": Filter(
            lambda dialect: list_contains(_table.tags, "f_tag", dialect),
            lambda tag, dialect: member_value(tag, dialect),
        ),
        "q": Filter(
            lambda _dialect: matches_substring([_table.name, _table.company], "f_q"),
            lambda q, _dialect: substring_pattern(q),
        ),
    },
)
