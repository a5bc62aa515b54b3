"""GET /v1/applications/export.csv: the caller's live applications as a CSV file, written a
page at a time (keyset pages, as lists are read) while it is sent, never whole in memory.

The columns are the fields the CSV import reads back (spreadsheet_cells.EXPORT_HEADERS), so a
file exported from one account and imported into another gives the same applications; with
`with_history`, a History column lists each application's stage changes with their days (in
the user's time zone), for whoever must show when they applied where. UTF-8 without a byte
order mark, comma-separated, CRLF line ends (RFC 4180). A cell that a spreadsheet would run
as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return) is written after
a `'`, which the import takes off again.
"""

import csv
import functools
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, String, bindparam, func, select
from starlette.responses import StreamingResponse

from app.applications.models import APPLICATIONS, StageChange
from app.applications.spreadsheet_cells import EXPORT_HEADERS
from app.applications.spreadsheet_reading import FORMULA_TRIGGERS
from app.core.database import Executor, Row, one_of
from app.core.identity import Caller
from app.outcomes.models import OUTCOMES
from app.shared.pagination import apply_keyset
from app.shared.periods import require_ordered
from app.users.service import user_zone

PAGE_ROWS = 500
HISTORY_HEADER = "History"
FILENAME = "applications.csv"
# The application's own columns; "Outcome date" is its latest live outcome's.
_STORED = tuple(name for name in EXPORT_HEADERS if name != "outcome_date")


class CsvStream(StreamingResponse):
    """A CSV file sent as it is written (Starlette adds `charset=utf-8`)."""

    media_type = "text/csv"


@dataclass(frozen=True)
class ExportFilters:
    stage: str | None
    start: date | None  # applied on or after (inclusive)
    end: date | None  # applied on or before (inclusive)
    with_history: bool

    def __post_init__(self) -> None:
        require_ordered(self.start, self.end)


def guarded(text: str) -> str:
    """The text as a spreadsheet shows it but never runs it: a `'` before what would start a
    formula (before a `'` that precedes one too, so the import's undoing is exact)."""
    return f"'{text}" if text.lstrip("'")[:1] in FORMULA_TRIGGERS else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return guarded(", ".join(value))
    return guarded(str(value))


@functools.cache
def _page_statement(stage: bool, start: bool, end: bool, after: bool) -> Select[Any]:
    """A page of the caller's live applications by applied date (undated first), then id."""
    c = APPLICATIONS.columns.c
    keys = APPLICATIONS.sort_keys("applied_on")
    query = select(
        c.id,
        *(c[name] for name in _STORED),
        *(key.expression.label(f"_k{i}") for i, key in enumerate(keys)),
    ).where(c.user_id == bindparam("user_id"), c.deleted_at.is_(None))
    if stage:
        query = query.where(c.stage == bindparam("stage", type_=String()))
    if start:
        query = query.where(c.applied_on >= bindparam("start", type_=Date()))
    if end:
        query = query.where(c.applied_on <= bindparam("end", type_=Date()))
    return apply_keyset(query, keys, c.id, after)


async def _page(
    database: Executor, caller: Caller, filters: ExportFilters, after: Row | None
) -> Sequence[Row]:
    statement = _page_statement(
        filters.stage is not None,
        filters.start is not None,
        filters.end is not None,
        after is not None,
    )
    values: dict[str, Any] = {"user_id": caller.id, "limit": PAGE_ROWS}
    values |= {"stage": filters.stage, "start": filters.start, "end": filters.end}
    if after is not None:
        values |= {"k0": after["_k0"], "k1": after["id"]}
    return await database.rows(statement, values)


async def _outcome_dates(
    database: Executor, caller: Caller, ids: list[Any]
) -> dict[Any, date | None]:
    """Each application's latest live outcome's day."""
    o = OUTCOMES.columns.c
    rows = await database.rows(
        select(o.application_id, func.max(o.received_on))
        .where(o.user_id == caller.id, o.deleted_at.is_(None), one_of(o.application_id, ids))
        .group_by(o.application_id)
    )
    return {row[0]: row[1] for row in rows}


async def _histories(
    database: Executor, caller: Caller, ids: list[Any], zone: ZoneInfo
) -> dict[Any, str]:
    """Each application's stage changes, oldest first: "2026-10-01 applied; 2026-10-14 …"."""
    t = StageChange.__table__.c  # type: ignore[attr-defined]
    rows = await database.rows(
        select(t.application_id, t.to_stage, t.changed_at)
        .where(t.user_id == caller.id, one_of(t.application_id, ids))
        .order_by(t.application_id, t.changed_at, t.id)
    )
    steps: dict[Any, list[str]] = {}
    for application_id, stage, changed_at in rows:
        day = changed_at.astimezone(zone).date().isoformat()
        steps.setdefault(application_id, []).append(f"{day} {stage}")
    return {application_id: "; ".join(lines) for application_id, lines in steps.items()}


def _lines(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


async def _render(
    database: Executor, caller: Caller, page: Sequence[Row], zone: ZoneInfo | None
) -> str:
    ids = [row["id"] for row in page]
    decided = await _outcome_dates(database, caller, ids)
    histories = await _histories(database, caller, ids, zone) if zone is not None else None
    lines = []
    for row in page:
        cells = [_cell(row[name]) for name in _STORED]
        cells.append(_cell(decided.get(row["id"])))
        if histories is not None:
            cells.append(histories.get(row["id"], ""))
        lines.append(cells)
    return _lines(lines)


async def export_csv(
    database: Executor, caller: Caller, filters: ExportFilters
) -> AsyncIterator[str]:
    """The file's text, a page at a time. The first page is read before this returns, so that
    an error there is still an error response, not a cut file."""
    zone = await user_zone(database, caller.id) if filters.with_history else None
    first = await _page(database, caller, filters, None)

    async def pages() -> AsyncIterator[str]:
        headers = [EXPORT_HEADERS[name] for name in (*_STORED, "outcome_date")]
        yield _lines([headers + ([HISTORY_HEADER] if zone is not None else [])])
        page = first
        while page:
            yield await _render(database, caller, page, zone)
            if len(page) < PAGE_ROWS:
                return
            page = await _page(database, caller, filters, page[-1])

    return pages()
