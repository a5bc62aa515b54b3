"""The bearer-token dependency every private route uses."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select

from app.auth.jwt import InvalidToken, decode_access_token
from app.core.db import SessionDep
from app.core.errors import ProblemError
from app.users.models import User

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
    change_seq = await session.scalar(
        select(User.change_seq).where(User.id == claims.user_id)  # type: ignore[arg-type]
    )
    if change_seq is None:  # the account was erased
        raise unauthorized()
    return Caller(id=claims.user_id, session_id=claims.session_id, change_seq=change_seq)


CallerDep = Annotated[Caller, Depends(get_caller)]
