"""HTTP for applications: create, list, get, update, delete, the stage timeline, and CSV
import and export."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.responses import StreamingResponse

from app.applications import service, spreadsheet_export, spreadsheet_import, spreadsheet_reading
from app.applications.models import (
    APPLICATIONS,
    ApplicationCreate,
    ApplicationPage,
    ApplicationParams,
    ApplicationPublic,
    ApplicationUpdate,
    Stage,
    StageChangePublic,
    Timeline,
)
from app.applications.spreadsheet_cells import FIELDS
from app.applications.spreadsheet_import import CsvImportReport
from app.applications.spreadsheet_reading import CsvRefused
from app.core.database import DatabaseDep
from app.core.errors import problem_responses
from app.core.identity import CallerDep
from app.core.ratelimit import RateLimiterDep
from app.outcomes.stale import ClosedStale, CloseStale, close_stale
from app.shared import record_paths as _record_paths  # noqa: F401 (registers {record_id:record_id})
from app.shared import repository, responses
from app.shared.fields import Day
from app.shared.json_input import NUL_FREE
from app.shared.pagination import json_response
from app.shared.quota import RecordQuotaDep

router = APIRouter(prefix="/v1/applications", tags=["applications"])


@router.post(
    "",
    status_code=201,
    response_model=ApplicationPublic,
    operation_id="createApplication",
    summary="Create an application",
    description=(
        "Create an application. Offline clients may send their own `id`: re-sending the same "
        "id and body answers 200 with the existing record, another body 409."
    ),
    responses=responses.created_responses(ApplicationPublic),
)
async def create_application(
    body: ApplicationCreate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    quota: RecordQuotaDep,
) -> Response:
    """Record a job applied for (or wished for)."""
    row, is_new = await service.create_application(database, caller, body, quota)
    return responses.created(request, APPLICATIONS.body(row), is_new)


@router.get(
    "",
    response_model=ApplicationPage,
    operation_id="listApplications",
    summary="List applications",
    description=(
        "The caller's applications, keyset-paginated. With `updated_since` (a `sync_token`), "
        "only what changed since, deleted records included as tombstones, in change order."
    ),
    responses=responses.LIST_RESPONSES,
)
async def list_applications(
    params: Annotated[ApplicationParams, Query()], caller: CallerDep, database: DatabaseDep
) -> Response:
    """A page of the caller's applications, or what changed since a sync token."""
    return json_response(await repository.list_page(database, caller, APPLICATIONS, params))


_CSV_EXAMPLE = (
    "Company,Job Title,Status,Date Applied,URL,Salary,Notes\r\n"
    "Globex,Platform engineer,Applied,2026-10-01,https://globex.example/jobs/42,80k-95k EUR,"
    "Referred by Hank\r\n"
    "Initech,SRE,Rejected,2026-09-12,,,\r\n"
)


@router.post(
    "/import.csv",
    response_model=CsvImportReport,
    operation_id="importApplicationsCsv",
    responses=problem_responses(401, 413, 415, 422, 429),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A CSV file, UTF-8 (with or without a byte order mark): the whole "
            "body, or the `file` part of a form.",
            "content": {
                "text/csv": {"schema": {"type": "string", "minLength": 1}, "example": _CSV_EXAMPLE},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                        "additionalProperties": False,
                    },
                    "example": {"file": _CSV_EXAMPLE},
                },
            },
        }
    },
)
async def import_applications_csv(
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
    limiter: RateLimiterDep,
    quota: RecordQuotaDep,
    dry_run: Annotated[
        bool, Query(description="Check and count what would be imported, and write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        Query(
            description="Import the valid rows and list the others in `errors` (without it, "
            "one invalid row refuses the whole file)."
        ),
    ] = False,
    mapping: Annotated[
        str | None,
        Query(
            max_length=4000,
            pattern=NUL_FREE,
            description="A JSON object naming the field each column holds, over the names "
            'this import knows, e.g. `{"Arbeitgeber": "company", "Memo": "notes", "Id": null}` '
            f"(null: leave the column out). Fields: {', '.join(FIELDS)} (`salary`: one amount "
            "or a range; `outcome_date`: the day a decision came).",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        Query(
            max_length=50,
            pattern=NUL_FREE,
            description="How the file writes dates other than YYYY-MM-DD (always read), as a "
            "strptime pattern: `%d.%m.%Y`, `%m/%d/%Y`, `%d/%m/%y` …",
        ),
    ] = None,
) -> Response:
    """Import applications from a CSV file: a spreadsheet, or another tracker's export.

    Columns are recognised by their names, in English, German, French and Spanish (Company,
    Job Title, Status, Date Applied, URL, Location, Salary, Notes, Tags, Source, Work mode …;
    Firma, Stelle, Beworben am; Entreprise, Poste; Empresa, Puesto …), GET
    /v1/applications/export.csv's included; `mapping` names others. The file needs a company
    and a role column. Comma, semicolon or tab separated; UTF-8 with or without a byte order
    mark. Statuses are read as stages (Saved → wishlist, Phone screen → screening, Absage →
    rejected …; an unknown one is an error); a salary may be one amount or a range
    ("80k-95k", "80,000–95,000 EUR"). Every row is checked as POST /v1/applications checks a
    body; errors name the line (1: the header) and the column's header.

    One transaction: with an invalid row, nothing is written (422 listing up to 100 errors)
    unless `skip_invalid=true`, which imports the valid rows and lists the others; a dry run
    answers as the import would, and writes nothing. A row repeating an application of the
    caller's, or an earlier row (same posting URL, or same company, role and applied date), is
    skipped: importing a file twice creates nothing the second time. A row whose stage is a
    decision (rejected, ghosted, offer, withdrawn, on hold) also gets that outcome, received
    on its "Outcome date" (or "Date rejected", "Updated" …) column, else its applied date,
    else today, so insights count it.

    Each row of the file is spent from the account's import budget (20,000 records an hour
    by default), dry runs included; over it: 429 with `Retry-After`. At most 5 MB per file.
    """
    options = spreadsheet_reading.read_options(
        dry_run=dry_run, skip_invalid=skip_invalid, mapping=mapping, date_format=date_format
    )
    try:
        async with spreadsheet_reading.csv_file(request) as file:
            report = await spreadsheet_import.import_csv(
                database, caller, file, options, limiter, quota
            )
    except CsvRefused as refused:
        return refused.response(request.url.path)
    return json_response(report.model_dump(mode="json"))


@router.get(
    "/export.csv",
    operation_id="exportApplicationsCsv",
    response_class=spreadsheet_export.CsvStream,
    responses={
        200: {
            "description": "The applications as a CSV file.",
            "headers": {
                "Content-Disposition": {
                    "description": 'Always `attachment; filename="applications.csv"`.',
                    "schema": {"type": "string"},
                }
            },
            "content": {
                "text/csv": {
                    "example": (
                        "Company,Role title,Stage,Applied on,Job URL,Location,Work mode,Source,"
                        "Referrer,Salary min,Salary max,Currency,Interest,Tags,Notes,"
                        "Job description,Outcome date\r\n"
                        "Globex,Platform engineer,rejected,2026-10-01,"
                        "https://globex.example/jobs/42,Berlin,hybrid,referral,Hank,80000,95000,"
                        'EUR,4,"platform, berlin",,,2026-10-20\r\n'
                    )
                }
            },
        },
        **problem_responses(422),
    },
)
async def export_applications_csv(
    caller: CallerDep,
    database: DatabaseDep,
    stage: Annotated[Stage | None, Query(description="Only applications at this stage.")] = None,
    start: Annotated[
        Day | None,
        Query(alias="from", description="Applied on or after this day (YYYY-MM-DD, inclusive)."),
    ] = None,
    end: Annotated[
        Day | None,
        Query(alias="to", description="Applied on or before this day (YYYY-MM-DD, inclusive)."),
    ] = None,
    with_history: Annotated[
        bool,
        Query(
            description='Add a History column: each stage change with its day ("2026-10-01 '
            "applied; 2026-10-14 interviewing\"), in the caller's time zone."
        ),
    ] = False,
) -> StreamingResponse:
    """Download the caller's applications as a CSV file, by applied date.

    UTF-8 without a byte order mark, comma-separated, CRLF line ends; the columns are the
    fields POST /v1/applications/import.csv reads back (an export imported into another
    account gives the same applications), and "Outcome date", the day of the latest outcome.
    With `from` or `to`, applications without an applied date are left out. A cell starting
    with `=`, `+`, `-`, `@`, a tab or a carriage return is written after a `'`, so that no
    spreadsheet runs it as a formula; the import takes the `'` off again.
    """
    filters = spreadsheet_export.ExportFilters(
        stage=stage, start=start, end=end, with_history=with_history
    )
    lines = await spreadsheet_export.export_csv(database, caller, filters)
    disposition = f'attachment; filename="{spreadsheet_export.FILENAME}"'
    return spreadsheet_export.CsvStream(lines, headers={"Content-Disposition": disposition})


@router.get(
    "/{record_id:record_id}",
    response_model=ApplicationPublic,
    operation_id="getApplication",
    summary="Get an application",
    description="One application; send `If-None-Match` with its ETag to get 304 when unchanged.",
    responses=responses.RECORD_RESPONSES,
)
async def get_application(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> Response:
    """One application with its ETag."""
    row = await repository.get(database, caller, APPLICATIONS, record_id)
    return responses.record(request, APPLICATIONS.body(row))


@router.patch(
    "/{record_id:record_id}",
    response_model=ApplicationPublic,
    operation_id="updateApplication",
    summary="Update an application",
    description=(
        "Change some fields of an application; fields left out stay as they are. Any "
        "`stage` may be set at any time, backwards too: recording an interview or an outcome "
        "moves it forward on its own, nothing else moves it. "
        "Send `If-Match` with the ETag you read to avoid overwriting someone else's change."
    ),
    responses=responses.UPDATED_RESPONSES,
)
async def update_application(
    record_id: uuid.UUID,
    body: ApplicationUpdate,
    request: Request,
    caller: CallerDep,
    database: DatabaseDep,
) -> Response:
    """Change some fields; a stage change adds a line to the timeline."""
    check = responses.if_match(request)
    row = await service.update_application(database, caller, record_id, body, check)
    return responses.updated(APPLICATIONS.body(row))


@router.delete(
    "/{record_id:record_id}",
    status_code=204,
    operation_id="deleteApplication",
    summary="Delete an application",
    description=(
        "Soft-delete an application (and what depends on it); delta sync reports "
        "tombstones. Honours `If-Match`."
    ),
    responses=responses.DELETED_RESPONSES,
)
async def delete_application(
    record_id: uuid.UUID, request: Request, caller: CallerDep, database: DatabaseDep
) -> None:
    """Tombstone the application and what was recorded about it."""
    await service.delete_application(database, caller, record_id, responses.if_match(request))


@router.get(
    "/{record_id:record_id}/timeline",
    operation_id="getApplicationTimeline",
    responses=problem_responses(404, 422),
)
async def get_timeline(record_id: uuid.UUID, caller: CallerDep, database: DatabaseDep) -> Timeline:
    """Every stage change of an application, oldest first: from, to, when and why."""
    rows = await service.timeline(database, caller, record_id)
    return Timeline(items=[StageChangePublic.model_validate(dict(row)) for row in rows])


@router.post(
    "/close-stale",
    operation_id="closeStaleApplications",
    summary="Close the silent ones",
    description=(
        "Record a `ghosted` outcome (dated the caller's today) for each open application "
        "(applied, screening, interviewing) without any news for `quiet_days` or more: the "
        "agenda's `possibly_ghosted` items. Each moves to `ghosted`, on its timeline, and "
        "insights count it. Nothing happens unless asked: with `dry_run`, the answer only "
        "names them. At most 500 per request, in one transaction; `remaining` says how many "
        "more wait."
    ),
    responses=problem_responses(401, 422, 429),
)
async def close_stale_applications(
    body: CloseStale, caller: CallerDep, database: DatabaseDep, quota: RecordQuotaDep
) -> ClosedStale:
    """Record ghosted outcomes for the applications quiet for `quiet_days` or more."""
    return await close_stale(database, caller, body, quota)
