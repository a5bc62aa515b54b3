"""Several SELECTs in one UNION ALL (app/shared/batch.py): each part's rows come back apart,
under its own labels and with its columns' types, on SQLite and PostgreSQL alike."""

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import (
    Date,
    Integer,
    String,
    Subquery,
    Uuid,
    bindparam,
    false,
    func,
    literal_column,
    select,
)

from app.core.db import JSONList, UTCDateTime
from app.shared.batch import Batch

PERSON = uuid.uuid4()


def numbers(*values: int) -> Subquery:
    """One row per value, in the order given (a UNION ALL of literals)."""
    rows = [select(literal_column(str(value), Integer).label("n")) for value in values]
    return rows[0].union_all(*rows[1:]).subquery()


async def test_parts_of_different_widths_and_types_come_back_apart(app):
    counted = numbers(3, 1, 2)
    batch = Batch(
        {
            "people": select(
                bindparam("person", type_=Uuid).label("id"),
                bindparam("name", type_=String).label("name"),
                bindparam("seen_at", type_=UTCDateTime).label("seen_at"),
                bindparam("tags", type_=JSONList).label("tags"),
            ),
            "counts": select(
                bindparam("day", type_=Date).label("day"),
                counted.c.n,
                (counted.c.n * 10).label("tenfold"),
            ),
            "nobody": select(bindparam("name", type_=String).label("name")).where(false()),
        }
    )

    parts = await batch.rows(
        app.state.database,
        {
            "person": PERSON,
            "name": "Ada",
            "seen_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            "tags": ["kind", {"level": 2}],
            "day": date(2026, 3, 2),
        },
    )

    assert parts.keys() == {"people", "counts", "nobody"}
    [person] = parts["people"]
    assert dict(person) == {
        "id": PERSON,
        "name": "Ada",
        "seen_at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        "tags": ["kind", {"level": 2}],
    }
    assert isinstance(person["id"], uuid.UUID)
    assert person["seen_at"].utcoffset() is not None
    assert sorted(tuple(row) for row in parts["counts"]) == [
        (date(2026, 3, 2), 1, 10),
        (date(2026, 3, 2), 2, 20),
        (date(2026, 3, 2), 3, 30),
    ]
    assert parts["nobody"] == []


async def test_each_part_comes_back_in_the_order_of_its_own_column(app):
    # Twelve rows: ordered as text, 10 and 11 would come before 2.
    tens, units = numbers(*range(12, 0, -1)), numbers(3, 1, 2)
    batch = Batch(
        {
            "tens": select((tens.c.n * 10).label("value"), tens.c.n.label("rank")),
            "units": select(units.c.n.label("rank")),
        },
        order_by="rank",
    )

    parts = await batch.rows(app.state.database, {})

    assert [row["value"] for row in parts["tens"]] == [10 * n for n in range(1, 13)]
    assert [row["rank"] for row in parts["units"]] == [1, 2, 3]


def test_a_column_without_a_type_is_refused():
    with pytest.raises(TypeError, match="needs a type"):
        Batch({"untyped": select(func.strange_function().label("value"))})
