"""Membership in a JSON list of strings, bound as `f_tag`: jsonb `@>` on PostgreSQL,
json_each on SQLite."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB


def has_tag(column: Any, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return column.op("@>")(bindparam("f_tag", type_=JSONB))
    values = func.json_each(column).table_valued("value")
    return exists(
        select(literal_column("1")).select_from(values).where(values.c.value == bindparam("f_tag"))
    )


def tag_value(tag: str, dialect: str) -> Any:
    """What `f_tag` is bound to: a one-element JSON list for containment, else the tag."""
    return [tag] if dialect == "postgresql" else tag
