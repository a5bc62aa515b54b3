"""Per-account record quotas: each collection holds at most QUOTA_RECORDS_PER_COLLECTION live
records of one account. A create or an import that would go beyond answers 422
`quota-exceeded`, naming the collection and the limit, and writes nothing.

Counting an account's live records reads each of them (no index holds `deleted_at`, and an
account's rows lie scattered over the table's pages), so a create counts only the records
written since the last create this process saw for that account and collection: a `Bound`
remembers an upper bound of the live records at that create's snapshot, and the account's
change number in the same snapshot. A record live now is either unchanged since then (counted
in the bound), or written since, with a higher change number (counted again, over the
`(user_id, change_seq)` index). Records changed or deleted since are counted twice or no longer
live: the bound only errs high, and a create it refuses is tried again with every live record
counted. The count is part of the create's one statement on PostgreSQL, one more statement of
its transaction on SQLite; every live record is counted only on a process's first create for
an account and collection, on a refusal, and by an import.

The quota is a safety bound, not a billing limit. On PostgreSQL a create counts in its
statement's snapshot, taken before it waits for the account's row lock, so creates of one
account running at the same moment may each see room for one more: together they can pass the
quota by up to their number less one. An import counts after it holds the lock: exactly. On
SQLite every count is exact.
"""

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Table,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.selectable import ScalarSelect, Select

from app.core.database import Executor, first
from app.core.errors import FieldError, ProblemError
from app.core.identity import User

QUOTA_EXCEEDED = "quota-exceeded"
_REMEMBERED = 10_000  # bounds a process keeps (account x collection), the oldest dropped first


@dataclass(frozen=True, slots=True)
class Bound:
    """At most `live` of the account's records of a collection were live when its change
    number was `seq`; a record written since carries a higher one. `seq` -1: nothing known,
    every live record is counted."""

    live: int = 0
    seq: int = -1

    @property
    def exact(self) -> bool:
        return self.seq < 0


EXACT = Bound()


class RecordQuota:
    """The quota of the app's settings, and the bounds this process learned from its creates."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._bounds: dict[tuple[uuid.UUID, str], Bound] = {}

    def bound(self, user_id: uuid.UUID, table: Table) -> Bound:
        return self._bounds.get((user_id, table.name), EXACT)

    def values(self, bound: Bound) -> dict[str, int]:
        """What `recent_live` and `has_room` bind."""
        return {"q_live": bound.live, "q_since": bound.seq, "q_limit": self.limit}

    def learn(
        self, user_id: uuid.UUID, table: Table, used: Bound, recent: int, seq: int | None
    ) -> None:
        """A create that used the bound `used` counted `recent` live records written after
        `used.seq`, in a snapshot where the account's change number was `seq`."""
        key = (user_id, table.name)
        self._bounds.pop(key, None)
        if seq is None or seq < used.seq:  # no account, or another database: start over
            return
        if len(self._bounds) >= _REMEMBERED:
            del self._bounds[next(iter(self._bounds))]
        self._bounds[key] = Bound(used.live + recent, seq)

    def forget(self, user_id: uuid.UUID, table: Table) -> None:
        self._bounds.pop((user_id, table.name), None)


async def get_record_quota(request: Request) -> RecordQuota:
    """The app's quota, made on first use: what it learns lives as long as the app. Async:
    FastAPI runs a plain `def` dependency in a worker thread (that hop cost a create a third
    of its throughput)."""
    state = request.app.state
    quota: RecordQuota | None = getattr(state, "record_quota", None)
    if quota is None:
        quota = state.record_quota = RecordQuota(state.settings.quota_records_per_collection)
    return quota


RecordQuotaDep = Annotated[RecordQuota, Depends(get_record_quota)]


# --- statements (the account bound as `owner_id`, the rest by `RecordQuota.values`) ------------
@functools.cache
def recent_live(table: Table) -> ScalarSelect[Any]:
    """The account's live records written after change number `q_since`, counted up to
    `q_limit` (the quota is all that matters)."""
    c = table.c
    rows = (
        select(literal_column("1"))
        .where(
            c.user_id == bindparam("owner_id", type_=c.user_id.type),
            c.change_seq > bindparam("q_since", type_=BigInteger()),
            c.deleted_at.is_(None),
        )
        .limit(bindparam("q_limit", type_=Integer()))
        .subquery("live")
    )
    return select(func.count()).select_from(rows).scalar_subquery()


def has_room(recent: ColumnElement[Any]) -> ColumnElement[bool]:
    """The guard of a create: the bound and the records written since leave room for one."""
    return bindparam("q_live", type_=Integer()) + recent < bindparam("q_limit", type_=Integer())


@functools.cache
def counted(table: Table) -> Select[Any]:
    """`recent_live` as `q_recent`, and the account's change number in the same snapshot as
    `q_seq`: a PostgreSQL create reads both before it waits for the account's row lock."""
    users = User.__table__.c  # type: ignore[attr-defined]
    owner = bindparam("owner_id", type_=users.id.type)
    seq = select(users.change_seq).where(users.id == owner).scalar_subquery()
    return select(recent_live(table).label("q_recent"), seq.label("q_seq"))


@functools.cache
def _live_counts(tables: tuple[Table, ...]) -> Select[Any]:
    return select(*(recent_live(table).label(table.name) for table in tables))


# --- the refusal ----------------------------------------------------------------------------------
async def require_room(
    executor: Executor,
    user_id: uuid.UUID,
    adding: Mapping[Table, int],
    limit: int,
    *,
    in_document: bool = False,
) -> None:
    """422 unless each collection has room for `adding` more live records of the account: one
    statement counts the live records of each (up to `limit`: the quota is all that matters).
    `in_document`: the records come from an import, whose document names the collection."""
    wanted = {table: count for table, count in adding.items() if count > 0}
    if not wanted:
        return
    values = {"owner_id": user_id, "q_since": EXACT.seq, "q_limit": limit}
    row = await first(executor, _live_counts(tuple(wanted)), values)
    assert row is not None  # counts: always one row
    for table, count in wanted.items():
        live = int(row[table.name])
        if live + count > limit:
            raise _exceeded(table, limit, live, count, in_document=in_document)


def _exceeded(
    table: Table, limit: int, live: int, adding: int, *, in_document: bool
) -> ProblemError:
    what = table.name.replace("_", " ")
    if not in_document:
        return ProblemError(
            422,
            f"An account may hold at most {limit} {what}, and this one holds as many: delete "
            "some to add more.",
            slug=QUOTA_EXCEEDED,
        )
    held = f"{limit} or more" if live >= limit else str(live)
    detail = (
        f"An account holds at most {limit} {what}: this one holds {held}, and the import "
        f"adds {adding}. Nothing was imported."
    )
    return ProblemError(
        422,
        detail,
        slug=QUOTA_EXCEEDED,
        errors=[FieldError(field=f"body.{table.name}", message=detail, code="quota_exceeded")],
    )
