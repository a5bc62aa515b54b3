"""What tests do as a client: sign up, build auth headers, assert problem documents."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "correct horse battery"


async def register(
    client: httpx.AsyncClient, email: str | None = None, **profile: Any
) -> dict[str, Any]:
    """Sign up; returns the registration body plus ready-made `headers`."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    response = await client.post(
        "/v1/auth/register", json={"email": email, "password": PASSWORD, **profile}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    body["email"] = email
    body["headers"] = bearer(body["tokens"]["access_token"])
    return body


def client_of(app: Any, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """An HTTP client of `app` whose requests come from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def bad_fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in assert_problem(response, 422)["errors"]}


async def until(condition: Callable[[], bool]) -> None:
    """Let the event loop run until `condition` holds (a state, not a duration, is awaited)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition never held")


@contextlib.contextmanager
def transactions_under_way(app: Any) -> Iterator[dict[str, int]]:
    """Counts the app's database transactions under way at once (`most`): proof that
    requests overlapped."""
    database = app.state.database
    original = database.transaction
    seen = {"now": 0, "most": 0}

    @contextlib.asynccontextmanager
    async def counted() -> AsyncIterator[Any]:
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        try:
            async with original() as transaction:
                yield transaction
        finally:
            seen["now"] -= 1

    original_request = database.begin_request

    async def counted_request() -> Any:
        """A request's own transaction (a keyed POST) counts until it is committed or undone."""
        request = await original_request()
        seen["now"] += 1
        seen["most"] = max(seen["most"], seen["now"])
        for name in ("commit", "rollback"):
            end = getattr(request, name)

            async def ended(end: Any = end) -> None:
                seen["now"] -= 1
                await end()

            setattr(request, name, ended)
        return request

    database.transaction, database.begin_request = counted, counted_request
    try:
        yield seen
    finally:
        database.transaction, database.begin_request = original, original_request


RESET_SUBJECT = "Reset your Rebound password"


def outbox(app: Any, subject: str) -> list[Path]:
    """The development outbox's mails with this subject, oldest first (sign-up mails a
    verification code too)."""
    found = []
    for path in sorted((app.state.settings.var_dir / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["Subject"] == subject:
            found.append(path)
    return found
