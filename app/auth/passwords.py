"""Argon2id password hashing, off the event loop and never more than a few at once.

A hash costs 64 MiB and tens of milliseconds of one core by design. Run on the event loop,
it would stall every other request; run in an unbounded thread pool, a burst of sign-ins
would take every core and that much memory per attempt. Hashes therefore run in threads,
at most HASH_CONCURRENCY at a time (half the cores, at least one): the other requests keep
a core, and extra sign-ins wait their turn: one per thread always, more while their wait,
judged by how long recent hashes took, would stay within HASH_WAIT_SECONDS. Beyond that a
request that would hash is refused at once, 503 with Retry-After: a line that grows faster
than it drains would keep every sign-in waiting past its client's timeout while the server
hashed for clients that had already given up.
"""

import os
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.errors import ProblemError

# Above OWASP's floor for Argon2id (19 MiB, 2 passes, 1 lane): 64 MiB, 3 passes, 1 lane, so
# that one hash occupies one core, as the concurrency bound assumes.
HASHER = Argon2Hasher(memory_cost=64 * 1024, time_cost=3, parallelism=1)
password_hash = PasswordHash((HASHER,))

HASH_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
HASH_WAIT_SECONDS = 1.0  # the longest a hash may expect to wait for a thread
BUSY_RETRY_AFTER_SECONDS = 1
_limiter: anyio.CapacityLimiter | None = None
_in_line = 0  # hashes accepted and not finished: running in a thread or waiting for one
_seconds_per_hash = 0.0  # a moving average of recent hashes (the first: DUMMY_HASH's, below)

T = TypeVar("T")


def _line() -> anyio.CapacityLimiter:
    global _limiter  # noqa: PLW0603 - created inside the running loop, once
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(HASH_CONCURRENCY)
    return _limiter


def refuse_if_busy() -> None:
    """503 now if a hash would wait longer than HASH_WAIT_SECONDS for a thread. Routes that
    hash ask before they count the request against a rate limit or a sign-in backoff, so that
    a refusal, which did no work, costs the client nothing."""
    waiting = _in_line - HASH_CONCURRENCY  # ahead of a newcomer, beyond those running
    # One may always wait per thread, however slow the hashes: a pair of sign-ins is never
    # refused.
    expected = (waiting + 1) * _seconds_per_hash / HASH_CONCURRENCY
    if waiting >= HASH_CONCURRENCY and expected > HASH_WAIT_SECONDS:
        raise ProblemError(
            503,
            "Too many passwords are being checked right now: retry in a moment.",
            slug="overloaded",
            headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
        )


def _timed(function: Callable[..., T], *args: str) -> T:
    global _seconds_per_hash  # noqa: PLW0603 - one float, written whole
    started = time.perf_counter()
    try:
        return function(*args)
    finally:
        _seconds_per_hash = 0.8 * _seconds_per_hash + 0.2 * (time.perf_counter() - started)


async def _in_thread(function: Callable[..., T], *args: str) -> T:
    global _in_line  # noqa: PLW0603 - changed only on the event loop, between awaits
    refuse_if_busy()
    # Counted before the first await: a burst that arrives in one turn of the loop cannot
    # all pass the check before any of it is in the line (the limiter counts its waiters
    # only after a checkpoint, which let sign-ins wait four times longer than judged).
    _in_line += 1
    try:
        return await anyio.to_thread.run_sync(_timed, function, *args, limiter=_line())
    finally:
        _in_line -= 1


async def hash_password(password: str) -> str:
    return await _in_thread(password_hash.hash, password)


async def verify_password(password: str, hashed: str | None) -> bool:
    """True when the password matches; with no hash, spend the same time and say False."""
    ok = await _in_thread(password_hash.verify, password, hashed or DUMMY_HASH)
    return ok and hashed is not None


# Verified against when the email is unknown, so both failures take the same time.
_started = time.perf_counter()
DUMMY_HASH = password_hash.hash("rebound-dummy-password-for-timing")
_seconds_per_hash = time.perf_counter() - _started
