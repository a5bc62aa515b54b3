"""Interviews: each belongs to one of the caller's applications."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application
from app.core.identity import Caller
from app.interviews.models import (
    Interview,
    InterviewCreate,
    InterviewParams,
    InterviewPublic,
    InterviewUpdate,
)
from app.shared.resource import Resource, require_owned


class Interviews(Resource[Interview]):
    table = Interview
    public = InterviewPublic
    create = InterviewCreate
    update = InterviewUpdate
    params = InterviewParams
    noun = "interview"

    equal_filters = ("application_id",)

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        await require_owned(session, caller, Application, values["application_id"], "application")


interviews = Interviews()
