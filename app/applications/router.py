"""HTTP for applications: the five resource operations plus the stage timeline."""

import uuid

from app.applications import service
from app.applications.models import StageChangePublic, Timeline
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.shared.router import resource_router

router = resource_router(
    service.applications,
    prefix="/v1/applications",
    tag="applications",
    singular="Application",
    plural="Applications",
    noun="application",
)


@router.get(
    "/{record_id}/timeline",
    operation_id="getApplicationTimeline",
    responses=problem_responses(404, 422),
)
async def get_timeline(record_id: uuid.UUID, caller: CallerDep, session: SessionDep) -> Timeline:
    """Every stage change of an application, oldest first: from, to, when and why."""
    rows = await service.timeline(session, caller, record_id)
    return Timeline(items=[StageChangePublic.model_validate(row) for row in rows])
