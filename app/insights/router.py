"""HTTP for insights: one read-only document computed for the caller."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.insights import service
from app.insights.models import Insights
from app.shared.fields import Day
from app.shared.periods import require_ordered

router = APIRouter(prefix="/v1/insights", tags=["insights"])


def _period(start: date | None, end: date | None) -> service.Period:
    require_ordered(start, end)
    return service.Period(start, end)


_DESCRIPTION = """\
Patterns in the caller's search, with suggested next actions, computed for a period.

Every figure is counted by the database from the caller's own records, deleted ones left out.
With `from` and/or `to` (both inclusive), each record counts on its own date: applications on
`applied_on` (else the UTC day they were created), outcomes on `received_on`, feedback
conversations and reflections on the UTC day they were created. A bounce-back gap starts at a
rejection in the period and may end after it."""


@router.get(
    "",
    operation_id="getInsights",
    description=_DESCRIPTION,
    responses=problem_responses(422),
)
async def get_insights(
    caller: CallerDep,
    database: DatabaseDep,
    start: Annotated[
        Day | None,
        Query(
            alias="from",
            description="First day to include (YYYY-MM-DD, inclusive); omit for no lower bound.",
        ),
    ] = None,
    end: Annotated[
        Day | None,
        Query(
            alias="to",
            description="Last day to include (YYYY-MM-DD, inclusive); omit for no upper bound.",
        ),
    ] = None,
) -> Insights:
    """Patterns in the caller's search, with suggested next actions, computed for a period."""
    return await service.compute_insights(database, caller, _period(start, end))
