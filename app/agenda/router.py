"""HTTP for the agenda: read the caller's time zone and the clock, return what needs attention."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.agenda import service
from app.agenda.models import Agenda, AgendaParams
from app.core.database import DatabaseDep
from app.core.db import utcnow
from app.core.errors import problem_responses
from app.core.identity import CallerDep

router = APIRouter(prefix="/v1/agenda", tags=["agenda"])


DESCRIPTION = """What needs attention now: follow-ups, upcoming calls, next steps, silences.

"Today" is the current date in the profile's `timezone`; the horizon runs from now to the end
of the local day `today + horizon_days`. Items come overdue first by due date, then what is
coming up by date and time, then next steps without a due date. Each item says why it is there
(`reason`, rules listed under `AgendaKind`) and links its record. Reading the agenda changes
nothing: an application that may have been ghosted keeps its stage until the user moves it.
"""


@router.get(
    "",
    operation_id="getAgenda",
    description=DESCRIPTION,
    responses={
        200: {"description": "The agenda, as of the moment of the request"},
        **problem_responses(401, 422),
    },
)
async def get_agenda(
    params: Annotated[AgendaParams, Query()],
    caller: CallerDep,
    database: DatabaseDep,
) -> Agenda:
    """What needs attention now: follow-ups, upcoming calls, next steps, silences."""
    # Computed for this moment, and private: `no-store`, as every API answer (app/core/http.py).
    return await service.build_agenda(database, caller, params, now=utcnow())
