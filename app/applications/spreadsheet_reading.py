"""What an uploaded CSV of applications says: the options it is read with, its encoding and
delimiter, which field each column holds, and its rows, each checked as POST /v1/applications
checks a body. Nothing here writes; spreadsheet_import.py does.

The body is spooled to a temporary file (in memory up to 1 MB) and read through an
incremental UTF-8 decoder and the `csv` module, a batch of rows at a time: memory does not
grow with the file. Errors name the line and the column's header, never a cell's contents.
"""

import codecs
import csv
import email.message
import io
import itertools
import json
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import orjson
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import Field, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.applications.models import APPLICATIONS, ApplicationCreate
from app.applications.spreadsheet_cells import (
    FIELDS,
    CellError,
    check_date_format,
    header_field,
    plain,
    read_currency,
    read_date,
    read_interest,
    read_money,
    read_salary,
    read_source,
    read_stage,
    read_tags,
    read_url,
    read_work_mode,
)
from app.core.errors import (
    PROBLEM_JSON,
    FieldError,
    ProblemError,
    continue_sentence,
    field_errors,
    media_type,
    problem_response,
)
from app.shared.fields import Day
from app.shared.repository import stored

IN_MEMORY_BYTES = 1024 * 1024  # larger bodies are spooled to disk
BATCH_ROWS = 500  # rows checked, looked up and written together
_ECHOED_HEADERS, _ECHOED_HEADER_CHARS = 100, 100
# What the export puts a quote before (spreadsheet_export.py): the import takes it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_DAY: TypeAdapter[date] = TypeAdapter(Day)


# --- the answer -----------------------------------------------------------------------------
class CsvRowError(FieldError):
    """A cell (or a row) that cannot be imported."""

    line: int = Field(
        description="The CSV line the row starts on (1: the header, unless a `sep=` line is "
        "first); a row whose cells hold line breaks spans several lines."
    )
    column: str | None = Field(
        description="The CSV header of the bad cell; null when no cell is to blame."
    )


class CsvRefused(ProblemError):
    """A refusal with extension members (RFC 9457 §3.2) beside the problem's own."""

    def __init__(self, status: int, detail: str, extensions: Mapping[str, Any], **kw: Any):
        super().__init__(status, detail, **kw)
        self.extensions = dict(extensions)

    def response(self, instance: str) -> JSONResponse:
        plain_problem = problem_response(
            self.status, self.detail, slug=self.slug, instance=instance, errors=self.errors
        )
        body = {**orjson.loads(plain_problem.body), **self.extensions}
        return JSONResponse(body, self.status, headers=self.headers, media_type=PROBLEM_JSON)


# --- the request ----------------------------------------------------------------------------
@dataclass(frozen=True)
class CsvOptions:
    dry_run: bool
    skip_invalid: bool
    mapping: Mapping[str, str | None]  # CSV header → field (None: not read)
    date_format: str | None


def _query_error(name: str, detail: str, message: str, code: str) -> ProblemError:
    return ProblemError(
        422,
        detail,
        slug="validation-error",
        errors=[FieldError(field=f"query.{name}", message=message, code=code)],
    )


def read_options(
    *, dry_run: bool, skip_invalid: bool, mapping: str | None, date_format: str | None
) -> CsvOptions:
    """The query's options, or 422 naming the one that is wrong."""
    columns: dict[str, str | None] = {}
    if mapping:
        try:
            columns = json.loads(mapping)
        except ValueError:
            columns = None  # type: ignore[assignment]
        if not isinstance(columns, dict) or not all(
            isinstance(value, str | None) for value in columns.values()
        ):
            raise _query_error(
                "mapping",
                '`mapping` is not a JSON object of column names and fields, e.g. {"Firma": '
                '"company"}: send one.',
                "Not a JSON object of strings.",
                "not_a_mapping",
            )
        unknown = sorted(value for value in columns.values() if value and value not in FIELDS)
        if unknown:
            raise _query_error(
                "mapping",
                f"`mapping` names fields applications do not have: {', '.join(unknown)[:200]}. "
                f"Map columns to {', '.join(FIELDS)}, or to null to leave them out.",
                "Unknown field.",
                "unknown_field",
            )
    if date_format and not check_date_format(date_format):  # empty: not given
        raise _query_error(
            "date_format",
            "`date_format` is not a strptime pattern with a day, a month and a year: send one "
            "like %d.%m.%Y or %m/%d/%Y.",
            "Not a date pattern.",
            "not_a_date_pattern",
        )
    return CsvOptions(dry_run, skip_invalid, columns, date_format)


def require_csv(content_type: str | None) -> None:
    """415 unless the body is declared as UTF-8 CSV (a charset other than UTF-8 included)."""
    if not content_type:
        said = "The body was sent without a `Content-Type` header"
    else:
        message = email.message.Message()
        message["content-type"] = content_type
        sent = message.get_content_type()
        charset = str(message.get_param("charset") or "utf-8").lower()
        if sent == "text/csv" and charset in ("utf-8", "utf8", "us-ascii"):
            return
        said = f"The body was sent as `{sent}`" + (
            f" in `{charset[:40]}`" if sent == "text/csv" else ""
        )
    raise ProblemError(
        415,
        f"{said}; this operation reads a CSV file encoded as UTF-8, with `Content-Type: "
        'text/csv` (spreadsheets save it as "CSV UTF-8"), or as the `file` part of a '
        "`multipart/form-data` form. Send it again one of those ways.",
    )


@asynccontextmanager
async def spooled(chunks: AsyncIterator[bytes]) -> AsyncIterator[IO[bytes]]:
    """The body in a temporary file, in memory up to IN_MEMORY_BYTES, deleted afterwards."""
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as file:
        async for chunk in chunks:
            file.write(chunk)
        yield file


def _only_a_file() -> ProblemError:
    return ProblemError(
        422,
        "The form must hold one part, a file named `file`: send the CSV file that way, or as "
        "the whole body with `Content-Type: text/csv`.",
        slug="validation-error",
        errors=[FieldError(field="body.file", message="One file, named `file`.", code="missing")],
    )


@asynccontextmanager
async def csv_file(request: Request) -> AsyncIterator[IO[bytes]]:
    """The CSV file a request carries, spooled: its body (`text/csv`), or the part named
    `file` of a form (`multipart/form-data`: how Swagger UI and generated clients upload a
    file; Starlette spools the part the same way)."""
    content_type = request.headers.get("content-type")
    if content_type and media_type(content_type) == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=0)
        except StarletteHTTPException:  # another part than one file, or no form at all
            raise _only_a_file() from None
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or len(form) != 1:
                raise _only_a_file()
            yield upload.file
        finally:
            await form.close()
        return
    require_csv(content_type)
    async with spooled(request.stream()) as file:
        yield file


# --- reading the file -------------------------------------------------------------------------
class _Sheet:
    """The file's records, each with the line it starts on; the delimiter is the one its
    header line uses most (comma, semicolon or tab), or the one Excel's `sep=` line names."""

    def __init__(self, file: IO[bytes]) -> None:
        file.seek(0)
        self._text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        first, self._offset = self._text.readline(), 0
        hint = re.fullmatch(r"sep=(.)\r?\n?", first)
        if hint is not None:
            first, self._offset = self._text.readline(), 1
        self.delimiter = hint[1] if hint is not None else _sniff(first)
        lines = itertools.chain([first] if first else [], self._text)
        self._reader = csv.reader(lines, delimiter=self.delimiter)
        self.line = self._offset  # the last line read

    def next_record(self) -> tuple[int, list[str]] | None:
        record = next(self._reader, None)
        if record is None:
            return None
        start, self.line = self.line + 1, self._offset + self._reader.line_num
        return start, record

    def header(self) -> tuple[int, list[str]] | None:
        """The first record that is not blank."""
        while (record := self.next_record()) is not None and not _filled(record[1]):
            pass
        return record

    def close(self) -> None:
        self._text.detach()  # the file is the caller's to close


def _sniff(line: str) -> str:
    outside_quotes = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: outside_quotes.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


@dataclass(frozen=True)
class Layout:
    header: list[str]
    rows: int


def scan(file: IO[bytes]) -> Layout:
    """The header and the count of rows, or 422 for a file that is not UTF-8 CSV."""
    sheet: _Sheet | None = None
    try:
        sheet = _Sheet(file)
        header = sheet.header()
        if header is None:
            raise refused("The file is empty: send a header line, then one row per application.")
        rows = 0
        while (record := sheet.next_record()) is not None:
            rows += _filled(record[1])
        return Layout(header[1], rows)
    except UnicodeDecodeError:
        raise _not_utf8(file) from None
    except csv.Error as error:
        raise _unreadable(sheet.line + 1 if sheet else 1, str(error)) from None
    finally:
        if sheet is not None:
            sheet.close()


# What a file holds, which no JSON Schema states: bytes that are not UTF-8, no header, no
# company or role column, rows that are not applications.
INVALID_CSV = "invalid-csv"


def refused(detail: str, errors: list[CsvRowError] | None = None, **extensions: Any) -> CsvRefused:
    return CsvRefused(422, detail, extensions, slug=INVALID_CSV, errors=errors or [])


def _not_utf8(file: IO[bytes]) -> CsvRefused:
    """Where the first byte that is not UTF-8 is: its offset and line, never the bytes."""
    file.seek(0)
    head = file.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        return refused(
            'The file is UTF-16 text (Excel\'s "Unicode Text"): save it as "CSV UTF-8" and '
            "send it again.",
            [_row_error(1, None, None, "The file is UTF-16, not UTF-8.", "encoding")],
        )
    bad, line = _first_bad_byte(file)
    return refused(
        f"The file is not UTF-8 text: the byte at offset {bad} (line {line}) is not valid "
        'UTF-8. Save the file as "CSV UTF-8" and send it again.',
        [_row_error(line, None, None, f"Byte {bad} is not valid UTF-8.", "encoding")],
    )


def _first_bad_byte(file: IO[bytes]) -> tuple[int, int]:
    """The offset of the first byte that is not UTF-8, and its line (1-based)."""
    file.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1
    while True:
        chunk = file.read(64 * 1024)
        pending = len(utf8.getstate()[0])  # the start of a character cut by the last chunk
        try:
            utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            return offset - pending + error.start, line + error.object[: error.start].count(b"\n")
        if not chunk:
            return offset, line  # not reached: the file holds such a byte
        offset += len(chunk)
        line += chunk.count(b"\n")


def _unreadable(line: int, reason: str) -> CsvRefused:
    if "field larger" in reason:
        message = f"A cell holds more than {csv.field_size_limit()} characters."
    elif "NUL" in reason:
        message = "The line holds a NUL character: the file may not be text."
    else:
        message = "The line is not valid CSV (check its quotes)."
    return refused(
        f"The file cannot be read as CSV at line {line}: {continue_sentence(message)}",
        [_row_error(line, None, None, message, "csv_invalid")],
    )


def _row_error(
    line: int, column: str | None, field: str | None, message: str, code: str
) -> CsvRowError:
    where = f"body.line.{line}" + (f".{field}" if field else "")
    return CsvRowError(field=where, message=message, code=code, line=line, column=column)


# --- columns --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str | None


def echo(header: str) -> str:
    return header[:_ECHOED_HEADER_CHARS]


def columns_of(header: list[str], mapping: Mapping[str, str | None]) -> list[Column]:
    """The field each column is read into: `mapping`'s, else the one its name means. Of two
    columns meaning one field, the more telling name is read (the first, when equal)."""
    by_plain = {plain(name): target for name, target in mapping.items()}
    unmatched = set(mapping)
    chosen: dict[str, tuple[int, int]] = {}  # field → (rank, index)
    for index, name in enumerate(header):
        if name in mapping or plain(name) in by_plain:
            target = mapping[name] if name in mapping else by_plain[plain(name)]
            unmatched -= {key for key in mapping if key == name or plain(key) == plain(name)}
            known = None if target is None else (target, -1)
        else:
            known = header_field(name)
        if known is not None and (known[0] not in chosen or known[1] < chosen[known[0]][0]):
            chosen[known[0]] = (known[1], index)
    if unmatched:
        names = ", ".join(sorted(echo(name) for name in unmatched))[:300]
        raise _query_error(
            "mapping",
            f"`mapping` names columns the file does not have: {names}.",
            "No such column.",
            "unknown_column",
        )
    fields = {index: name for name, (_, index) in chosen.items()}
    columns = [Column(index, name, fields.get(index)) for index, name in enumerate(header)]
    missing = [name for name in ("company", "role_title") if name not in chosen]
    if missing:
        raise refused(
            "No column of the file says "
            + " and ".join({"company": "the company", "role_title": "the role"}[m] for m in missing)
            + ": name the columns Company and Job Title (or Firma, Poste, Empresa …), or send "
            '`mapping`, e.g. {"Arbeitgeber": "company"}.',
            found_headers=[echo(name) for name in header[:_ECHOED_HEADERS]],
            understood_headers={echo(c.header): c.field for c in columns if c.field},
            missing_fields=missing,
        )
    return columns


# --- rows -----------------------------------------------------------------------------------
@dataclass
class Parsed:
    line: int
    values: dict[str, Any] | None  # the columns to store (with the derived ones); None: invalid
    errors: list[CsvRowError] = field(default_factory=list)
    outcome_on: date | None = None


def restored(cell: str) -> str:
    """A cell without the quote the export put before a formula-like value."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return cell[1:]
    return cell


def _parse(line: int, cells: list[str], columns: list[Column], options: CsvOptions) -> Parsed:
    """A row as POST /v1/applications would take it, checked as it checks a body."""
    values: dict[str, Any] = {}
    header_of: dict[str, str] = {}
    errors: list[CsvRowError] = []
    salary: tuple[int, int, str | None] | None = None
    outcome_on: date | None = None
    for column in columns:
        cell = restored(cells[column.index]).strip() if column.index < len(cells) else ""
        name = column.field
        if name is None or not cell:
            continue
        header_of[name] = column.header
        try:
            if name == "salary":
                salary = read_salary(cell)
            elif name == "outcome_date":
                outcome_on = _DAY.validate_python(read_date(cell, options.date_format))
            else:
                value = _READERS.get(name, _text)(cell, options)
                if value is not None:
                    values[name] = value
        except CellError as error:
            errors.append(_row_error(line, column.header, name, str(error), "invalid"))
        except ValidationError as error:
            message = field_errors(error.errors())[0].message
            errors.append(_row_error(line, column.header, name, message, "invalid"))
    if salary is not None:
        for name, value in zip(("salary_min", "salary_max", "currency"), salary, strict=True):
            if value is not None and name not in values:
                values[name] = value
                header_of.setdefault(name, header_of["salary"])
    try:
        body = ApplicationCreate.model_validate(values)
    except ValidationError as invalid:
        for problem in field_errors(invalid.errors()):
            # A rule of the whole body (salary_min ≤ salary_max) is the minimum's to break.
            name = problem.field.split(".", 1)[0] or "salary_min"
            header = header_of.get(name) or _header_of_field(columns, name)
            errors.append(_row_error(line, header, name, problem.message, problem.code))
        return Parsed(line, None, errors)
    if errors:
        return Parsed(line, None, errors)
    row = {name: stored(value) for name, value in body.model_dump(exclude={"id"}).items()}
    return Parsed(line, APPLICATIONS.with_derived(row), outcome_on=outcome_on)


def _header_of_field(columns: list[Column], name: str) -> str | None:
    return next((column.header for column in columns if column.field == name), None)


def _text(cell: str, _options: CsvOptions) -> str:
    return cell


_READERS: dict[str, Callable[[str, CsvOptions], Any]] = {
    "job_url": lambda cell, _: read_url(cell),
    "stage": lambda cell, _: read_stage(cell),
    "source": lambda cell, _: read_source(cell),
    "work_mode": lambda cell, _: read_work_mode(cell),
    "applied_on": lambda cell, options: read_date(cell, options.date_format),
    "salary_min": lambda cell, _: read_money(cell),
    "salary_max": lambda cell, _: read_money(cell),
    "currency": lambda cell, _: read_currency(cell),
    "interest": lambda cell, _: read_interest(cell),
    "tags": lambda cell, _: read_tags(cell),
}


def batches(
    file: IO[bytes], columns: list[Column], options: CsvOptions
) -> Generator[list[Parsed], None, None]:
    """The file's rows after the header, parsed, BATCH_ROWS at a time (blank rows left out)."""
    sheet = _Sheet(file)
    try:
        sheet.header()
        batch: list[Parsed] = []
        while (record := sheet.next_record()) is not None:
            if _filled(record[1]):
                batch.append(_parse(*record, columns, options))
            if len(batch) == BATCH_ROWS:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        sheet.close()
