"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from app.core.errors import ProblemError, problem_responses

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", operation_id="getHealth")
async def healthz() -> Health:
    """The process is alive (does not touch the database)."""
    return Health(status="ok")


@router.get("/readyz", operation_id="getReadiness", responses=problem_responses(503))
async def readyz(request: Request) -> Health:
    """The database is reachable; 503 otherwise."""
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        retry_after = str(request.app.state.settings.retry_after_seconds)
        raise ProblemError(
            503,
            "The database is not reachable.",
            slug="not-ready",
            headers={"Retry-After": retry_after},
        ) from None
    return Health(status="ok")
