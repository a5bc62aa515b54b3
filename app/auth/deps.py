"""The bearer-token dependency every private route uses."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select
from sqlmodel import col

from app.auth.jwt import InvalidToken, decode_access_token
from app.core.db import SessionDep
from app.core.errors import ProblemError
from app.users.models import User

# Built once: constructing a statement costs more than running this one.
_CHANGE_SEQ = select(col(User.change_seq)).where(col(User.id) == bindparam("user_id"))

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


def unauthorized(detail: str = "Missing or invalid access token.") -> ProblemError:
    return ProblemError(401, detail, headers=_UNAUTHORIZED_HEADERS)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, and their change sequence read before anything else in the request."""

    id: uuid.UUID
    session_id: uuid.UUID | None
    change_seq: int


async def get_caller(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    if not token:
        raise unauthorized()
    try:
        claims = decode_access_token(request.app.state.settings, token)
    except InvalidToken:
        raise unauthorized() from None
    connection = await session.connection()  # Core, not ORM: this runs on every request
    change_seq = await connection.scalar(_CHANGE_SEQ, {"user_id": claims.user_id})
    if change_seq is None:  # the account was erased
        raise unauthorized()
    return Caller(id=claims.user_id, session_id=claims.session_id, change_seq=change_seq)


CallerDep = Annotated[Caller, Depends(get_caller)]
