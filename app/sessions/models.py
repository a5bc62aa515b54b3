"""Sessions: one per sign-in (the family its refresh tokens rotate in), shown to the user and
ended by them, by sign-out, by a password change or reset, by reuse detection or by erasure."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime


class Session(SQLModel, table=True):
    __tablename__ = "sessions"

    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    id: uuid.UUID = Field(primary_key=True, description="The `sid` of its access tokens.")
    device: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionPublic(SQLModel):
    id: uuid.UUID
    device: str = Field(
        description='Read from the User-Agent at sign-in, e.g. "Firefox on Linux", "iPhone".'
    )
    created_at: datetime = Field(description="When this session signed in.")
    last_used_at: datetime = Field(description="When it last signed in or refreshed its tokens.")
    current: bool = Field(description="True for the session of the token making this request.")


class SessionList(SQLModel):
    items: list[SessionPublic]
