"""The read path (app/core/database.py) hands the serialiser the values the ORM would: on
PostgreSQL it asks for timestamps and dates as text, and reads them back into the same aware
UTC datetimes and dates, whatever their fraction of a second."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Date, bindparam, select

from app.core.db import UTCDateTime
from tests.helpers import register
from tests.resources.factories import create_application, create_interview

MOMENTS = [
    datetime(2026, 11, 30, 23, 5, 28, tzinfo=UTC),  # whole seconds: PostgreSQL writes no fraction
    datetime(2026, 11, 30, 23, 5, 28, 1, tzinfo=UTC),
    datetime(2026, 11, 30, 23, 5, 28, 340500, tzinfo=UTC),  # written as .3405
    datetime(2026, 11, 30, 23, 5, 28, 999999, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=-9, minutes=-30))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]
DAYS = [date(2026, 2, 28), date(1, 1, 1), date(9999, 12, 31)]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
async def test_a_timestamp_reads_back_as_the_same_aware_utc_datetime(app, moment):
    statement = select(bindparam("moment", type_=UTCDateTime()))
    [(value,)] = await app.state.database.rows(statement, {"moment": moment})

    assert value == moment
    assert value.utcoffset() == timedelta(0)
    assert (value.microsecond, value.tzinfo) == (moment.astimezone(UTC).microsecond, UTC)


@pytest.mark.parametrize("day", DAYS, ids=str)
async def test_a_date_reads_back_as_the_same_date(app, day):
    [(value,)] = await app.state.database.rows(select(bindparam("day", type_=Date())), {"day": day})

    assert (type(value), value) == (date, day)


async def test_a_null_timestamp_and_date_read_back_as_null(app):
    statement = select(bindparam("moment", type_=UTCDateTime()), bindparam("day", type_=Date()))

    rows = await app.state.database.rows(statement, {"moment": None, "day": None})

    assert [tuple(row) for row in rows] == [(None, None)]


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("2026-11-01T10:30:00+02:00", "2026-11-01T08:30:00Z"),
        ("2026-11-01T10:30:00.5+02:00", "2026-11-01T08:30:00.500000Z"),
        ("2026-11-01T10:30:00.3405Z", "2026-11-01T10:30:00.340500Z"),
        ("2026-11-01T10:30:00.000001Z", "2026-11-01T10:30:00.000001Z"),
    ],
)
async def test_a_list_a_record_and_a_delta_show_a_moment_alike(client, sent, shown):
    h = (await register(client))["headers"]
    application = await create_application(client, h, applied_on="2026-10-01")
    interview = await create_interview(client, h, application["id"], scheduled_at=sent)

    listed = (await client.get("/v1/interviews", headers=h)).json()["items"]
    delta = (
        await client.get("/v1/interviews?updated_since=2000-01-01T00:00:00Z", headers=h)
    ).json()["items"]
    single = (await client.get(f"/v1/interviews/{interview['id']}", headers=h)).json()

    assert interview["scheduled_at"] == shown
    assert listed == delta == [single] == [interview]
