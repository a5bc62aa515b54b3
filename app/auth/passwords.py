"""Argon2id password hashing, always off the event loop."""

from fastapi.concurrency import run_in_threadpool
from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()

# Verified against when the email is unknown, so both failures take the same time.
DUMMY_HASH = password_hash.hash("rebound-dummy-password-for-timing")


async def hash_password(password: str) -> str:
    return await run_in_threadpool(password_hash.hash, password)


async def verify_password(password: str, hashed: str | None) -> bool:
    """True when the password matches; with no hash, spend the same time and say False."""
    ok = await run_in_threadpool(password_hash.verify, password, hashed or DUMMY_HASH)
    return ok and hashed is not None
