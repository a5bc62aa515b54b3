"""Argon2id password hashing, off the event loop and never more than a few at once.

A hash costs 64 MiB and tens of milliseconds of one core by design. Run on the event loop,
it would stall every other request; run in an unbounded thread pool, a burst of sign-ins
would take every core and that much memory per attempt. Hashes therefore run in threads,
at most HASH_CONCURRENCY at a time (half the cores, at least one): the other requests keep
a core, and extra sign-ins wait their turn.
"""

import os
from collections.abc import Callable
from typing import TypeVar

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Above OWASP's floor for Argon2id (19 MiB, 2 passes, 1 lane): 64 MiB, 3 passes, 1 lane, so
# that one hash occupies one core, as the concurrency bound assumes.
HASHER = Argon2Hasher(memory_cost=64 * 1024, time_cost=3, parallelism=1)
password_hash = PasswordHash((HASHER,))

HASH_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
_limiter: anyio.CapacityLimiter | None = None

T = TypeVar("T")


async def _in_thread(function: Callable[..., T], *args: str) -> T:
    global _limiter  # noqa: PLW0603 - created inside the running loop, once
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(HASH_CONCURRENCY)
    return await anyio.to_thread.run_sync(function, *args, limiter=_limiter)


async def hash_password(password: str) -> str:
    return await _in_thread(password_hash.hash, password)


async def verify_password(password: str, hashed: str | None) -> bool:
    """True when the password matches; with no hash, spend the same time and say False."""
    ok = await _in_thread(password_hash.verify, password, hashed or DUMMY_HASH)
    return ok and hashed is not None


# Verified against when the email is unknown, so both failures take the same time.
DUMMY_HASH = password_hash.hash("rebound-dummy-password-for-timing")
