"""Idempotency-Key on every authenticated POST: a retry replays the first response.

Same key and body → the stored response again; same key, other body → 422; the same key
while the first request is still running → 409. Keys are scoped per user and kept 24 hours.
Auth endpoints are left out: their responses carry credentials, which are never stored.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import LargeBinary, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import JSONList, UTCDateTime, utcnow
from app.core.errors import problem_response
from app.core.identity import User
from app.core.security import bearer_user_id

KEEP_FOR = timedelta(hours=24)
# A reservation this old was left by a request that died mid-way: it may be taken over.
ABANDONED_AFTER = timedelta(minutes=2)
_REPLAYED_HEADERS = {b"content-type", b"location", b"etag"}
_UNSCOPED_PREFIXES = ("/v1/auth/",)


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = Field(default=None, description="Null while in flight.")
    response_headers: list[list[str]] | None = Field(default=None, sa_type=JSONList)
    response_body: bytes | None = Field(default=None, sa_type=LargeBinary)


@dataclass
class Stored:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class AccountGone(Exception):
    """The token is signed but its account was erased: the route answers 401."""


class Conflict(Exception):
    def __init__(self, status: int, detail: str) -> None:
        self.status, self.detail = status, detail


async def reserve(
    session: AsyncSession, user_id: uuid.UUID, key: str, fingerprint: str
) -> Stored | None:
    """Claim `key` for this request, or return the response to replay, or raise Conflict."""
    now = utcnow()
    if await session.get(User, user_id) is None:
        raise AccountGone
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,  # type: ignore[arg-type]
            IdempotencyKey.created_at < now - KEEP_FOR,  # type: ignore[arg-type]
        )
    )
    existing = await session.get(IdempotencyKey, (user_id, key))
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise Conflict(422, "This Idempotency-Key was used with a different request.")
        if existing.status_code is not None:
            return Stored(
                existing.status_code,
                [(k.encode(), v.encode()) for k, v in existing.response_headers or []],
                existing.response_body or b"",
            )
        if now - existing.created_at < ABANDONED_AFTER:
            raise Conflict(409, "A request with this Idempotency-Key is still in progress.")
        await session.delete(existing)
        await session.flush()
    session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=fingerprint, created_at=now))
    try:
        await session.commit()
    except IntegrityError:  # a concurrent request reserved it first
        raise Conflict(409, "A request with this Idempotency-Key is still in progress.") from None
    return None


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and key.isascii() and key.isprintable()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key = next((v for k, v in scope["headers"] if k == b"idempotency-key"), None)
        if key is None or scope["path"].startswith(_UNSCOPED_PREFIXES):
            await self.app(scope, receive, send)
            return
        key_text = key.decode("latin-1")
        if not _valid_key(key_text):
            response = problem_response(
                422,
                "Idempotency-Key must be 1–255 printable ASCII characters.",
                slug="invalid-idempotency-key",
                instance=scope["path"],
            )
            await response(scope, receive, send)
            return
        user_id = bearer_user_id(scope["app"].state.settings, scope["headers"])
        if user_id is None:  # the route itself answers 401
            await self.app(scope, receive, send)
            return

        body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            json.dumps([scope["path"], scope["query_string"].decode("latin-1")]).encode() + body
        ).hexdigest()
        sessions: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        try:
            async with sessions() as session:
                stored = await reserve(session, user_id, key_text, fingerprint)
        except AccountGone:
            await self.app(scope, _replaying(body, receive), send)
            return
        except Conflict as conflict:
            response = problem_response(
                conflict.status,
                conflict.detail,
                slug="idempotency-conflict",
                instance=scope["path"],
            )
            await response(scope, receive, send)
            return
        if stored is not None:
            await _replay(stored, send)
            return
        await self._run_and_store(scope, receive, send, body, user_id, key_text)

    async def _run_and_store(
        self, scope: Scope, receive: Receive, send: Send, body: bytes, user_id: uuid.UUID, key: str
    ) -> None:
        status, headers, chunks = 500, [], []

        async def capture(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                    if k.lower() in _REPLAYED_HEADERS
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        sessions: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        try:
            await self.app(scope, _replaying(body, receive), capture)
        finally:
            async with sessions() as session:
                row = await session.get(IdempotencyKey, (user_id, key))
                if row is not None:
                    if status >= 500:  # nothing was done: let the client retry
                        await session.delete(row)
                    else:
                        row.status_code = status
                        row.response_headers = headers
                        row.response_body = b"".join(chunks)
                    await session.commit()


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the app, then the real stream."""
    sent = False

    async def replay_receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay_receive


async def _replay(stored: Stored, send: Send) -> None:
    headers: list[Any] = [*stored.headers, (b"idempotent-replayed", b"true")]
    headers.append((b"content-length", str(len(stored.body)).encode()))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
