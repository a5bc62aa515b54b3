"""Several SELECTs sent as one statement: the branches of a UNION ALL, one round trip and one
execution instead of one per query, and each query's rows handed back under its own labels.

Every branch has the same columns: the number of its part, the column the parts are ordered
by (if any), then slots of each kind of value, as many as the part with the most of that kind
needs. A part's columns take the free slots of their kind in turn; typed NULLs fill the rest.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Uuid,
    cast,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.sql.selectable import CompoundSelect
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.core.database import Executor, LabelledRow, Row, Values
from app.core.db import JSONList, UTCDateTime

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True, eq=False)
class _Kind:
    """A kind of value: the column types it takes, and its type in the union."""

    name: str
    takes: tuple[type[TypeEngine[Any]], ...]
    type: TypeEngine[Any]
    cast: bool  # CAST in SQL, or only read as `type`

    def carried(self, column: Any) -> ColumnElement[Any]:
        return cast(column, self.type) if self.cast else type_coerce(column, self.type)


# PostgreSQL gives each column of a UNION one type: numbers are CAST to bigint, or a sum()
# (numeric) in one branch would make Decimals of every branch's counts. The other kinds already
# agree there (varchar and text make text), and SQLite has no column types: its values are read
# back by the SQLAlchemy type, and a CAST would turn a date or a timestamp into a number. So
# they are only typed, and a CAST per row spared. Timestamps come back aware, in UTC.
_KINDS = (
    _Kind("uuid", (Uuid,), Uuid(), cast=False),
    _Kind("moment", (DateTime,), UTCDateTime(), cast=False),
    _Kind("day", (Date,), Date(), cast=False),
    _Kind("number", (Integer,), BigInteger(), cast=True),
    _Kind("json", (JSON,), JSONList, cast=False),
    _Kind("text", (String,), String(), cast=False),
    _Kind("flag", (Boolean,), Boolean(), cast=False),
)


def _kind(column: Any) -> _Kind:
    type_ = column.type
    stored = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    for kind in _KINDS:
        if isinstance(stored, kind.takes):
            return kind
    # An untyped expression (a function SQLAlchemy does not know) could hold anything.
    raise TypeError(f"{column.key} needs a type of one of the kinds here, not {type_!r}")


@dataclass(frozen=True)
class _Part:
    """A part's name, where its columns sit in the union's rows, and the row type that labels
    them."""

    name: str
    positions: tuple[int, ...]
    row: type[LabelledRow]


def _slots(parts: list[list[Any]]) -> list[_Kind]:
    """The slots of every branch: of each kind, as many as the part with the most needs."""
    return [
        kind
        for kind in _KINDS
        for _ in range(max(sum(_kind(column) is kind for column in part) for part in parts))
    ]


def _branch(
    number: int, name: str, columns: list[Any], slots: list[_Kind], order_by: str | None
) -> tuple[AnySelect, _Part]:
    """One part as a branch of the union, and where its columns sit there."""
    # A number, not the part's name: every row carries it and the union is sorted by it,
    # both cheaper with an integer than with text.
    lead = [literal_column(str(number), Integer).label("part")]
    if order_by is not None:
        ordering = next((column for column in columns if column.key == order_by), None)
        assert ordering is not None, f"{name} has no column {order_by}"
        lead.append(_kind(ordering).carried(ordering).label(order_by))
    cells: list[ColumnElement[Any] | None] = [None] * len(slots)
    positions = []
    for column in columns:
        if column.key == order_by:
            positions.append(1)
            continue
        kind = _kind(column)
        free = next(i for i, slot in enumerate(slots) if slot is kind and cells[i] is None)
        cells[free] = kind.carried(column)
        positions.append(len(lead) + free)
    branch = select(
        *lead,
        *[
            (cast(null(), slot.type) if cell is None else cell).label(f"{slot.name}_{index}")
            for index, (slot, cell) in enumerate(zip(slots, cells, strict=True))
        ],
    )
    labels = {column.key: index for index, column in enumerate(columns)}
    row = type(f"{name}_row", (LabelledRow,), {"__slots__": (), "labels": labels})
    return branch, _Part(name, tuple(positions), row)


class Batch:
    """Named SELECTs as one UNION ALL statement, built once and run with each request's bound
    values. With `order_by`, a column every part has, each part's rows come back in its order
    (a UNION keeps no order of its branches'). Every column needs a type of one of the kinds
    above; an unlabelled one is read by position."""

    def __init__(self, parts: Mapping[str, AnySelect], *, order_by: str | None = None) -> None:
        columns = {name: list(statement.subquery(name).c) for name, statement in parts.items()}
        slots = _slots([[c for c in part if c.key != order_by] for part in columns.values()])
        branches = []
        self._parts: list[_Part] = []  # by number
        for number, (name, part) in enumerate(columns.items()):
            branch, layout = _branch(number, name, part, slots, order_by)
            branches.append(branch)
            self._parts.append(layout)
        statement = union_all(*branches)
        if order_by is not None:
            statement = statement.order_by(literal_column("part"), literal_column(order_by))
        self.statement: CompoundSelect[Any] = statement

    async def rows(self, executor: Executor, values: Values) -> dict[str, list[Row]]:
        """Each part's rows, read by its own column labels (`row["id"]`) or positions."""
        found: dict[str, list[Row]] = {part.name: [] for part in self._parts}
        for row in await executor.rows(self.statement, values):
            part = self._parts[row[0]]
            found[part.name].append(part.row(row[index] for index in part.positions))
        return found
