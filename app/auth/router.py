"""Registration, sign-in with the OAuth2 password form, refresh and logout."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.models import RefreshRequest, Registration, TokenPair
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.users.models import UserPublic, UserRegister

router = APIRouter(prefix="/v1/auth", tags=["auth"])

_NO_STORE = {"Cache-Control": "no-store"}


class PasswordForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form, its rules stated in the schema: `username` and `password`
    are not empty (an empty form value counts as missing), `grant_type` is `password`, and
    no field is nullable (a form has no null)."""

    def __init__(
        self,
        *,
        grant_type: Annotated[Literal["password"], Form()] = "password",
        username: Annotated[str, Form(min_length=1, description="The account's email.")],
        password: Annotated[str, Form(min_length=1, json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str, Form()] = "",
        client_secret: Annotated[str, Form(json_schema_extra={"format": "password"})] = "",
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id or None,
            client_secret=client_secret or None,
        )


@router.post(
    "/register",
    status_code=201,
    operation_id="register",
    responses=problem_responses(409, 422),
)
async def register(
    request: Request, response: Response, body: UserRegister, session: SessionDep
) -> Registration:
    """Create an account and sign in: returns the user and a token pair."""
    user = await service.register(session, body)
    pair, _ = await service.issue_tokens(session, request.app.state.settings, user.id)
    response.headers.update(_NO_STORE)
    return Registration(user=UserPublic.model_validate(user), tokens=pair)


@router.post("/token", operation_id="createToken", responses=problem_responses(401, 422))
async def create_token(
    request: Request,
    response: Response,
    form: Annotated[PasswordForm, Depends()],
    session: SessionDep,
) -> TokenPair:
    """Sign in with the OAuth2 password form (`username` is the email)."""
    user = await service.authenticate(session, form.username, form.password)
    pair, _ = await service.issue_tokens(session, request.app.state.settings, user.id)
    response.headers.update(_NO_STORE)
    return pair


@router.post("/refresh", operation_id="refreshToken", responses=problem_responses(401, 422))
async def refresh_token(
    request: Request, response: Response, body: RefreshRequest, session: SessionDep
) -> TokenPair:
    """Exchange a refresh token for a new pair; the old refresh token stops working."""
    pair = await service.rotate(session, request.app.state.settings, body.refresh_token)
    response.headers.update(_NO_STORE)
    return pair


@router.post("/logout", status_code=204, operation_id="logout", responses=problem_responses(422))
async def logout(request: Request, body: RefreshRequest, session: SessionDep) -> None:
    """Revoke the session this refresh token belongs to (unknown tokens are ignored)."""
    await service.logout(session, request.app.state.settings, body.refresh_token)
