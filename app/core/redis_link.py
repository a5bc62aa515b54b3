"""Redis for the helpers that can do without it (rate-limit counters, shared revocations): a
client that gives up quickly, and a breaker that stops asking a Redis that has just failed."""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

# A Redis on the same network answers well within this. Every write waits for the counters, so
# a Redis that is frozen (not refusing: frozen, which only a timeout notices) must cost a request
# a fraction of a second, not seconds.
TIMEOUT_SECONDS = 0.25
# After a failure, how long callers take their fallback without asking Redis: a frozen Redis
# then costs one timeout per this many seconds, not one per request.
OPEN_SECONDS = 5.0
# What a failing Redis raises: redis-py wraps most errors, a few socket errors come through
# (the built-in TimeoutError is an OSError).
FAILURES = (RedisError, OSError)

T = TypeVar("T")


def create_redis(url: str, **options: Any) -> aioredis.Redis:
    """A client that waits at most TIMEOUT_SECONDS to connect or for a reply, once: no retry
    (said outright, as redis-py's defaults differ between constructors), the breaker decides
    when Redis is asked again."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
        **options,
    )


class Breaker:
    """Closed, calls go to Redis. A failure opens it: for `open_seconds` calls take their
    fallback at once. Then one call goes through (and re-arms the wait, so no other does
    meanwhile); its success closes the breaker, its failure keeps it open."""

    def __init__(
        self,
        logger: logging.Logger,
        down: str,
        up: str,
        open_seconds: float = OPEN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger, self._down, self._up = logger, down, up
        self._open_seconds = open_seconds
        self._clock = clock
        self._open_until: float | None = None  # None while closed
        self.calls = 0  # calls that went to Redis

    @property
    def closed(self) -> bool:
        return self._open_until is None

    async def call(self, operation: Callable[[], Awaitable[T]], fallback: T) -> T:
        """`operation()` when Redis may answer, else (or when it fails) `fallback`."""
        if self._open_until is not None:
            now = self._clock()
            if now < self._open_until:
                return fallback
            self._open_until = now + self._open_seconds  # this call is the one trial
        self.calls += 1
        try:
            result = await operation()
        except FAILURES as exc:
            if self._open_until is None:
                self._logger.error(
                    "%s: %s; Redis not asked for %g s",
                    self._down,
                    type(exc).__name__,
                    self._open_seconds,
                )
            self._open_until = self._clock() + self._open_seconds
            return fallback
        self.close()
        return result

    def close(self) -> None:
        """Ask Redis again from now on (it has just answered, this call or another)."""
        if self._open_until is not None:
            self._open_until = None
            self._logger.info(self._up)
