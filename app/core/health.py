"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from app.core.database import DatabaseDep
from app.core.errors import ProblemError, problem_responses

router = APIRouter(tags=["operations"])
_PING = text("SELECT 1")


class Health(BaseModel):
    status: str


@router.get("/healthz", operation_id="getHealth")
async def healthz() -> Health:
    """The process is alive (does not touch the database)."""
    return Health(status="ok")


@router.get("/readyz", operation_id="getReadiness", responses=problem_responses(503))
async def readyz(request: Request, database: DatabaseDep) -> Health:
    """The database is reachable; 503 otherwise."""
    try:
        await database.rows(_PING)
    except Exception:
        retry_after = str(request.app.state.settings.retry_after_seconds)
        raise ProblemError(
            503,
            "The database is not reachable right now: retry after `Retry-After` seconds.",
            slug="not-ready",
            headers={"Retry-After": retry_after},
        ) from None
    return Health(status="ok")
