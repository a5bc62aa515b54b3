"""Membership in a JSON list of strings (tags, linked ids), bound under a parameter name:
jsonb `@>` on PostgreSQL, json_each on SQLite."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB


def list_contains(column: Any, param: str, dialect: str) -> ColumnElement[bool]:
    """`column` (a JSON list of strings) holds the value bound as `param`."""
    if dialect == "postgresql":
        return column.op("@>")(bindparam(param, type_=JSONB))
    values = func.json_each(column).table_valued("value")
    return exists(
        select(literal_column("1")).select_from(values).where(values.c.value == bindparam(param))
    )


def member_value(item: str, dialect: str) -> Any:
    """What the parameter of `list_contains` is bound to: a one-element list for jsonb
    containment, else the item itself."""
    return [item] if dialect == "postgresql" else item
