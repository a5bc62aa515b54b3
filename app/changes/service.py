"""The change feed: every collection's changes for the user, in change order, one statement
a page, with the never-miss rule of the lists (app/shared/sync.py).

The page is keyed by (change sequence, collection, id): one write (a cascading delete) gives
several records of several collections the same sequence number, and ids are unique only
within a collection. The statement is a UNION ALL of each collection's keys (read by its
`(user_id, change_seq, id)` index, at most a page from each), ordered and cut to the page
first; only then are the page's records read, each from its own table by its key, with its
own columns and types, and shown by its collection's `Records.body`. (app/shared/batch.py
returns every row of every branch: here the branches are cut to one page before any record
is read.) The user's change sequence is read in the same statement, one snapshot, as
`list_page` reads it: the first page's is the watermark that becomes the sync token.
"""

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    column,
    literal,
    select,
    true,
    tuple_,
    union_all,
)

from app.core.database import Executor, Row
from app.core.identity import Caller, User
from app.shared.pagination import ListParams, SortKey, read_cursor
from app.shared.repository import Records, changed_since, page_of
from app.shared.sync import parse_seq, parse_updated_since
from app.tables import COLLECTIONS

MODE = "changes"  # a cursor of this feed, never of a list


def parse_collection(value: object) -> str:
    """A collection named in a cursor: one of the feed's, nothing else reaches the database."""
    if not isinstance(value, str) or value not in COLLECTIONS:
        raise ValueError("not a collection")
    return value


# The page's keys after the id: the cursor reads them back with these parsers.
KEYS = [SortKey(column("_k0"), False, parse_seq), SortKey(column("_k1"), False, parse_collection)]


def _changed_keys(
    name: str, records: Records, since_kind: str | None, after_cursor: bool
) -> Select[Any]:
    """One collection's next keys: (its name as `_k1`, change_seq as `_k0`, id), at most
    `limit` of them in change order, each branch on its own `(user_id, change_seq)` index."""
    c = records.columns.c
    tag = literal(name, String)
    query = select(c.change_seq.label("_k0"), tag.label("_k1"), c.id.label("id")).where(
        c.user_id == bindparam("user_id")
    )
    query = query.where(changed_since(records, since_kind))
    if after_cursor:
        k0 = bindparam("k0", type_=BigInteger())
        bound = tuple_(k0, bindparam("k1", type_=String()), bindparam("k2", type_=c.id.type))
        # The first condition is the index's range, the second the exact position in it.
        query = query.where(c.change_seq >= k0, tuple_(c.change_seq, tag, c.id) > bound)
    query = query.order_by(c.change_seq, c.id).limit(bindparam("limit"))
    return select(query.subquery(f"{records.columns.name}_keys"))  # SQLite: no LIMIT in a branch


def _label(position: int, name: str) -> str:
    return f"c{position}_{name}"


@functools.cache
def _feed_statement(since_kind: str | None, after_cursor: bool) -> Select[Any]:
    """The page's keys and records (each collection's shown fields, labelled `c<n>_<field>`,
    null for the others'), one row more than asked, and the user's sequence as `_seq`. The
    outer join keeps the user's row when the page is empty."""
    branches = [
        _changed_keys(name, records, since_kind, after_cursor)
        for name, records in COLLECTIONS.items()
    ]
    changed = union_all(*branches).subquery("changed")
    page = (
        select(changed)
        .order_by(changed.c._k0, changed.c._k1, changed.c.id)
        .limit(bindparam("limit"))
        .subquery("page")
    )
    users = User.__table__.c  # type: ignore[attr-defined]
    seq = select(users.change_seq.label("_seq")).where(users.id == bindparam("user_id"))
    seq_row = seq.subquery("seq")
    source: Any = seq_row.outerjoin(page, true())
    shown: list[ColumnElement[Any]] = []
    for position, (name, records) in enumerate(COLLECTIONS.items()):
        table = records.columns.alias(f"r{position}")
        source = source.outerjoin(
            table,
            and_(
                page.c._k1 == literal(name, String),
                table.c.user_id == bindparam("user_id"),
                table.c.id == page.c.id,
            ),
        )
        shown.extend(table.c[field].label(_label(position, field)) for field in records.shown)
    return (
        select(seq_row.c._seq, page.c._k0, page.c._k1, page.c.id, *shown)
        .select_from(source)
        .order_by(page.c._k0, page.c._k1, page.c.id)
    )


class _Fields(Mapping[str, Any]):
    """One collection's fields of a feed row, read by their own names (for `Records.body`)."""

    def __init__(self, row: Row, position: int, records: Records) -> None:
        self.row, self.position, self.records = row, position, records

    def __getitem__(self, name: str) -> Any:
        return self.row[_label(self.position, name)]

    def __iter__(self) -> Any:
        return iter(self.records.shown)

    def __len__(self) -> int:
        return len(self.records.shown)


_POSITIONS = {
    name: (position, records) for position, (name, records) in enumerate(COLLECTIONS.items())
}


def _change(row: Row) -> dict[str, Any]:
    name = row["_k1"]
    position, records = _POSITIONS[name]
    return {"collection": name, "record": records.body(_Fields(row, position, records))}


async def list_changes(executor: Executor, caller: Caller, params: ListParams) -> dict[str, Any]:
    """A page of the caller's changes in every collection (without `updated_since`, every
    live record), with the cursor of the next page and the sync token of the walk."""
    since = parse_updated_since(params.updated_since) if params.updated_since else None
    position = read_cursor(params.cursor, MODE, KEYS)
    statement = _feed_statement(
        None if since is None else type(since).__name__, position.values is not None
    )
    values: dict[str, Any] = {"user_id": caller.id, "limit": params.limit + 1}
    if since is not None:
        values["since"] = since
    if position.values is not None:
        values |= {f"k{i}": value for i, value in enumerate(position.values)}
    rows = await executor.rows(statement, values)
    return page_of(rows, params, position, MODE, len(KEYS), _change)
