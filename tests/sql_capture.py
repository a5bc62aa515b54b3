"""Every SQL statement the app runs, whichever way it runs: through the SQLAlchemy engine
(ORM sessions, Core connections, SQLite reads) or through asyncpg's pool
(app/core/database.py), with its driver-level parameters."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def captured(app: Any) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def from_engine(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    def from_reader(statement: str, parameters: Any) -> None:
        statements.append((statement, parameters))

    engine = app.state.engine.sync_engine
    listeners = getattr(app.state.database, "listeners", [])
    event.listen(engine, "before_cursor_execute", from_engine)
    listeners.append(from_reader)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", from_engine)
        listeners.remove(from_reader)
