"""Contacts: the people met along the way (recruiters, interviewers, referrers, peers)."""

import uuid
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import AfterValidator
from pydantic import Field as PydanticField
from sqlalchemy import Date, Index, String
from sqlmodel import AutoString, Field, SQLModel

from app.core.db import JSONList
from app.shared.company_names import KEY_LENGTH as COMPANY_KEY_LENGTH
from app.shared.company_names import with_company_key
from app.shared.fields import Day, Email, Name, ShortText, Tags, Text, Url
from app.shared.pagination import ListParams, page_model
from app.shared.records import (
    OwnedRecord,
    RecordPublic,
    StrictInput,
    owned_indexes,
    partial,
    with_example,
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


class ContactBase(SQLModel):
    """The fields of a contact, as the API takes and shows them and the table stores them."""

    name: Name = Field(sa_type=AutoString(200))
    role: ShortText | None = Field(default=None, sa_type=AutoString(200))
    company: ShortText | None = Field(default=None, sa_type=AutoString(200))
    email: Email | None = Field(default=None, sa_type=AutoString(320))
    phone: Phone | None = Field(default=None, sa_type=AutoString(40))
    links: Links = Field(default=[], sa_type=JSONList)
    relationship: Relationship = Field(default=Relationship.other, sa_type=String(16))
    notes: Text | None = Field(default=None, sa_type=AutoString(10_000))
    last_contacted_on: Day | None = Field(default=None, sa_type=Date)
    next_follow_up_on: Day | None = Field(
        default=None,
        sa_type=Date,
        description="When to get back in touch; the agenda lists it when due.",
    )
    tags: Tags = Field(default=[], sa_type=JSONList)
    # Only the caller's own applications: checked on write.
    application_ids: ApplicationIds = Field(
        default=[], sa_type=JSONList, description="Applications this person is part of."
    )


class Contact(ContactBase, OwnedRecord, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        *owned_indexes("contacts"),
        Index("ix_contacts_user_follow_up", "user_id", "next_follow_up_on"),
        Index("ix_contacts_user_company", "user_id", "company_key"),
    )

    # The employer `company` names (app/shared/company_names.py): GET /v1/companies/{key}.
    company_key: str | None = Field(default=None, sa_type=AutoString(COMPANY_KEY_LENGTH))


class ContactCreate(ContactBase, StrictInput):
    model_config = with_example(
        {
            "name": "Dana Park",
            "role": "Staff engineer",
            "company": "Globex",
            "email": "dana.park@globex.example",
            "links": ["https://www.linkedin.com/in/dana-park-example"],
            "relationship": "interviewer",
            "notes": "Ran the system design round; offered to talk after the decision.",
            "next_follow_up_on": "2026-11-15",
            "tags": ["globex"],
        }
    )

    id: uuid.UUID | None = None


class ContactUpdate(partial(ContactBase)):  # type: ignore[misc]
    model_config = with_example({"last_contacted_on": "2026-11-15", "relationship": "recruiter"})
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"name", "links", "relationship", "tags", "application_ids"}
    )


class ContactPublic(ContactBase, RecordPublic):
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
    derive=with_company_key,
)
