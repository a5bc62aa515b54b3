"""HTTP for companies: the caller's employers, and everything recorded at one of them."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from app.companies import service
from app.companies.models import CompanyHistory, CompanyPage, CompanyParams
from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.shared.pagination import json_response

router = APIRouter(prefix="/v1/companies", tags=["companies"])


@router.get(
    "",
    operation_id="listCompanies",
    summary="List companies",
    description=(
        "The employers of the caller's applications, one per company however its name was "
        "written (`ACME GmbH`, `Acme` and `acme, inc.` are `acme`), in key order, with counts "
        "of applications, outcomes, rejections and offers. `q` matches part of the name."
    ),
    responses=problem_responses(401, 422),
)
async def list_companies(
    params: Annotated[CompanyParams, Query()], caller: CallerDep, database: DatabaseDep
) -> CompanyPage:
    """A page of the caller's companies."""
    return await service.list_companies(database, caller, params)


@router.get(
    "/{key}",
    operation_id="getCompany",
    summary="Get a company's history",
    description=(
        "Everything recorded at one employer, for the user who applies there again: its "
        "applications (the latest 500), their outcomes with reasons, the feedback "
        "conversations and the contacts met there."
    ),
    response_model=CompanyHistory,
    responses=problem_responses(401, 404, 422),
)
async def get_company(
    key: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^\x00]+$")],
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """One company's applications, outcomes, feedback conversations and contacts."""
    return json_response(await service.company_history(database, caller, key))
