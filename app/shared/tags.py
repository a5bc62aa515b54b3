"""Membership in a JSON list of strings, on SQLite (json_each) and PostgreSQL (jsonb @>)."""

from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement as _Element
from sqlalchemy.types import Boolean


class _HasTag(_Element[bool]):
    inherit_cache = False  # the tag is part of the SQL text built per query
    type = Boolean()

    def __init__(self, column: Any, tag: str) -> None:
        self.column = column
        self.tag = tag


@compiles(_HasTag, "postgresql")
def _has_tag_postgresql(element: _HasTag, compiler: Any, **kw: Any) -> str:
    contains = element.column.op("@>")(type_coerce([element.tag], JSONB))
    return str(compiler.process(contains, **kw))


@compiles(_HasTag)
def _has_tag_sqlite(element: _HasTag, compiler: Any, **kw: Any) -> str:
    values = func.json_each(element.column).table_valued("value")
    clause = exists(select(literal_column("1")).select_from(values).where(values.c.value == element.tag))
    return str(compiler.process(clause, **kw))


def has_tag(column: Any, tag: str) -> ColumnElement[bool]:
    return _HasTag(column, tag)
