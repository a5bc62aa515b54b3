"""Case-insensitive substring search with LIKE; `%`, `_` and `\\` in the query match
themselves, never as wildcards."""

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_


def matches_substring(columns: list[Any], param: str) -> ColumnElement[bool]:
    """One of `columns` contains the pattern bound as `param` (see `substring_pattern`)."""
    pattern: Any = bindparam(param)
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


def substring_pattern(text: str) -> str:
    """The LIKE pattern for `text` anywhere, lower-cased, its wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
