"""create_app(): settings, database, middleware, error handlers and routers."""

import gc
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse
from fastapi.telemetry import TelemetryConfig
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.agenda.router import router as agenda_router
from app.applications.router import router as applications_router
from app.auth.router import router as auth_router
from app.changes.router import router as changes_router
from app.companies.router import router as companies_router
from app.contacts.router import router as contacts_router
from app.core.config import Settings, get_settings
from app.core.counters import create_counters
from app.core.database import create_database
from app.core.db import create_engine
from app.core.docs import install_docs
from app.core.errors import install_error_handlers
from app.core.health import router as health_router
from app.core.http import BodySizeLimitMiddleware, RequestContextMiddleware
from app.core.logging import configure_logging
from app.core.openapi import install_openapi, summaries_from_docstrings
from app.core.ratelimit import RateLimiter, WriteRateLimitMiddleware
from app.core.revocations import Revocations
from app.feedback.router import router as feedback_router
from app.guidance.router import router as guidance_router
from app.insights.router import router as insights_router
from app.intake.router import router as intake_router
from app.interviews.router import router as interviews_router
from app.outcomes.router import router as outcomes_router
from app.reflections.router import router as reflections_router
from app.sessions.router import router as sessions_router
from app.sessions.service import ended_since
from app.shared.idempotency import IdempotencyMiddleware
from app.users.router import router as users_router

ROUTERS = [
    health_router,
    auth_router,
    users_router,
    sessions_router,
    applications_router,
    interviews_router,
    outcomes_router,
    feedback_router,
    reflections_router,
    contacts_router,
    companies_router,
    intake_router,
    changes_router,
    guidance_router,
    insights_router,
    agenda_router,
]

GC_THRESHOLDS = (10_000, 20, 20)  # CPython's defaults: 700, 10, 10
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

DESCRIPTION = """
Rebound helps job seekers turn each rejection into evidence they can learn from.

Every error is an RFC 9457 problem document. Lists are keyset-paginated and carry a
`sync_token` for delta sync. Sign in with the **Authorize** button (OAuth2 password flow;
the username is your email).

## Syncing

An offline-first client mirrors the user's data with one request per page:
`GET /v1/changes` gives every collection's changes in change order, each item naming its
`collection` (a list's path segment, e.g. `feedback-conversations`) and holding the `record`
as that list shows it. Follow `next_cursor` to the end, keep the last page's `sync_token`, and
next time send it as `updated_since`: only what changed since comes back, deleted records
included as tombstones (`deleted_at` set). Without `updated_since`, the feed gives every live
record (a first sync).

There is one sync token per user, not one per collection: a token from `/v1/changes` or from
any list is valid on every list (`GET /v1/<collection>?updated_since=`) and on
`/v1/changes`; an RFC 3339 timestamp is accepted too (percent-encode its `+`). A client that
always syncs with the last token it was given never misses a change, even one written while
it was reading; a record changed during a walk may come twice, the newer last.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_engine(settings)
    limiter = RateLimiter(settings, create_counters(settings.redis_url, settings.redis_key_prefix))

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        # Everything built so far (routes, models, schemas) lives as long as the process:
        # move it out of the collector's sight, so a collection walks only what requests
        # allocate, and collect the young generation less often.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        await application.state.revocations.start(ended_since(application.state.database))
        yield
        await close_connections(application)

    app = FastAPI(
        title="Rebound API",
        version="1.0.0",
        summary="Track applications, learn from rejections, and plan what to do next.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        separate_input_output_schemas=False,
        telemetry=None if settings.opentelemetry else TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.database = create_database(
        engine, settings.db_pool_size, settings.db_pool_timeout_seconds
    )
    app.state.rate_limiter = limiter
    app.state.revocations = Revocations(
        settings.access_token_minutes * 60, settings.redis_url, settings.redis_key_prefix
    )

    install_error_handlers(app)
    install_docs(app)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def root() -> RedirectResponse:
        """Someone who opens the server's address finds the documentation."""
        return RedirectResponse("/docs", status_code=307)

    for router in ROUTERS:
        app.include_router(summaries_from_docstrings(router))
    install_openapi(app)

    # Outermost last. Reads pass the write limit untouched; CORS wraps the 413s and 429s
    # too, so a browser can read them.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(WriteRateLimitMiddleware, limiter=limiter)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={
            "/v1/intake/posting": max(settings.max_posting_bytes, settings.max_body_bytes),
            "/v1/applications/import.csv": max(
                settings.max_csv_import_bytes, settings.max_body_bytes
            ),
        },
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID", "Location", "Retry-After"],
        )
    if settings.trusted_proxies:
        # The client address (rate limits per IP) and scheme come from X-Forwarded-For and
        # X-Forwarded-Proto only when the peer is one of these proxies.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.add_middleware(RequestContextMiddleware)
    return app


async def close_connections(app: FastAPI) -> None:
    """Close every connection the app holds: counters, asyncpg's pool, engine (at shutdown)."""
    await app.state.rate_limiter.counters.close()
    await app.state.revocations.close()
    await app.state.database.close()
    await app.state.engine.dispose()


def _exit_cleanly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    """`python -m app.main`: serve with uvicorn on HOST:PORT."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again: answer that with
    # exit code 0, which process managers read as a clean stop (not death by a signal).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        proxy_headers=False,  # create_app() trusts only TRUSTED_PROXIES
        access_log=False,
        log_config=None,
        # On SIGTERM: stop accepting, finish the requests in flight, exit within this time.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


if __name__ == "__main__":
    main()
