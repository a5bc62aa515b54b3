"""Refresh and password-reset tokens (stored only as a keyed hash) and the token responses."""

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime
from app.shared.fields import Email
from app.shared.records import StrictInput, owned_key, with_example
from app.users.models import PASSWORD_MAX, PASSWORD_MIN, UserPublic


class RefreshToken(SQLModel, table=True):
    """A refresh token names its account (app/shared/routed_tokens.py): it is found by
    (user_id, token_hash). The index on token_hash alone serves tokens issued before they did
    (`service.LEGACY`); it goes with them."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (owned_key(), UniqueConstraint("user_id", "token_hash"))

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    # A family is one sign-in: every rotation stays in it, and reuse revokes all of it.
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replaced_by_id: uuid.UUID | None = Field(default=None)


class PasswordResetToken(SQLModel, table=True):
    """A single-use, short-lived token mailed to reset a forgotten password; it names its
    account, and is found by (user_id, token_hash)."""

    __tablename__ = "password_reset_tokens"
    __table_args__ = (owned_key(), UniqueConstraint("user_id", "token_hash"))

    id: uuid.UUID = Field(primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PasswordResetRequest(StrictInput):
    model_config = with_example({"email": "dana@example.com"})

    email: Email


class PasswordResetAccepted(SQLModel):
    message: str = Field(
        description="The same whether or not an account has this email: nothing is revealed."
    )


class PasswordResetConfirm(StrictInput):
    model_config = with_example(
        {"token": "the code from the mail", "new_password": "a new long passphrase"}
    )

    token: str = Field(min_length=1, max_length=200, description="The code from the mail.")
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class RefreshRequest(StrictInput):
    model_config = with_example({"refresh_token": "the refresh_token of your last token pair"})

    refresh_token: str = Field(min_length=1, max_length=200)


class TokenPair(SQLModel):
    access_token: str
    refresh_token: str
    token_type: str = Field(default="bearer", description="Always `bearer`.")
    expires_in: int = Field(description="Seconds until the access token expires.")


class Registration(SQLModel):
    user: UserPublic
    tokens: TokenPair
