"""Keyset pagination with opaque cursors, for plain lists and for delta sync."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from fastapi import Response
from pydantic import BaseModel, Field, create_model, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, Select, bindparam, tuple_

from app.shared.sync import decode_token, encode_token, invalid_token, parse_seq

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class PageParams(BaseModel):
    """Query parameters every paged answer accepts."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="`next_cursor` of the previous page (left out for the first page).",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """Filters reach the database as text, which cannot hold U+0000 in PostgreSQL."""
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("nul_character", "Text cannot contain the character U+0000.")
        return value


class ListParams(PageParams):
    """Query parameters every list of records accepts."""

    updated_since: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Delta sync: a `sync_token` from an earlier list response (or an RFC 3339 "
            "timestamp, its `+` percent-encoded as `%2B`). Returns what changed since, "
            "tombstones included, in change order."
        ),
    )


@dataclass(frozen=True)
class SortKey:
    """One way to order a list: an expression (ascending or not) and how to read it back."""

    expression: ColumnElement[Any]
    descending: bool
    parse: Callable[[object], Any]  # a value read from a cursor, or TypeError/ValueError


# Readers of a cursor's values: each takes whatever JSON the client sent back and returns a
# value the database accepts, or raises (a 422): a cursor is the client's input like any other.
MAX_TEXT_KEY = 1000


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not text")
    return value


def parse_datetime(value: object) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("naive timestamp in a cursor")
    return moment.astimezone(UTC)  # OverflowError at the ends of the calendar


def parse_date(value: object) -> date:
    return date.fromisoformat(_text(value))


def parse_text(value: object) -> str:
    """Text as PostgreSQL can hold it (no U+0000), no longer than any sort key."""
    text = _text(value)
    if "\x00" in text or len(text) > MAX_TEXT_KEY:
        raise ValueError("not a text key")
    return text


def parse_id(value: object) -> uuid.UUID:
    return uuid.UUID(_text(value))


def page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    """`{items, next_cursor, sync_token}` named for the resource, for client generators."""
    return create_model(
        name,
        __doc__=f"A page of {item.__name__} records.",
        items=(list[item], ...),  # type: ignore[valid-type]
        next_cursor=(
            str | None,
            Field(description="Pass as `cursor` for the next page; null on the last page."),
        ),
        sync_token=(
            str,
            Field(
                description="Once `next_cursor` is null, pass as `updated_since` to get only "
                "what changed since this list was read."
            ),
        ),
    )


@dataclass(frozen=True)
class Position:
    """Where a walk through a list stands: the watermark it started at and the last key."""

    watermark: int | None  # None on a first page: the list's own snapshot sets it
    values: list[Any] | None


def read_cursor(cursor: str | None, mode: str, keys: Sequence[SortKey]) -> Position:
    if cursor is None:
        return Position(None, None)
    payload = decode_token(cursor, "cursor")
    values = payload.get("v")
    if payload.get("m") != mode or not isinstance(values, list) or len(values) != len(keys) + 1:
        raise invalid_token(
            "cursor",
            "This cursor belongs to another query: send it with the same filters, `sort` and "
            "`updated_since` as the request whose `next_cursor` it was.",
        )
    try:
        started = parse_seq(payload.get("w"))
        parsed = [key.parse(value) for key, value in zip(keys, values, strict=False)]
        parsed.append(parse_id(values[-1]))
    except (TypeError, ValueError, OverflowError):
        raise invalid_token("cursor") from None
    return Position(started, parsed)


def apply_keyset(
    query: Select[Any], keys: Sequence[SortKey], id_column: Any, after_cursor: bool
) -> Select[Any]:
    """Order by the keys then id; with a cursor, continue strictly after the bound key values
    `k0…kN` (the id last); fetch `limit` rows (one more than the page, to know if one follows)."""
    descending = keys[0].descending if keys else False
    columns = [key.expression for key in keys] + [id_column]
    if after_cursor:
        bound = tuple_(*(bindparam(f"k{i}", type_=column.type) for i, column in enumerate(columns)))
        after = tuple_(*columns)
        query = query.where(after < bound if descending else after > bound)
    order = [column.desc() if descending else column.asc() for column in columns]
    return query.order_by(*order).limit(bindparam("limit"))


def next_cursor(
    rows: Sequence[Any], limit: int, mode: str, watermark: int, key_count: int
) -> str | None:
    """The cursor after the page's last row, whose key values are labelled `_k0…`."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    keys, record_id = [last[f"_k{i}"] for i in range(key_count)], last["id"]
    return encode_token(
        {"m": mode, "w": watermark, "v": [*(_plain(v) for v in keys), str(record_id)]}
    )


def json_response(
    content: Any, headers: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    """Serialise rows read from the database in one call: the values come from the columns
    the API shows (validated when they were written), so there is nothing to validate on the
    way out. Datetimes are written as the API writes them (UTC, `Z`)."""
    body = orjson.dumps(content, default=_uuid_text, option=orjson.OPT_UTC_Z)
    return Response(body, status_code, headers, "application/json")


def _uuid_text(value: Any) -> str:
    """asyncpg reads UUIDs as a subclass of uuid.UUID that orjson does not know."""
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value
