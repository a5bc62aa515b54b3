"""Pure ASGI middleware: request ids, access log, security headers and the body size limit."""

import logging
import re
import time
from collections.abc import Mapping
from random import getrandbits

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response
from app.core.logging import request_id_var
from app.core.unavailable import database_unavailable

logger = logging.getLogger("rebound.access")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


_PRIVATE_PREFIX = "/v1/"


def _private_by_default(headers: list[tuple[bytes, bytes]]) -> None:
    """An API answer that says nothing of caching is private: no cache may store it, and one
    that stores it anyway must not serve it to another token. Routes that may be cached (the
    public guidance catalogue) set their own Cache-Control."""
    if any(name.lower() == b"cache-control" for name, _ in headers):
        return
    headers.append((b"cache-control", b"no-store"))
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"authorization" not in value.lower():
                headers[index] = (name, value + b", Authorization")
            return
    headers.append((b"vary", b"Authorization"))


class BodyTooLarge(HTTPException):
    """Raised from `receive`; an HTTPException so FastAPI's body parsing lets it through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413,
            f"The request body is larger than {max_bytes} bytes, the most this API reads: "
            "send a smaller one.",
        )


class RequestContextMiddleware:
    """Give every response an X-Request-ID and security headers; log one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode(
            "latin-1"
        )
        # A new id only has to be unique, not secret: 128 random bits, without uuid4's system
        # call for each request.
        request_id = given if _VALID_REQUEST_ID.match(given) else f"{getrandbits(128):032x}"  # noqa: S311
        private = scope["path"].startswith(_PRIVATE_PREFIX)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # until a response starts

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(_SECURITY_HEADERS)
                if private:
                    _private_by_default(headers)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            unavailable = database_unavailable(exc)
            if unavailable:  # expected during an outage: no traceback, nor the error's text
                logger.warning(
                    "database unavailable on %s %s: %s",
                    scope["method"],
                    scope["path"],
                    type(exc).__name__,
                )
            else:
                logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if status != 500:  # the response had started: nothing more can be sent
                raise
            if unavailable:
                response = unavailable_response(scope)
            else:
                response = problem_response(
                    500,
                    "Something went wrong on our side: retry later, and quote the "
                    "`X-Request-ID` response header if you report it.",
                    instance=scope["path"],
                )
            await response(scope, receive, send_with_headers)
        finally:
            # Path only: query strings can carry search terms; bodies and tokens never logged.
            logger.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={"status": status, "ms": round((time.perf_counter() - started) * 1000, 2)},
            )
            request_id_var.reset(token)


def unavailable_response(scope: Scope) -> JSONResponse:
    """503 with Retry-After: the database cannot serve now; the same request may succeed later."""
    retry_after = scope["app"].state.settings.retry_after_seconds
    return problem_response(
        503,
        "The service cannot reach its database right now: retry later.",
        slug="database-unavailable",
        instance=scope["path"],
        headers={"Retry-After": str(retry_after)},
    )


class BodySizeLimitMiddleware:
    """Answer 413 when a body exceeds the limit, whether or not Content-Length says so. The
    routes named in `larger` (path → bytes) have a limit of their own; every other route has
    `max_bytes`."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope["path"], self.max_bytes)
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit() and int(value) > max_bytes:
                await self._too_large(scope, receive, send, max_bytes)
                return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
            await self._too_large(scope, receive, send, max_bytes)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem_response(
            413,
            BodyTooLarge(max_bytes).detail,
            instance=scope["path"],
        )
        await response(scope, receive, send)
