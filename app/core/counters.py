"""Rate-limit counters: one small interface, kept in Redis (shared) or in process memory.

Two operations, each atomic, so concurrent requests cannot slip past a limit together:

- `hit(key, window, amount)`: count `amount` events (one by default) in a fixed window; the
  count and the seconds left.
- `attempt(key, backoff)`: an attempt that counts as a failure until `forget(key)` says it
  succeeded. After `backoff.free` attempts every attempt sets a wait of 1, 2, 4, … seconds
  (at most `backoff.max_seconds`) before the next is allowed; while a wait runs, attempts are
  refused without being counted. The count is forgotten `backoff.expire_seconds` after the
  last attempt, so a lock never outlives a quiet period.
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.core.redis_link import Breaker, create_redis

logger = logging.getLogger("rebound.ratelimit")


@dataclass(frozen=True, slots=True)
class Backoff:
    free: int
    max_seconds: int
    expire_seconds: int

    def delay(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th counted attempt (0 while still free)."""
        if attempts < self.free:
            return 0
        return min(2 ** min(attempts - self.free, 62), self.max_seconds)


class Counters(Protocol):
    async def hit(self, key: str, window: int, amount: int = 1) -> tuple[int, int]: ...

    async def attempt(self, key: str, backoff: Backoff) -> int:
        """0 to go ahead (the attempt is counted), else the seconds left to wait."""
        ...

    async def forget(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _seconds_left(until: float, now: float) -> int:
    """Whole seconds from `now` to `until`, at least 1. Rounded first: on a float clock
    (now + 60) - now can come out as 60.000000000000004, which is not 61 seconds."""
    return max(1, math.ceil(round(until - now, 6)))


class MemoryCounters:
    """Counters of one process: right for one worker, per-worker when there are several."""

    SWEEP_EVERY = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[int, float]] = {}  # key -> (value, expires at)
        self._writes = 0

    def _get(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._values.get(key)
        if entry is not None and entry[1] <= now:
            del self._values[key]
            return None
        return entry

    def _set(self, key: str, value: int, expires_at: float) -> None:
        self._values[key] = (value, expires_at)
        self._writes += 1
        if self._writes % self.SWEEP_EVERY == 0:
            now = self._clock()
            self._values = {k: v for k, v in self._values.items() if v[1] > now}

    async def hit(self, key: str, window: int, amount: int = 1) -> tuple[int, int]:
        now = self._clock()
        entry = self._get(key, now)
        count, expires_at = (entry[0] + amount, entry[1]) if entry else (amount, now + window)
        self._set(key, count, expires_at)
        return count, _seconds_left(expires_at, now)

    async def attempt(self, key: str, backoff: Backoff) -> int:
        now = self._clock()
        wait = self._get(f"{key}:wait", now)
        if wait is not None:
            return _seconds_left(wait[1], now)
        entry = self._get(f"{key}:n", now)
        attempts = (entry[0] if entry else 0) + 1
        self._set(f"{key}:n", attempts, now + backoff.expire_seconds)
        if delay := backoff.delay(attempts):
            self._set(f"{key}:wait", 1, now + delay)
        return 0

    async def forget(self, key: str) -> None:
        self._values.pop(f"{key}:n", None)
        self._values.pop(f"{key}:wait", None)

    async def close(self) -> None:
        self._values.clear()


# KEYS[1] = counter; ARGV[1] = window, ARGV[2] = amount. Returns {count, seconds left}.
_HIT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""

# KEYS[1] = attempt count, KEYS[2] = wait; ARGV = free, max seconds, expire seconds.
# Returns the milliseconds left to wait, or 0 when the attempt goes ahead (and is counted).
_ATTEMPT = """
local wait = redis.call('PTTL', KEYS[2])
if wait > 0 then
  return wait
end
local attempts = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
local free = tonumber(ARGV[1])
if attempts >= free then
  local delay = math.min(2 ^ math.min(attempts - free, 62), tonumber(ARGV[2]))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay * 1000))
end
return 0
"""


class RedisCounters:
    """Counters in Redis, shared by every worker and instance. If Redis cannot be reached the
    request goes ahead (and an error is logged): a Redis outage must not stop sign-ins. After a
    failure Redis is left alone for a few seconds (app/core/redis_link.py), so a frozen Redis
    costs a request at most one short timeout now and then, not one each."""

    def __init__(
        self, url: str, prefix: str, breaker_clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._redis = create_redis(url)
        self.breaker = Breaker(
            logger,
            "rate limit counters unavailable",
            "rate limit counters available again",
            clock=breaker_clock,
        )
        self._prefix = prefix
        self._hit = self._redis.register_script(_HIT)
        self._attempt = self._redis.register_script(_ATTEMPT)

    def _keys(self, key: str) -> list[str]:
        # One hash tag per subject: both keys land on the same Redis Cluster slot.
        return [f"{self._prefix}{{{key}}}:n", f"{self._prefix}{{{key}}}:wait"]

    async def hit(self, key: str, window: int, amount: int = 1) -> tuple[int, int]:
        reply = await self.breaker.call(
            lambda: self._hit(keys=[f"{self._prefix}{key}"], args=[window, amount]), None
        )
        if reply is None:
            return 0, 0
        count, ttl = reply
        return int(count), max(1, int(ttl))

    async def attempt(self, key: str, backoff: Backoff) -> int:
        wait_ms = await self.breaker.call(
            lambda: self._attempt(
                keys=self._keys(key),
                args=[backoff.free, backoff.max_seconds, backoff.expire_seconds],
            ),
            0,
        )
        return math.ceil(int(wait_ms) / 1000)

    async def forget(self, key: str) -> None:
        await self.breaker.call(lambda: self._redis.delete(*self._keys(key)), 0)

    async def close(self) -> None:
        await self._redis.aclose()


def create_counters(redis_url: str | None, prefix: str) -> Counters:
    return RedisCounters(redis_url, prefix) if redis_url else MemoryCounters()
