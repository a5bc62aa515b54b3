"""POST /v1/applications/import.csv: applications from a spreadsheet or another tracker's
export (read by spreadsheet_reading.py), written in batches in one transaction.

The file is read twice: once to check that it is UTF-8 CSV and to count its rows (what the
import budget is charged, before anything is written), then a batch of rows at a time: the
applications each batch may repeat are looked up by their keys (a query for the postings, one
for the companies, on the indexes of both), and its applications, their first timeline lines
and their outcomes inserted with a few multi-row INSERTs, all under the one change number the
import takes. What grows with the file is the keys of the rows seen, to find a row repeated
in the file.

A row is a duplicate of a live application of the caller's, or of an earlier row of the file,
that names the same posting (`job_url_key`), or the same company (`company_key`), role title
(case and spacing aside) and applied date, unless both name postings and these differ: so
importing a file again creates nothing.

A row whose stage is a decision (rejected, ghosted, offer, withdrawn, on hold) also gets the
outcome that would have moved it there (rejection, ghosted, …), received on the row's outcome
date, else its applied date, else today (in the user's time zone): GET /v1/insights counts it.
The application's timeline starts with its stage, as a created application's does.
"""

import functools
import uuid
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from fastapi.concurrency import run_in_threadpool
from pydantic import Field
from sqlalchemy import Insert, Select, Table, bindparam, insert, select, union_all
from sqlmodel import SQLModel

from app.applications.models import APPLICATIONS, StageCause, StageChange
from app.applications.spreadsheet_reading import (
    BATCH_ROWS,
    CsvOptions,
    CsvRefused,
    CsvRowError,
    Parsed,
    batches,
    columns_of,
    echo,
    refused,
    scan,
)
from app.core.database import Executor, planned_for_these_values
from app.core.db import utcnow
from app.core.errors import ProblemError, continue_sentence
from app.core.identity import Caller
from app.core.ratelimit import RateLimiter
from app.outcomes.models import OUTCOMES, STAGE_AFTER, OutcomeCreate, OutcomeKind
from app.shared.company_names import role_key
from app.shared.quota import QUOTA_EXCEEDED, RecordQuota, require_room
from app.shared.repository import next_change_seq, stored
from app.users.service import user_zone

_ROWS_PER_INSERT = 100  # rows per INSERT statement: its shape is compiled once per size
MAX_ERRORS = 100  # errors listed; the others are counted
# A stage that is a decision is recorded as one, as POST /v1/outcomes would have moved it.
OUTCOME_OF_STAGE = {stage: kind for kind, stage in STAGE_AFTER.items()}


# --- the answer -----------------------------------------------------------------------------
class CsvColumn(SQLModel):
    header: str = Field(description="The column's name in the file.")
    field: str | None = Field(description="The field it was read into; null: not read.")


class CsvImportReport(SQLModel):
    """What an import created (or, with `dry_run`, would create)."""

    dry_run: bool = Field(description="True when nothing was written.")
    rows: int = Field(description="Rows of the file (blank rows left out).")
    created: int = Field(description="New applications.")
    outcomes_created: int = Field(
        description="Outcomes recorded for rows whose stage is a decision (rejected, ghosted, "
        "offer, withdrawn, on hold)."
    )
    skipped_duplicates: int = Field(
        description="Rows naming an application the account, or an earlier row, already has."
    )
    invalid_rows: int = Field(description="Rows not imported (`skip_invalid`), see `errors`.")
    errors: list[CsvRowError] = Field(description=f"The first {MAX_ERRORS} errors.")
    more_errors: int = Field(description=f"Errors beyond the first {MAX_ERRORS}.")
    columns: list[CsvColumn] = Field(description="How each column of the file was read.")


# --- duplicates -----------------------------------------------------------------------------
class _Known:
    """The applications a row may repeat: the caller's (looked up per batch) and the rows
    of the file so far."""

    def __init__(self) -> None:
        self.postings: set[str] = set()
        # (company key, role title, applied on) → the posting keys of its applications (a
        # tuple: one holds a single key, mostly, and sets are four times the size)
        self.jobs: dict[tuple[str | None, str, date | None], tuple[str | None, ...]] = {}

    def add(self, url_key: str | None, company: str | None, title: str, day: date | None) -> None:
        if url_key is not None:
            self.postings.add(url_key)
        job = (company, role_key(title), day)
        urls = self.jobs.get(job, ())
        if url_key not in urls:
            self.jobs[job] = (*urls, url_key)

    def holds(self, values: Mapping[str, Any]) -> bool:
        url_key = values["job_url_key"]
        if url_key is not None and url_key in self.postings:
            return True
        job = (values["company_key"], role_key(values["role_title"]), values["applied_on"])
        urls = self.jobs.get(job)
        return urls is not None and (url_key is None or None in urls or url_key in urls)

    async def look_up(self, tx: Executor, caller: Caller, seq: int, rows: list[Parsed]) -> None:
        """Add the caller's applications (live, written before this import) that rows of this
        batch may repeat: those naming their postings, then those of the companies of the
        rows whose posting is new."""
        batch = [parsed.values for parsed in rows if parsed.values is not None]
        postings = {values["job_url_key"] for values in batch} - {None}
        await self._look_up(tx, caller, seq, "job_url_key", postings)
        companies = {values["company_key"] for values in batch if not self.holds(values)}
        await self._look_up(tx, caller, seq, "company_key", companies - {None})

    async def _look_up(
        self, tx: Executor, caller: Caller, seq: int, column: str, keys: set[str]
    ) -> None:
        if not keys:
            return
        size = _bucket(len(keys))
        ordered = sorted(keys)
        values: dict[str, Any] = {"user_id": caller.id, "seq": seq}
        values |= {f"k{i}": ordered[min(i, len(ordered) - 1)] for i in range(size)}
        for row in await tx.rows(_lookup_statement(column, size), values):
            self.add(row["job_url_key"], row["company_key"], row["role_title"], row["applied_on"])


def _bucket(count: int) -> int:
    """How many keys a lookup binds (the last key repeated): a few sizes, so that a few
    statements, each compiled once, serve every batch."""
    return next((size for size in (16, 64, 256) if count <= size), BATCH_ROWS)


@functools.cache
def _lookup_statement(column: str, size: int) -> Select[Any]:
    """The caller's live applications written before this import (`seq`) whose `column` is
    one of the keys bound as `k0…`."""
    c = APPLICATIONS.columns.c
    keys = [bindparam(f"k{i}", type_=c[column].type) for i in range(size)]
    return select(c.job_url_key, c.company_key, c.role_title, c.applied_on).where(
        c.user_id == bindparam("user_id", type_=c.user_id.type),
        c[column].in_(keys),
        c.deleted_at.is_(None),
        c.change_seq < bindparam("seq", type_=c.change_seq.type),
    )


# --- writing --------------------------------------------------------------------------------
_TIMELINE: Table = StageChange.__table__  # type: ignore[attr-defined]
# What an outcome the import records holds besides its kind, day and application.
_OUTCOME_DEFAULTS = OutcomeCreate(
    kind=OutcomeKind.rejection, received_on=date(2026, 1, 1), application_id=uuid.uuid4()
).model_dump(exclude={"id", "kind", "received_on", "application_id"})


@functools.cache
def _insert_statement(table: Table, names: tuple[str, ...], count: int, dialect: str) -> Insert:
    """`count` rows of `names`, bound as `r<i>_<name>`. PostgreSQL: one VALUES list (the
    statement is compiled once, app/core/database.py). SQLite: INSERT … SELECT … UNION ALL, a
    shape SQLAlchemy's statement cache keeps (it compiles a VALUES list for every execution)."""
    rows = [
        {name: bindparam(f"r{i}_{name}", type_=table.c[name].type) for name in names}
        for i in range(count)
    ]
    if dialect == "postgresql":
        return insert(table).values(rows)
    return insert(table).from_select(names, union_all(*(select(*row.values()) for row in rows)))


async def _insert_rows(tx: Executor, table: Table, rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERTs of up to _ROWS_PER_INSERT rows, each shape built (and compiled) once."""
    if not rows:
        return
    names = tuple(rows[0])
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = {f"r{i}_{name}": row[name] for i, row in enumerate(chunk) for name in names}
        await tx.rows(_insert_statement(table, names, len(chunk), tx.dialect), values)


@dataclass
class _Run:
    """One import's transaction and what it has done so far."""

    tx: Executor
    caller: Caller
    options: CsvOptions
    quota: RecordQuota
    seq: int
    now: datetime
    today: date
    report: CsvImportReport
    room_for_all: bool  # the quota has room for every row: no batch is counted
    known: _Known = field(default_factory=_Known)

    @property
    def writing(self) -> bool:
        """Rows are written unless an invalid one already dooms the import."""
        return self.options.skip_invalid or self.report.invalid_rows == 0

    def refuse(self, parsed: Parsed) -> None:
        self.report.invalid_rows += 1
        room = MAX_ERRORS - len(self.report.errors)
        self.report.errors += parsed.errors[:room]
        self.report.more_errors += max(0, len(parsed.errors) - room)

    async def add(self, batch: list[Parsed]) -> None:
        for parsed in batch:
            if parsed.values is None:
                self.refuse(parsed)
        if not self.writing:
            return
        valid = [parsed for parsed in batch if parsed.values is not None]
        await self.known.look_up(self.tx, self.caller, self.seq, valid)
        applications, timeline, outcomes = [], [], []
        for parsed in valid:
            values = parsed.values
            assert values is not None
            if self.known.holds(values):
                self.report.skipped_duplicates += 1
                continue
            self.known.add(
                values["job_url_key"],
                values["company_key"],
                values["role_title"],
                values["applied_on"],
            )
            application_id = uuid.uuid4()
            applications.append({**self._record(application_id), **values})
            timeline.append(self._first_line(application_id, values["stage"]))
            kind = OUTCOME_OF_STAGE.get(values["stage"])
            if kind is not None:
                received_on = parsed.outcome_on or values["applied_on"] or self.today
                outcomes.append(self._outcome(application_id, kind, received_on))
        await self._check_room(applications, outcomes, batch[-1].line)
        await _insert_rows(self.tx, APPLICATIONS.columns, applications)
        await _insert_rows(self.tx, _TIMELINE, timeline)
        await _insert_rows(self.tx, OUTCOMES.columns, outcomes)
        self.report.created += len(applications)
        self.report.outcomes_created += len(outcomes)

    def _record(self, record_id: uuid.UUID) -> dict[str, Any]:
        return {
            "id": record_id,
            "user_id": self.caller.id,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
            "change_seq": self.seq,
        }

    def _first_line(self, application_id: uuid.UUID, stage: str) -> dict[str, Any]:
        """As a created application's timeline starts: its stage, set by the user."""
        return {
            "id": uuid.uuid4(),
            "user_id": self.caller.id,
            "application_id": application_id,
            "from_stage": None,
            "to_stage": stage,
            "changed_at": self.now,
            "cause": StageCause.user.value,
            "outcome_id": None,
        }

    def _outcome(self, application_id: uuid.UUID, kind: str, received_on: date) -> dict[str, Any]:
        values = {**_OUTCOME_DEFAULTS, "kind": kind, "received_on": received_on}
        values = {name: stored(value) for name, value in values.items()}
        return {**self._record(uuid.uuid4()), **values, "application_id": application_id}

    async def _check_room(
        self, applications: list[dict[str, Any]], outcomes: list[dict[str, Any]], line: int
    ) -> None:
        """Near the quota, each batch is counted with what the import wrote before it."""
        if self.room_for_all:
            return
        for table, rows in ((APPLICATIONS.columns, applications), (OUTCOMES.columns, outcomes)):
            try:
                await require_room(
                    self.tx, self.caller.id, {table: len(rows)}, self.quota.limit, in_document=True
                )
            except ProblemError as error:
                if error.slug != QUOTA_EXCEEDED:
                    raise
                what = table.name.replace("_", " ")
                raise ProblemError(
                    422,
                    f"An account holds at most {self.quota.limit} {what}: with the rows up to "
                    f"line {line}, this import would hold more. Nothing was imported.",
                    slug=QUOTA_EXCEEDED,
                ) from None


class _DryRun(Exception):
    """Leaves the transaction of a dry run, which rolls it back, with its report."""

    def __init__(self, report: CsvImportReport) -> None:
        self.report = report


async def import_csv(
    database: Executor,
    caller: Caller,
    file: IO[bytes],
    options: CsvOptions,
    limiter: RateLimiter,
    quota: RecordQuota,
) -> CsvImportReport:
    """Check the file, spend its rows from the import budget, then write its applications in
    one transaction: any invalid row (unless `skip_invalid`) or a dry run undoes it all."""
    layout = await run_in_threadpool(scan, file)
    columns = columns_of(layout.header, options.mapping)
    await limiter.spend_import(caller.id, layout.rows)
    report = CsvImportReport(
        dry_run=options.dry_run,
        rows=layout.rows,
        created=0,
        outcomes_created=0,
        skipped_duplicates=0,
        invalid_rows=0,
        errors=[],
        more_errors=0,
        columns=[CsvColumn(header=echo(c.header), field=c.field) for c in columns],
    )
    try:
        # Planned for the tables as they are now: a bulk write outgrows the statistics the
        # cached plans were made with (a fresh table's make the foreign key checks of the
        # timeline and outcomes read every application of the user's, for each row).
        async with planned_for_these_values(database) as tx:
            seq = await next_change_seq(tx, caller.id)  # first: it serialises this user's writes
            today = datetime.now(await user_zone(tx, caller.id)).date()
            room = await _room_for_all(tx, caller, quota, layout.rows)
            run = _Run(tx, caller, options, quota, seq, utcnow(), today, report, room)
            await _write_batches(run, batches(file, columns, options))
            if report.invalid_rows and not options.skip_invalid:
                raise _invalid(report)
            if options.dry_run:
                raise _DryRun(report)
    except _DryRun as dry:
        return dry.report
    return report


async def _write_batches(run: _Run, rows: Generator[list[Parsed], None, None]) -> None:
    """Each batch, read and checked by a worker thread, then written."""
    try:
        while (batch := await run_in_threadpool(next, rows, None)) is not None:
            await run.add(batch)
    finally:
        rows.close()


async def _room_for_all(tx: Executor, caller: Caller, quota: RecordQuota, rows: int) -> bool:
    """Whether the quota has room for every row as a new application with an outcome: then
    no batch needs counting."""
    adding = {APPLICATIONS.columns: rows, OUTCOMES.columns: rows}
    try:
        await require_room(tx, caller.id, adding, quota.limit)
    except ProblemError as error:
        if error.slug != QUOTA_EXCEEDED:
            raise
        return False
    return True


def _invalid(report: CsvImportReport) -> CsvRefused:
    first = report.errors[0]
    where = f"line {first.line}" + (f", column {first.column}" if first.column else "")
    count = report.invalid_rows
    rows = "1 row" if count == 1 else f"{count} rows"
    return refused(
        f"{rows} of the file cannot be imported, the first at {where}: "
        f"{continue_sentence(first.message)} Nothing was imported: fix them, or send "
        "`skip_invalid=true` to import the other rows.",
        report.errors,
        more_errors=report.more_errors,
        invalid_rows=count,
    )
