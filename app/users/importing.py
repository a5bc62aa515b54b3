"""POST /v1/me/import: restore an export document into the caller's account, idempotently.

What is kept from the document: every record's fields, its `id` and its `created_at`; the
timeline entries as they are; the profile's display name, time zone and weekly goal. What the
server sets itself: `user_id` (the caller), `updated_at` (now, for a record that changes),
`version` (1 for a new record, +1 for a changed one) and the change sequence (one per import,
so a delta sync sees every record the import wrote). The document's profile id, email and
timestamps are ignored: an export may come from another server or another account.

An import only adds and updates: the caller's records that the document does not hold stay as
they are. Imported into an account without records, an export gives back the same export,
except for `exported_at`, the profile's id, email and timestamps, and each record's
`updated_at` and `version`. Side effects that an API write would have (an outcome moving
its application's stage, a new application's first timeline line) are not replayed: the
document already holds their results.

What an import costs the account: every record the document lists (timeline entries
included, the profile not; new, changed or unchanged alike; dry runs too) is spent from the
import budget (RATE_LIMIT_IMPORT_RECORDS_PER_USER) before anything is read, while the write
limit counts the import as one write. And no collection may end up with more live records
than the quota (QUOTA_RECORDS_PER_COLLECTION, app/shared/quota.py): the records the document
adds to each (new ones, and deleted ones it brings back) are counted against the live ones,
one statement for all, after the import holds the account's lock.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import ConfigDict, ValidationError
from pydantic import Field as PydanticField
from sqlalchemy import Table, insert, select, update
from sqlmodel import SQLModel

from app.applications.models import (
    APPLICATIONS,
    ApplicationCreate,
    ApplicationPublic,
    StageChange,
    StageChangePublic,
)
from app.contacts import service as contacts
from app.contacts.models import ContactCreate, ContactPublic
from app.core.database import ConstraintViolated, Executor, Row, one_of
from app.core.db import utcnow
from app.core.errors import FieldError, ProblemError, field_errors
from app.core.identity import Caller
from app.feedback import service as feedback
from app.feedback.models import FeedbackConversationCreate, FeedbackConversationPublic
from app.interviews import service as interviews
from app.interviews.models import InterviewCreate, InterviewPublic
from app.outcomes import service as outcomes
from app.outcomes.models import OutcomeCreate, OutcomePublic
from app.reflections import service as reflections
from app.reflections.models import NextSteps, ReflectionCreate, ReflectionPublic
from app.shared.quota import RecordQuota, require_room
from app.shared.records import StrictInput
from app.shared.repository import next_change_seq, stored, touched
from app.users.export import RESOURCES
from app.users.models import ProfileFields
from app.users.service import apply_profile, get_user

# Parents first: each collection's references are checked against what this import has
# already written in the same transaction.
ReferenceCheck = Callable[[Executor, Caller, dict[str, Any]], Awaitable[None]]
# Each collection in the order its references need, with its create body and the reference
# checks a new record of it passes (its service's own).
IMPORTED: dict[str, tuple[type[StrictInput], ReferenceCheck | None]] = {
    "applications": (ApplicationCreate, None),
    "contacts": (ContactCreate, contacts.check_references),
    "interviews": (InterviewCreate, interviews.check_references),
    "outcomes": (OutcomeCreate, outcomes.check_references),
    "feedback_conversations": (FeedbackConversationCreate, feedback.check_references),
    "reflections": (ReflectionCreate, reflections.check_references),
}
IMPORT_ORDER = tuple(IMPORTED)
COUNTED = (*IMPORT_ORDER, "timeline", "profile")
# Not fields of the create models: the server's change tracking (created_at is kept apart).
_SERVER_FIELDS = frozenset({"created_at", "updated_at", "version", "deleted_at"})
_TIMELINE_FIELDS = ("application_id", "from_stage", "to_stage", "changed_at", "cause", "outcome_id")
_BATCH = 500  # ids per IN (...) query, well under every database's parameter limit
# The tables an import writes, per collection of the document.
_TABLES: dict[str, Table] = {name: RESOURCES[name].columns for name in IMPORT_ORDER}
_TABLES["timeline"] = StageChange.__table__  # type: ignore[attr-defined]


class ImportedProfile(ProfileFields):
    """The exported profile: what registration accepts is restored (when given), the rest
    (the other account's id, email and timestamps) is read and ignored."""

    id: uuid.UUID | None = None
    email: str | None = None
    email_verified: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int | None = None


# The export's public models, read as request bodies are: unknown fields refused, and every
# value already of its documented JSON type (no "5" for 5, no timestamp without a zone).
class _LiveRecord(StrictInput):
    deleted_at: None = PydanticField(
        default=None, description="Always null: an export lists live records only."
    )


class ImportedApplication(_LiveRecord, ApplicationPublic):
    """An application as the export lists it."""


class ImportedStageChange(StageChangePublic, StrictInput):
    """A timeline entry as the export lists it."""


class ImportedInterview(_LiveRecord, InterviewPublic):
    """An interview as the export lists it."""


class ImportedOutcome(_LiveRecord, OutcomePublic):
    """An outcome as the export lists it."""


class ImportedFeedbackConversation(_LiveRecord, FeedbackConversationPublic):
    """A feedback conversation as the export lists it."""


class ImportedReflection(_LiveRecord, ReflectionPublic):
    """A reflection as the export lists it; exports made before next steps had ids list
    them without, and the import gives them theirs."""

    next_steps: NextSteps = []  # type: ignore[assignment]


class ImportedContact(_LiveRecord, ContactPublic):
    """A contact as the export lists it."""


_EXAMPLE_APPLICATION_ID = "7d0f4a52-3c1e-4b8a-9f6d-2a5b8c9e1f03"


class ImportDocument(StrictInput):
    """The document GET /v1/me/export returns. Only `format` and `version` are required; a
    collection left out imports nothing (documents written before contacts existed work)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "format": "rebound-export",
                    "version": 1,
                    "applications": [
                        {
                            "id": _EXAMPLE_APPLICATION_ID,
                            "company": "Globex",
                            "role_title": "Platform engineer",
                            "source": "referral",
                            "stage": "applied",
                            "applied_on": "2026-10-01",
                            "interest": 4,
                            "tags": ["platform"],
                            "created_at": "2026-10-01T09:00:00Z",
                            "updated_at": "2026-10-01T09:00:00Z",
                            "version": 1,
                        }
                    ],
                    "timeline": [],  # empty: FastAPI strips the nulls an entry needs from examples
                }
            ]
        },
    )

    format: Literal["rebound-export"] = PydanticField(description="Always `rebound-export`.")
    version: Literal[1] = PydanticField(description="The export shape this server reads: 1.")
    exported_at: datetime | None = PydanticField(default=None, description="Ignored.")
    profile: ImportedProfile | None = PydanticField(
        default=None,
        description="Display name, time zone and weekly goal are restored; id, email and "
        "timestamps are ignored.",
    )
    applications: list[ImportedApplication] = []
    timeline: list[ImportedStageChange] = []
    interviews: list[ImportedInterview] = []
    outcomes: list[ImportedOutcome] = []
    feedback_conversations: list[ImportedFeedbackConversation] = []
    reflections: list[ImportedReflection] = []
    contacts: list[ImportedContact] = []

    def record_count(self) -> int:
        """The records the document lists, timeline entries included: what the import budget
        is charged."""
        return sum(len(getattr(self, name)) for name in (*IMPORT_ORDER, "timeline"))


def _counts() -> dict[str, int]:
    return dict.fromkeys(COUNTED, 0)


class ImportReport(SQLModel):
    """What an import wrote (or, with `dry_run`, would write), per collection."""

    dry_run: bool = PydanticField(description="True when nothing was written.")
    created: dict[str, int] = PydanticField(
        description="New records per collection (`timeline`: new entries; `profile`: always 0).",
        examples=[{"applications": 2, "interviews": 1, "timeline": 3, "profile": 0}],
    )
    updated: dict[str, int] = PydanticField(
        description="Records of the caller's that changed (or were deleted and came back)."
    )
    unchanged: dict[str, int] = PydanticField(
        description="Records already equal to the document's: a repeated import counts all here."
    )
    skipped: dict[str, int] = PydanticField(
        description="`timeline`: entries of applications neither in the document nor the "
        "caller's (an export lists the history of deleted applications too)."
    )


async def import_document(
    database: Executor,
    caller: Caller,
    document: ImportDocument,
    quota: RecordQuota,
    *,
    dry_run: bool,
) -> ImportReport:
    """Validate the whole document, check the quota, then upsert parents before children
    under one change sequence, in one transaction: a refusal (or a dry run) undoes it all."""
    prepared = _prepare(document)
    report = ImportReport(
        dry_run=dry_run,
        created=_counts(),
        updated=_counts(),
        unchanged=_counts(),
        skipped={"timeline": 0},
    )
    try:
        async with database.transaction() as tx:
            seq = await next_change_seq(tx, caller.id)  # first: it serialises this user's writes
            existing = await _owned(tx, caller, prepared)
            await require_room(
                tx, caller.id, _added(prepared, existing), quota.limit, in_document=True
            )
            now = utcnow()
            if prepared.profile is not None:
                await _restore_profile(tx, caller, prepared.profile, report)
            for name in IMPORT_ORDER:
                await _restore_records(tx, caller, name, prepared, existing[name], seq, now, report)
            await _restore_timeline(tx, caller, prepared, existing["timeline"], report)
            if dry_run:
                # Everything ran (references, conflicts, counts); now forget it all.
                raise _DryRun(report)
    except _DryRun as dry:
        return dry.report
    except ConstraintViolated:  # a reference the checks above let through: none is known
        raise ProblemError(
            409,
            "The document conflicts with the account's records: nothing was imported.",
            slug="import-conflict",
        ) from None
    return report


class _DryRun(Exception):
    """Leaves the transaction of a dry run, which rolls it back, with its report."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report


@dataclass
class _Record:
    index: int  # where the document lists it, for error messages
    id: uuid.UUID
    created_at: datetime
    values: dict[str, Any]  # the columns, as the create model accepts and stores them


@dataclass
class _Prepared:
    records: dict[str, list[_Record]] = field(default_factory=dict)
    timeline: list[tuple[int, ImportedStageChange]] = field(default_factory=list)
    profile: dict[str, Any] | None = None


def _prepare(document: ImportDocument) -> _Prepared:
    """Check every record as POST would (the create models), with all errors in one 422. A
    record listed twice counts once; an id listed twice with different contents is a 409,
    as for a create that re-sends an id with another body."""
    prepared = _Prepared()
    now = utcnow()
    errors: list[FieldError] = []
    conflicts: list[FieldError] = []
    if document.profile is not None:
        restored = set(ProfileFields.model_fields) & document.profile.model_fields_set
        prepared.profile = document.profile.model_dump(include=restored)
    for name in IMPORT_ORDER:
        prepared.records[name] = []
        for index, item in _first_of_each(name, getattr(document, name), conflicts):
            where = f"body.{name}.{index}"
            created_at = _plausible(item.created_at, now)
            if created_at is None:
                errors.append(_error(f"{where}.created_at", OUT_OF_RANGE, "time_out_of_range"))
                continue
            fields = item.model_dump(mode="json", exclude=set(_SERVER_FIELDS))
            try:
                body = IMPORTED[name][0].model_validate(fields)
            except ValidationError as error:
                errors += _located(field_errors(error.errors()), where)
                continue
            values = {k: stored(v) for k, v in body.model_dump(exclude={"id"}).items()}
            values = RESOURCES[name].with_derived(values)
            prepared.records[name].append(_Record(index, item.id, created_at, values))
    for index, entry in _first_of_each("timeline", document.timeline, conflicts):
        if _plausible(entry.changed_at, now) is None:
            where = f"body.timeline.{index}.changed_at"
            errors.append(_error(where, OUT_OF_RANGE, "time_out_of_range"))
            continue
        prepared.timeline.append((index, entry))
    if errors:
        raise ProblemError(
            422,
            "Some records of the document cannot be imported, each named by its path in "
            "`errors`: correct them and send the document again. Nothing was imported.",
            slug="validation-error",
            errors=errors,
        )
    if conflicts:
        raise ProblemError(
            409,
            "The document lists an id twice with different contents: nothing was imported.",
            slug="id-conflict",
            errors=conflicts,
        )
    return prepared


ItemT = TypeVar("ItemT", bound=SQLModel)


def _first_of_each(
    name: str, items: list[ItemT], conflicts: list[FieldError]
) -> list[tuple[int, ItemT]]:
    """Each id once (with its position); a repeat that differs goes to `conflicts`."""
    first: dict[uuid.UUID, ItemT] = {}
    kept = []
    for index, item in enumerate(items):
        item_id = getattr(item, "id")  # noqa: B009 (every item type has one)
        if item_id not in first:
            first[item_id] = item
            kept.append((index, item))
        elif _content(first[item_id]) != _content(item):
            conflicts.append(
                FieldError(
                    field=f"body.{name}.{index}.id",
                    message="An earlier record of the document has this id.",
                    code="id_conflict",
                )
            )
    return kept


def _content(item: SQLModel) -> dict[str, Any]:
    """What an import takes from a record (not its updated_at or version)."""
    return item.model_dump(exclude={"updated_at", "version"})


async def _owned(
    tx: Executor, caller: Caller, prepared: _Prepared
) -> dict[str, dict[uuid.UUID, Row]]:
    """The caller's rows the document names, per collection. Ids are per account: an id that
    another account uses is a new record here, and nothing tells the caller it exists."""
    listed: dict[str, list[uuid.UUID]] = {
        name: [record.id for record in prepared.records[name]] for name in IMPORT_ORDER
    }
    listed["timeline"] = [entry.id for _, entry in prepared.timeline]
    return {
        name: {row["id"]: row for row in await _rows_with_ids(tx, caller, _TABLES[name], ids)}
        for name, ids in listed.items()
    }


def _added(prepared: _Prepared, existing: dict[str, dict[uuid.UUID, Row]]) -> dict[Table, int]:
    """The live records the import adds to each collection: the new ones and the deleted ones
    it brings back."""
    added: dict[Table, int] = {}
    for name in IMPORT_ORDER:
        rows = existing[name]
        added[_TABLES[name]] = sum(
            1
            for record in prepared.records[name]
            if record.id not in rows or rows[record.id]["deleted_at"] is not None
        )
    return added


async def _rows_with_ids(
    tx: Executor, caller: Caller, table: Table, ids: Sequence[uuid.UUID]
) -> list[Row]:
    rows: list[Row] = []
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        mine = table.c.user_id == caller.id
        rows += await tx.rows(select(table).where(mine, one_of(table.c.id, chunk)))
    return rows


async def _restore_profile(
    tx: Executor, caller: Caller, values: dict[str, Any], report: ImportReport
) -> None:
    user = await get_user(tx, caller.id)
    if await apply_profile(tx, user, values) is None:
        report.unchanged["profile"] += 1
    else:
        report.updated["profile"] += 1


async def _restore_records(
    tx: Executor,
    caller: Caller,
    name: str,
    prepared: _Prepared,
    existing: dict[uuid.UUID, Row],
    seq: int,
    now: datetime,
    report: ImportReport,
) -> None:
    resource = RESOURCES[name]
    check = IMPORTED[name][1]
    for item in prepared.records[name]:
        try:
            # The collection's own reference checks (the caller's live parents, an outcome
            # of the same application, …), run on the full record whether it is new or not.
            if check is not None:
                await check(tx, caller, item.values)
        except ProblemError as error:
            raise _in_document(error, name, item.index) from None
        current = existing.get(item.id)
        values = item.values
        if name == "reflections":
            # A step listed without an id keeps the id of the stored step with its text.
            steps = current["next_steps"] if current is not None else ()
            values = values | {"next_steps": reflections.with_step_ids(values["next_steps"], steps)}
        outcome = await _write(
            tx,
            resource.columns,
            current,
            item.id,
            values | {"created_at": item.created_at, "deleted_at": None},
            new={"user_id": caller.id, "updated_at": now, "version": 1, "change_seq": seq},
            changed=touched(resource.table, seq, now),
        )
        getattr(report, outcome)[name] += 1


async def _restore_timeline(
    tx: Executor,
    caller: Caller,
    prepared: _Prepared,
    existing: dict[uuid.UUID, Row],
    report: ImportReport,
) -> None:
    """Timeline entries as listed; those of applications that are neither in the document nor
    the caller's (an export keeps the history of deleted applications) are skipped."""
    in_document = {record.id for record in prepared.records["applications"]}
    elsewhere = {entry.application_id for _, entry in prepared.timeline} - in_document
    known = in_document | {
        row["id"]
        for row in await _rows_with_ids(tx, caller, APPLICATIONS.columns, sorted(elsewhere))
    }
    outcomes_known = await _known_outcomes(tx, caller, prepared)
    for index, entry in prepared.timeline:
        if entry.application_id not in known:
            report.skipped["timeline"] += 1
            continue
        if entry.outcome_id is not None and entry.outcome_id not in outcomes_known:
            raise ProblemError(
                422,
                f"timeline[{index}]: `outcome_id` names no outcome in the document or the "
                "account; list that outcome in `outcomes`, or leave `outcome_id` null.",
                slug="reference-not-found",
                errors=[
                    _error(
                        f"body.timeline.{index}.outcome_id",
                        "No outcome with this id in the document or the account.",
                        "reference_not_found",
                    )
                ],
            )
        wanted = {name: getattr(entry, name) for name in _TIMELINE_FIELDS}
        wanted["changed_at"] = _aware(entry.changed_at)
        outcome = await _write(
            tx,
            _TABLES["timeline"],
            existing.get(entry.id),
            entry.id,
            wanted,
            new={"user_id": caller.id},
            changed={},
        )
        getattr(report, outcome)["timeline"] += 1


async def _known_outcomes(tx: Executor, caller: Caller, prepared: _Prepared) -> set[uuid.UUID]:
    """The outcomes timeline entries may cite: the document's and the caller's own."""
    in_document = {record.id for record in prepared.records["outcomes"]}
    cited = {e.outcome_id for _, e in prepared.timeline if e.outcome_id is not None} - in_document
    outcomes_table = _TABLES["outcomes"]
    return in_document | {
        row["id"] for row in await _rows_with_ids(tx, caller, outcomes_table, sorted(cited))
    }


async def _write(
    tx: Executor,
    table: Table,
    current: Row | None,
    record_id: uuid.UUID,
    wanted: dict[str, Any],
    *,
    new: dict[str, Any],
    changed: dict[str, Any],
) -> Literal["created", "updated", "unchanged"]:
    """Insert the record (with the `new` values), or update the fields of the `current` row
    that differ (and set the `changed` values): the report's count it adds to."""
    if current is None:
        await tx.rows(insert(table).values(wanted | new | {"id": record_id}))
        return "created"
    changes = {name: value for name, value in wanted.items() if current[name] != value}
    if not changes:
        return "unchanged"
    key = (table.c.user_id == new["user_id"]) & (table.c.id == record_id)
    await tx.rows(update(table).where(key).values(changes | changed))
    return "updated"


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "This time is out of range: 1970 to tomorrow."


def _plausible(moment: datetime, now: datetime) -> datetime | None:
    """The moment in UTC when it lies between 1970 and a day from now (a client clock may run
    ahead), else None: no record was made in 9999."""
    aware = _aware(moment)
    if aware is None or not EARLIEST <= aware <= now + timedelta(days=1):
        return None
    return aware


def _aware(moment: datetime) -> datetime | None:
    """The moment in UTC, or None when it has no time zone or is out of UTC's range."""
    if moment.tzinfo is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def _error(field: str, message: str, code: str = "invalid") -> FieldError:
    return FieldError(field=field, message=message, code=code)


def _located(errors: list[FieldError], where: str) -> list[FieldError]:
    return [
        FieldError(field=f"{where}.{e.field}" if e.field else where, message=e.message, code=e.code)
        for e in errors
    ]


def _in_document(error: ProblemError, name: str, index: int) -> ProblemError:
    """A resource's refusal of one record (with the status POST would answer: 422 for a
    reference to nothing or a broken rule), pointed at that record of the document."""
    where = f"body.{name}.{index}"
    if error.errors:
        errors = [
            FieldError(
                field=where + e.field.removeprefix("body")
                if e.field.startswith("body.")
                else where,
                message=e.message,
                code=e.code,
            )
            for e in error.errors
        ]
    else:
        errors = [_error(where, error.detail, error.slug.replace("-", "_"))]
    return ProblemError(
        error.status, f"{name}[{index}]: {error.detail}", slug=error.slug, errors=errors
    )
