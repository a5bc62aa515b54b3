"""Rate limits: per IP and per account on sign-in, sign-up and password reset (with exponential
backoff on failed sign-ins, never a permanent lockout), per user on writes, and a per-user
budget of imported records.

Exceeding a limit answers 429 with `Retry-After` and a `rate-limited` problem document.
Accounts are named by a hash of the normalised email, so no address is kept in the counters,
and unknown emails are limited exactly like known ones (nothing to learn from a 429).
"""

import hashlib
import ipaddress
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config import Rate, Settings
from app.core.counters import Backoff, Counters
from app.core.errors import ProblemError, problem_response
from app.core.security import bearer_user_id

RATE_LIMITED = "rate-limited"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# POST routes that only read what they are sent (a pasted email, a posting): they write and
# keep nothing, so neither the write limit nor the idempotency store concerns them.
READS_BY_POST = ("/v1/intake/",)


def too_many(retry_after: int) -> ProblemError:
    return ProblemError(
        429,
        f"Too many requests: try again in {retry_after} seconds.",
        slug=RATE_LIMITED,
        headers={"Retry-After": str(retry_after)},
    )


def _period(rate: Rate) -> str:
    return str(rate).split("/", 1)[1]


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def client_key(scope: Scope) -> str:
    """The caller's address (as the trusted proxy, if any, gave it); IPv6 by its /64, which
    one subscriber usually holds whole."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class RateLimiter:
    def __init__(self, settings: Settings, counters: Counters) -> None:
        self.settings = settings
        self.counters = counters
        self.login_backoff = Backoff(
            free=settings.login_backoff_after,
            max_seconds=settings.login_backoff_max_seconds,
            expire_seconds=settings.login_failures_expire_seconds,
        )

    async def check(self, name: str, subject: str, rate: Rate) -> int:
        """Count one event of `subject` against `rate`; the seconds to wait when over, else 0."""
        count, retry_after = await self.counters.hit(f"rl:{name}:{subject}", rate.seconds)
        return retry_after if count > rate.count else 0

    async def limit(self, name: str, subject: str, rate: Rate) -> None:
        if retry_after := await self.check(name, subject, rate):
            raise too_many(retry_after)

    async def limit_ip(self, request: Request, name: str, rate: Rate) -> None:
        await self.limit(f"{name}:ip", client_key(request.scope), rate)

    async def limit_email(self, name: str, email: str, rate: Rate) -> None:
        await self.limit(f"{name}:account", account_key(email), rate)

    async def limit_intake(self, user_id: uuid.UUID) -> None:
        """Readings of a pasted email or a posting: they write nothing, but cost CPU."""
        await self.limit("intake:user", str(user_id), self.settings.rate_limit_intake_per_user)

    async def limit_email_codes(self, user_id: uuid.UUID) -> None:
        """Mails of codes a signed-in user asks for (email change, verification resend)."""
        rate = self.settings.rate_limit_email_codes_per_user
        await self.limit("email-codes:user", str(user_id), rate)

    async def spend_import(self, user_id: uuid.UUID, records: int) -> None:
        """Spend the records an import lists from the account's import budget, apart from the
        write limit (which counts the import as one write). Over the budget: 429, and nothing
        is spent; more records than the whole budget: 413, since waiting would not help."""
        rate = self.settings.rate_limit_import_records_per_user
        if records > rate.count:
            raise ProblemError(
                413,
                f"An import may list at most {rate.count} records per {_period(rate)}; this "
                f"one lists {records}: split it.",
            )
        if records < 1:
            return
        key = f"rl:import-records:user:{user_id}"
        count, retry_after = await self.counters.hit(key, rate.seconds, records)
        if count > rate.count:
            await self.counters.hit(key, rate.seconds, -records)  # refused: give them back
            raise too_many(retry_after)

    async def begin_sign_in(self, email: str) -> None:
        """Count a sign-in attempt against the account (as a failure until it succeeds)."""
        wait = await self.counters.attempt(f"rl:login:{account_key(email)}", self.login_backoff)
        if wait:
            raise too_many(wait)

    async def signed_in(self, email: str) -> None:
        """The attempt succeeded (or the password was reset): forget the account's failures."""
        await self.counters.forget(f"rl:login:{account_key(email)}")

    @asynccontextmanager
    async def password_check(self, user_id: uuid.UUID) -> AsyncIterator[None]:
        """A password check of a signed-in caller (password change, erasure, email change):
        the sign-in backoff, counted apart from sign-in's, so a thief holding an access token
        can neither guess at full speed nor lock the owner out of signing in. The failures
        are forgotten when the block ends without an error."""
        key = f"rl:password:{user_id}"
        if wait := await self.counters.attempt(key, self.login_backoff):
            raise too_many(wait)
        yield
        await self.counters.forget(key)


async def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


class WriteRateLimitMiddleware:
    """Per-user limit on POST, PUT, PATCH and DELETE with a valid bearer token. Reads pass
    straight through; a request without a valid token is left to the route (401)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.rate = limiter.settings.rate_limit_writes_per_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _WRITE_METHODS
            or scope["path"].startswith(READS_BY_POST)
        ):
            await self.app(scope, receive, send)
            return
        user_id = bearer_user_id(self.limiter.settings, scope["headers"])
        if user_id is not None:
            retry_after = await self.limiter.check("writes:user", str(user_id), self.rate)
            if retry_after:
                error = too_many(retry_after)
                response = problem_response(
                    429,
                    error.detail,
                    slug=RATE_LIMITED,
                    instance=scope["path"],
                    headers=error.headers,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
