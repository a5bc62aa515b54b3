"""Who is calling: the users table (every record's owner) and the bearer-token dependency
every private route uses."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import BigInteger, false
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime
from app.core.errors import ProblemError
from app.core.security import InvalidToken, verified_access_claims


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(primary_key=True)
    email: str = Field(max_length=320, unique=True, description="Stored lower-cased.")
    # Proven by a code mailed to it (at sign-up, or when the email changed).
    email_verified: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    password_hash: str = Field(max_length=255)
    display_name: str | None = Field(default=None, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    weekly_goal: int | None = Field(default=None)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = Field(default=1)
    # The last change sequence handed out for this user's records (see app/shared/sync.py).
    change_seq: int = Field(default=0, sa_type=BigInteger)


oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def unauthorized(
    detail: str = (
        "The access token is missing, expired or revoked: send `Authorization: Bearer "
        "<access_token>`, getting a new one from `POST /v1/auth/refresh` or by signing in."
    ),
) -> ProblemError:
    return ProblemError(401, detail, headers=_UNAUTHORIZED_HEADERS)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as their access token says. Verifying it costs no database round trip:
    the signature, then the in-memory list of ended sessions. An erased account's token is
    refused the same way; one that slipped past finds no user row where a request needs one,
    and answers 401 there (see `account_gone`)."""

    id: uuid.UUID
    session_id: uuid.UUID


def account_gone() -> ProblemError:
    """The token is valid but its account was erased since it was issued."""
    return unauthorized()


async def get_caller(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    return caller_of(request, token)


def caller_of(request: Request, token: str | None) -> Caller:
    """The caller of a bearer token (as OAuth2PasswordBearer reads it), or 401."""
    if not token:
        raise unauthorized()
    try:
        claims = verified_access_claims(request.app.state.settings, token)
    except InvalidToken:
        raise unauthorized() from None
    if request.app.state.revocations.revoked(claims.session_id):
        raise unauthorized()  # an ended session (app/core/revocations.py)
    return Caller(id=claims.user_id, session_id=claims.session_id)


CallerDep = Annotated[Caller, Depends(get_caller)]
