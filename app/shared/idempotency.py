"""Idempotency-Key on every authenticated POST: a retry replays the first response.

Same key and body → the stored response again; same key, other body → 422; the same key
while the first request is still running → 409 with `Retry-After`. Keys are scoped per user
and kept 24 hours. Auth endpoints are left out: their responses carry credentials.

A keyed request runs whole in one transaction of its own (app/core/database.py,
`begin_request`), and its answer is stored in that transaction before it commits: the write and
the answer its retries get are committed together or not at all. A request the database drops
midway leaves nothing behind, so its retry runs afresh; one whose commit went through but whose
answer was lost on the way replays it. Nothing is reserved beforehand that could outlive the
request. While it runs, the same key is held by a transaction-scoped lock (PostgreSQL: an
advisory lock tried without waiting, so a concurrent retry answers 409 at once; SQLite: the
write lock the transaction holds from its start, so a concurrent retry waits its turn and
replays).

Stored answers are encrypted (AES-GCM, a key derived from SECRET_KEY, bound to the account and
the key): a reflection's text or a profile in a replay is unreadable in a database dump.
"""

import hashlib
import hmac
import json
import logging
import os
import uuid
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import BigInteger, LargeBinary, bindparam, delete, func, insert, select
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.database import Database, RequestTransaction, first, joined, scalar
from app.core.db import JSONList, UTCDateTime, utcnow
from app.core.errors import problem_response
from app.core.http import unavailable_response
from app.core.identity import User
from app.core.ratelimit import READS_BY_POST
from app.core.security import bearer_user_id
from app.core.unavailable import database_unavailable

logger = logging.getLogger("rebound.idempotency")

KEEP_FOR = timedelta(hours=24)
RETRY_AFTER_SECONDS = 1
_REPLAYED_HEADERS = {b"content-type", b"location", b"etag"}
# Sign-in has no account yet; readings keep nothing, not even their answer.
_UNSCOPED_PREFIXES = ("/v1/auth/", *READS_BY_POST)
_SEALED = b"\x01"  # version of the sealed form: nonce (12 bytes), then ciphertext and tag


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    user_id: uuid.UUID = Field(primary_key=True, foreign_key="users.id", ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64)
    created_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = Field(
        default=None, description="Null only in rows left by versions that reserved first."
    )
    response_headers: list[list[str]] | None = Field(default=None, sa_type=JSONList)
    response_body: bytes | None = Field(
        default=None, sa_type=LargeBinary, description="Sealed (see `seal`)."
    )


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
_STORE = insert(_KEYS).values(
    user_id=bindparam("owner_id"),
    key=bindparam("key_text"),
    fingerprint=bindparam("fingerprint_text"),
    created_at=bindparam("now", type_=UTCDateTime()),
    status_code=bindparam("status"),
    response_headers=bindparam("headers", type_=_KEYS.c.response_headers.type),
    response_body=bindparam("body", type_=_KEYS.c.response_body.type),
)
# PostgreSQL: the key's lock for this transaction, if no other transaction holds it.
_TRY_LOCK = select(
    func.pg_try_advisory_xact_lock(
        func.hashtextextended(bindparam("lock_text"), bindparam("lock_seed", type_=BigInteger()))
    )
)


# --- sealing stored answers -------------------------------------------------------------------
def _cipher(settings: Settings) -> AESGCM:
    key = hmac.new(settings.secret.encode(), b"rebound idempotency replays v1", hashlib.sha256)
    return AESGCM(key.digest())


def _bound_to(user_id: uuid.UUID, key: str) -> bytes:
    return user_id.bytes + key.encode()


def seal(settings: Settings, user_id: uuid.UUID, key: str, body: bytes) -> bytes:
    nonce = os.urandom(12)
    return _SEALED + nonce + _cipher(settings).encrypt(nonce, body, _bound_to(user_id, key))


def unseal(settings: Settings, user_id: uuid.UUID, key: str, stored: bytes) -> bytes | None:
    """The answer's body; None when it cannot be opened (SECRET_KEY changed). A body stored in
    the clear by an earlier version (kept 24 hours at most) is read as it is."""
    if not stored.startswith(_SEALED):
        return stored
    nonce, sealed = stored[1:13], stored[13:]
    try:
        return _cipher(settings).decrypt(nonce, sealed, _bound_to(user_id, key))
    except (InvalidTag, ValueError):
        return None


# --- the request's turn -------------------------------------------------------------------------
class _Refused(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.detail, self.headers = status, detail, headers


class _AccountGone(Exception):
    """The token is signed but its account was erased: the route answers 401."""


def _in_progress() -> _Refused:
    return _Refused(
        409,
        "A request with this Idempotency-Key is still in progress: retry shortly.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _begin(
    request: RequestTransaction, settings: Settings, user_id: uuid.UUID, key: str, fingerprint: str
) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
    """In the request's transaction: take the key, or return the stored answer to replay, or
    raise _Refused / _AccountGone."""
    tx = request.executor
    names = {"owner_id": user_id, "key_text": key}
    if tx.dialect == "postgresql":
        taken = await scalar(tx, _TRY_LOCK, {"lock_text": f"{user_id}:{key}", "lock_seed": 0})
        if not taken:
            raise _in_progress()
    if await first(tx, _ACCOUNT, names) is None:
        raise _AccountGone
    await tx.rows(_EXPIRED, {"owner_id": user_id, "expired_before": utcnow() - KEEP_FOR})
    existing = await first(tx, _READ, names)
    if existing is None:
        return None
    if existing["fingerprint"] != fingerprint:
        raise _Refused(
            422,
            "This Idempotency-Key was used with a different request: send a new key with a "
            "new request, and this key only to retry the first one unchanged.",
        )
    body = unseal(settings, user_id, key, existing["response_body"] or b"")
    if existing["status_code"] is not None and body is not None:
        headers = [(k.encode(), v.encode()) for k, v in existing["response_headers"] or []]
        return existing["status_code"], headers, body
    # A reservation an earlier version left, or an answer sealed with another SECRET_KEY:
    # this request runs in its place.
    await tx.rows(_FORGET, names)
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
                "The Idempotency-Key header must be 1–255 printable ASCII characters: a UUID "
                "is a good key.",
                slug="invalid-idempotency-key",
                instance=scope["path"],
            )
            await response(scope, receive, send)
            return
        settings: Settings = scope["app"].state.settings
        user_id = bearer_user_id(settings, scope["headers"])
        if user_id is None:  # the route itself answers 401
            await self.app(scope, receive, send)
            return

        body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            json.dumps([scope["path"], scope["query_string"].decode("latin-1")]).encode() + body
        ).hexdigest()
        database: Database = scope["app"].state.database
        request = await database.begin_request()
        try:
            stored = await _begin(request, settings, user_id, key_text, fingerprint)
        except _AccountGone:
            await request.rollback()
            await self.app(scope, _replaying(body, receive), send)
            return
        except _Refused as refused:
            await request.rollback()
            response = problem_response(
                refused.status,
                refused.detail,
                slug="idempotency-conflict",
                instance=scope["path"],
                headers=refused.headers,
            )
            await response(scope, receive, send)
            return
        except BaseException:
            await _quietly(request.rollback)
            raise
        if stored is not None:
            await request.rollback()
            await _replay(*stored, send)
            return
        turn = _Turn(request, settings, user_id, key_text, fingerprint)
        try:
            with joined(request):
                await self.app(scope, _replaying(body, receive), turn.sender(scope, receive, send))
        finally:
            if request.open:  # the route failed before its answer was complete
                await _quietly(request.rollback)


class _Turn:
    """A keyed request's answer, held back until it is stored and committed with the
    request's writes; a 5xx is not stored, and the writes are rolled back."""

    def __init__(
        self,
        request: RequestTransaction,
        settings: Settings,
        user_id: uuid.UUID,
        key: str,
        fingerprint: str,
    ) -> None:
        self.request, self.settings, self.user_id, self.key = request, settings, user_id, key
        self.names = {"owner_id": user_id, "key_text": key, "fingerprint_text": fingerprint}
        self.messages: list[Message] = []

    def sender(self, scope: Scope, receive: Receive, send: Send) -> Send:
        async def send_after_commit(message: Message) -> None:
            if not self.request.open:  # after the answer: whatever the app sends next
                await send(message)
                return
            self.messages.append(message)
            if message["type"] != "http.response.body" or message.get("more_body", False):
                return
            try:
                await self._end()
            except Exception as exc:
                await _quietly(self.request.rollback)
                if not database_unavailable(exc):
                    raise
                logger.warning("answer not committed: %s", type(exc).__name__)
                await unavailable_response(scope)(scope, receive, send)
                return
            for held in self.messages:
                await send(held)

        return send_after_commit

    async def _end(self) -> None:
        start = self.messages[0]
        status = start["status"]
        if status >= 500:
            await self.request.rollback()
            return
        body = b"".join(m.get("body", b"") for m in self.messages[1:])
        headers = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in start.get("headers", [])
            if k.lower() in _REPLAYED_HEADERS
        ]
        sealed = seal(self.settings, self.user_id, self.key, body)
        answer = {"status": status, "headers": headers, "body": sealed, "now": utcnow()}
        await self.request.executor.rows(_STORE, self.names | answer)
        await self.request.commit()


async def _quietly(end: Any) -> None:
    """Roll back a transaction whose connection may be gone already."""
    try:
        await end()
    except Exception as exc:  # noqa: BLE001 (the request is failing already)
        logger.warning("rollback failed: %s", type(exc).__name__)


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


async def _replay(
    status: int, stored_headers: list[tuple[bytes, bytes]], body: bytes, send: Send
) -> None:
    headers: list[Any] = [*stored_headers, (b"idempotent-replayed", b"true")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
