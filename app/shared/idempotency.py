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

from sqlalchemy import LargeBinary, bindparam, delete, insert, select, update
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.database import ConstraintViolated, Database, first
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


_KEYS = IdempotencyKey.__table__  # type: ignore[attr-defined]
_USER = User.__table__  # type: ignore[attr-defined]
_KEY = (_KEYS.c.user_id == bindparam("owner_id")) & (_KEYS.c.key == bindparam("key_text"))
_ACCOUNT = select(_USER.c.id).where(_USER.c.id == bindparam("owner_id"))
_EXPIRED = delete(_KEYS).where(
    _KEYS.c.user_id == bindparam("owner_id"),
    _KEYS.c.created_at < bindparam("expired_before", type_=UTCDateTime()),
)
_READ = select(_KEYS).where(_KEY)
_FORGET = delete(_KEYS).where(_KEY)
_CLAIM = insert(_KEYS).values(
    user_id=bindparam("owner_id"),
    key=bindparam("key_text"),
    fingerprint=bindparam("fingerprint_text"),
    created_at=bindparam("now", type_=UTCDateTime()),
)
_ANSWER = (
    update(_KEYS)
    .where(_KEY)
    .values(
        status_code=bindparam("status"),
        response_headers=bindparam("headers", type_=_KEYS.c.response_headers.type),
        response_body=bindparam("body", type_=_KEYS.c.response_body.type),
    )
)


async def reserve(
    database: Database, user_id: uuid.UUID, key: str, fingerprint: str
) -> Stored | None:
    """Claim `key` for this request, or return the response to replay, or raise Conflict."""
    now = utcnow()
    names = {"owner_id": user_id, "key_text": key}
    try:
        async with database.transaction() as tx:
            if await first(tx, _ACCOUNT, names) is None:
                raise AccountGone
            await tx.rows(_EXPIRED, {"owner_id": user_id, "expired_before": now - KEEP_FOR})
            existing = await first(tx, _READ, names)
            if existing is not None:
                if existing["fingerprint"] != fingerprint:
                    raise Conflict(422, "This Idempotency-Key was used with a different request.")
                if existing["status_code"] is not None:
                    return Stored(
                        existing["status_code"],
                        [(k.encode(), v.encode()) for k, v in existing["response_headers"] or []],
                        existing["response_body"] or b"",
                    )
                if now - existing["created_at"] < ABANDONED_AFTER:
                    raise Conflict(409, "A request with this Idempotency-Key is still in progress.")
                await tx.rows(_FORGET, names)
            await tx.rows(_CLAIM, names | {"fingerprint_text": fingerprint, "now": now})
    except ConstraintViolated:  # a concurrent request reserved it first
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
        database: Database = scope["app"].state.database
        try:
            stored = await reserve(database, user_id, key_text, fingerprint)
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

        database: Database = scope["app"].state.database
        names = {"owner_id": user_id, "key_text": key}
        try:
            await self.app(scope, _replaying(body, receive), capture)
        finally:
            if status >= 500:  # nothing was done: let the client retry
                await database.rows(_FORGET, names)
            else:
                answer = {"status": status, "headers": headers, "body": b"".join(chunks)}
                await database.rows(_ANSWER, names | answer)


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
