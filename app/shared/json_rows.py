"""Rows rendered as JSON by the database: a list page is then joined, not re-serialised.

Each value is shaped exactly as the API shows it (UUIDs with dashes, RFC 3339 UTC with `Z`,
dates as YYYY-MM-DD, JSON lists as JSON), on PostgreSQL and on SQLite alike.
"""

from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, Date, DateTime, Text, Uuid, case, func
from sqlalchemy import literal_column as sql
from sqlalchemy.types import TypeDecorator


def _kind(column: Any) -> type:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    for kind in (Uuid, DateTime, Date, Boolean, JSON):
        if isinstance(column_type, kind):
            return kind
    return Text


def _postgresql_value(column: Any) -> ColumnElement[Any]:
    if _kind(column) is DateTime:  # as pydantic writes it: no fraction when it is zero
        utc = column.op("AT TIME ZONE")(sql("'UTC'"))
        text = func.to_char(utc, sql("""'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'"""))
        return func.regexp_replace(text, sql(r"'\.000000Z$'"), sql("'Z'"))
    return column  # json_build_object renders the rest as the API shows it


def _sqlite_value(column: Any) -> ColumnElement[Any]:
    kind = _kind(column)
    if kind is Uuid:  # stored as 32 hex digits
        parts = [func.substr(column, start, length) for start, length in _UUID_PARTS]
        dashed: Any = parts[0]
        for part in parts[1:]:
            dashed = dashed.op("||")("-").op("||")(part)
        return dashed
    if kind is DateTime:  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        whole = case(
            (func.substr(column, 20) == ".000000", func.substr(column, 1, 19)), else_=column
        )
        return func.replace(whole, " ", "T").op("||")("Z")
    if kind is Boolean:
        return case((column.is_(None), None), (column, func.json("true")), else_=func.json("false"))
    if kind is JSON:
        return func.json(column)
    return column


_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def row_json(table: Any, names: list[str], dialect: str) -> ColumnElement[str]:
    """One JSON object per row with `names` as keys, built by the database."""
    pairs: list[Any] = []
    for name in names:
        column = getattr(table, name)
        value = _postgresql_value(column) if dialect == "postgresql" else _sqlite_value(column)
        pairs += [sql(f"'{name}'"), value]
    if dialect == "postgresql":
        return func.json_build_object(*pairs).cast(Text)
    return func.json_object(*pairs)
