"""Refresh tokens (stored only as a keyed hash) and the token responses."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime
from app.shared.records import StrictInput
from app.users.models import UserPublic


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_tokens"

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    # A family is one sign-in: every rotation stays in it, and reuse revokes all of it.
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replaced_by_id: uuid.UUID | None = Field(default=None)


class RefreshRequest(StrictInput):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenPair(SQLModel):
    access_token: str
    refresh_token: str
    token_type: str = Field(default="bearer", description="Always `bearer`.")
    expires_in: int = Field(description="Seconds until the access token expires.")


class Registration(SQLModel):
    user: UserPublic
    tokens: TokenPair
