"""Ended sessions whose access tokens have not expired yet: checked on every authenticated
request, in memory, with no round trip.

An access token is verified by its signature alone (app/core/security.py), so ending a session
in the database (sign-out, password change or reset, reuse detection, erasure, a session ended
from the list) would leave its access tokens working until they expire. Each process keeps the
ended session ids, each until the last access token it could have issued has expired, and:

- with `REDIS_URL`, shares them: a sorted set (member: session id, score: until when) holds
  them for processes that start later, and a pub/sub channel carries each new one to every
  running process within moments. A process subscribes, then reads the set, so nothing falls
  between. If Redis cannot be reached, a process keeps its last copy and goes on; the ids it
  ended meanwhile are written and published when Redis answers again, and it reads the set
  again then, so it learns what others ended meanwhile.
- at start, reads the sessions ended within the access tokens' lifetime from the database, so
  a restart (or a process without Redis) forgets nothing.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated

from fastapi import Depends, Request
from redis.exceptions import RedisError

from app.core.redis_link import Breaker, create_redis

logger = logging.getLogger("rebound.revocations")

RETRY_SECONDS = 1.0
SWEEP_EVERY = 1000
# Revoked sessions ended at or after this moment, read from the database at start.
Loader = Callable[[float], Awaitable[Iterable[tuple[uuid.UUID, float]]]]


class Revocations:
    def __init__(
        self,
        lifetime_seconds: int,
        redis_url: str | None = None,
        prefix: str = "rebound:",
        clock: Callable[[], float] = time.time,
        breaker_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime = lifetime_seconds + 60  # clocks of other processes may run a bit late
        self._clock = clock
        self._until: dict[uuid.UUID, float] = {}
        self._unsent: dict[uuid.UUID, float] = {}
        self._adds = 0
        self._redis = create_redis(redis_url, decode_responses=True) if redis_url else None
        # Guards the sending, which a request waits for. The listener goes its own way: an idle
        # read waits get_message's timeout (RETRY_SECONDS), not the client's short one.
        self.breaker = Breaker(
            logger, "revocations not shared yet", "revocations shared again", clock=breaker_clock
        )
        self._key = f"{prefix}revoked-sessions"
        self._channel = f"{prefix}revoked-sessions"
        self._listener: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while subscribed and in step with the set

    # --- the check, on every request ---------------------------------------------------------
    def revoked(self, session_id: uuid.UUID) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > self._clock()

    def _add(self, session_id: uuid.UUID, until: float) -> None:
        if until > self._until.get(session_id, 0.0):
            self._until[session_id] = until
        self._adds += 1
        if self._adds % SWEEP_EVERY == 0:
            now = self._clock()
            self._until = {k: v for k, v in self._until.items() if v > now}

    # --- ending sessions -----------------------------------------------------------------------
    async def revoke(self, session_ids: Iterable[uuid.UUID]) -> None:
        """Refuse these sessions' access tokens from now on, here and (with Redis) everywhere."""
        until = self._clock() + self.lifetime
        ended = dict.fromkeys(session_ids, until)
        for session_id in ended:
            self._add(session_id, until)
        if self._redis is not None and ended:
            self._unsent.update(ended)
            await self._send()

    async def _send(self) -> None:
        pending = dict(self._unsent)
        if await self.breaker.call(lambda: self._write(pending), False):
            for session_id in pending:
                self._unsent.pop(session_id, None)

    async def _write(self, pending: dict[uuid.UUID, float]) -> bool:
        assert self._redis is not None
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self._key, {str(k): v for k, v in pending.items()})
            pipe.zremrangebyscore(self._key, "-inf", self._clock())
            pipe.expire(self._key, self.lifetime)
            for session_id, until in pending.items():
                pipe.publish(self._channel, f"{session_id} {until}")
            await pipe.execute()
        return True

    # --- keeping in step -----------------------------------------------------------------------
    async def start(self, load: Loader | None = None) -> None:
        if load is not None:
            try:
                for session_id, ended_at in await load(self._clock() - self.lifetime):
                    self._add(session_id, ended_at + self.lifetime)
            except Exception as exc:  # noqa: BLE001 (a database that is not up yet)
                logger.warning("ended sessions not read at start: %s", type(exc).__name__)
        if self._redis is not None:
            self._listener = asyncio.create_task(self._listen(), name="revocations")

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self._channel)
                    await self._catch_up()
                    self.listening.set()
                    while True:
                        message = await pubsub.get_message(timeout=RETRY_SECONDS)
                        if message is not None:
                            self._receive(message["data"])
                        elif self._unsent:
                            await self._send()
            except (RedisError, OSError) as exc:
                self.listening.clear()
                logger.warning("revocations out of step (Redis): %s", type(exc).__name__)
                await asyncio.sleep(RETRY_SECONDS)

    async def _catch_up(self) -> None:
        assert self._redis is not None
        now = self._clock()
        members = await self._redis.zrangebyscore(self._key, now, "+inf", withscores=True)
        self.breaker.close()  # Redis answers: what waited for it goes now, not seconds later
        for pair in members:
            with contextlib.suppress(ValueError, TypeError):
                member, until = tuple(pair)
                self._add(uuid.UUID(str(member)), float(until))
        if self._unsent:
            await self._send()

    def _receive(self, data: str) -> None:
        try:
            member, until = data.split(" ")
            self._add(uuid.UUID(member), float(until))
        except ValueError:
            logger.warning("a revocation message that is not one of ours was ignored")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()


async def get_revocations(request: Request) -> Revocations:
    revocations: Revocations = request.app.state.revocations
    return revocations


RevocationsDep = Annotated[Revocations, Depends(get_revocations)]
