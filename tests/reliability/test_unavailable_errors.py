"""Which errors mean "the database cannot serve now" (503) and which are bugs (500)."""

import sqlite3

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.unavailable import DatabaseUnreachable, database_unavailable


class PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def sqlite_error(code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("x")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(DatabaseUnreachable("ConnectionRefusedError"), id="connect-refused"),
        pytest.param(PoolTimeout("pool exhausted"), id="pool-timeout"),
        pytest.param(OperationalError("s", {}, PostgresError("08006")), id="pg-connection-failure"),
        pytest.param(OperationalError("s", {}, PostgresError("57P01")), id="pg-admin-shutdown"),
        pytest.param(OperationalError("s", {}, PostgresError("57P03")), id="pg-starting-up"),
        pytest.param(OperationalError("s", {}, PostgresError("53300")), id="pg-too-many-clients"),
        pytest.param(OperationalError("s", {}, sqlite_error(5)), id="sqlite-busy"),
        pytest.param(OperationalError("s", {}, sqlite_error(517)), id="sqlite-busy-snapshot"),
        pytest.param(OperationalError("s", {}, sqlite_error(6)), id="sqlite-locked"),
        pytest.param(
            DBAPIError("s", {}, Exception("closed"), connection_invalidated=True),
            id="disconnect",
        ),
    ],
)
def test_an_outage_is_recognised(error: BaseException) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(IntegrityError("s", {}, PostgresError("23505")), id="pg-unique-violation"),
        pytest.param(ProgrammingError("s", {}, PostgresError("42P01")), id="pg-undefined-table"),
        pytest.param(OperationalError("s", {}, sqlite_error(1)), id="sqlite-no-such-table"),
        pytest.param(RuntimeError("bug"), id="a-bug"),
        pytest.param(OSError("not the database"), id="os-error-outside-connect"),
    ],
)
def test_a_bug_is_not_taken_for_an_outage(error: BaseException) -> None:
    assert not database_unavailable(error)
