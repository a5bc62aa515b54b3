"""SQLite renders each row as the API's JSON itself: json_object runs in C inside the process,
which costs less than handing each column to Python (through the driver's thread and
SQLAlchemy's type conversions) to be serialised there. PostgreSQL does the opposite: there
the database's JSON functions cost more CPU than the columns (see Resource._item_columns).

Each value is shaped exactly as the API shows it: UUIDs with dashes, RFC 3339 UTC with `Z`
(no fraction when it is zero), dates as YYYY-MM-DD, booleans and JSON lists as JSON.
"""

from typing import Any

from sqlalchemy import JSON, Boolean, ColumnElement, Date, DateTime, Text, Uuid, case, func
from sqlalchemy import literal_column as sql
from sqlalchemy.types import TypeDecorator

_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def _kind(column: Any) -> type:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    for kind in (Uuid, DateTime, Date, Boolean, JSON):
        if isinstance(column_type, kind):
            return kind
    return Text


def _value(column: Any) -> ColumnElement[Any]:
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


def sqlite_row_json(table: Any, names: list[str]) -> ColumnElement[str]:
    """One JSON object per row with `names` as keys, built by SQLite."""
    pairs: list[Any] = []
    for name in names:
        pairs += [sql(f"'{name}'"), _value(getattr(table, name))]
    return func.json_object(*pairs)
