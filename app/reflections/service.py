"""Reflections may point at an application, an outcome of it, or neither."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.applications.models import Application
from app.core.identity import Caller
from app.feedback.service import check_outcome_of
from app.reflections.models import (
    Reflection,
    ReflectionCreate,
    ReflectionParams,
    ReflectionPublic,
    ReflectionUpdate,
)
from app.shared.resource import Resource, require_owned


class Reflections(Resource[Reflection]):
    table = Reflection
    public = ReflectionPublic
    create = ReflectionCreate
    update = ReflectionUpdate
    params = ReflectionParams
    noun = "reflection"
    equal_filters = ("application_id", "outcome_id", "diagnosis")

    async def before_create(
        self, session: AsyncSession, caller: Caller, values: dict[str, Any]
    ) -> None:
        if values.get("application_id") is not None:
            await require_owned(
                session, caller, Application, values["application_id"], "application"
            )
        if values.get("outcome_id") is not None:
            outcome = await check_outcome_of(
                session, caller, values["outcome_id"], values.get("application_id")
            )
            values["application_id"] = outcome.application_id


reflections = Reflections()
