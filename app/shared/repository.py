"""The repository of user-owned, syncable records: get, keyset list and delta-sync page,
create, update and soft delete, as SQLAlchemy Core statements built once per shape and run
on the app's Database (app/core/database.py), on SQLite and PostgreSQL alike.

Every write takes the user's next change number first (see app/shared/sync.py): it holds the
user's row lock until commit, so one user's writes commit in sequence order.
"""

import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import FromClause

from app.core.database import Executor, Row, first, scalar
from app.core.db import UTCDateTime, utcnow
from app.core.errors import FieldError, ProblemError, not_found
from app.core.identity import Caller, User, account_gone
from app.shared.pagination import (
    ListParams,
    Position,
    SortKey,
    apply_keyset,
    next_cursor,
    parse_datetime,
    read_cursor,
)
from app.shared.quota import RecordQuota, counted, has_room, recent_live, require_room
from app.shared.records import OwnedRecord, RecordPublic, StrictInput
from app.shared.sync import parse_seq, parse_updated_since, sync_token

REFERENCE_NOT_FOUND = "reference-not-found"


def _as_given(value: Any, _dialect: str) -> Any:
    return value


@dataclass(frozen=True, eq=False)
class Filter:
    """A list filter: its WHERE clause on the value bound as `f_<name>` (per dialect), and the
    value bound for a query parameter's."""

    clause: Callable[[str], ColumnElement[bool]]
    value: Callable[[Any, str], Any] = _as_given


def equal(column: Any) -> Filter:
    """The query parameter named as the column is its value."""
    return Filter(lambda _dialect: column == bindparam(f"f_{column.key}"))


@dataclass(eq=False)
class Records:
    """One kind of record: its table, the model the API shows, its list filters and sorts."""

    table: type[OwnedRecord]
    public: type[RecordPublic]
    noun: str  # "application": in messages
    filters: Mapping[str, Filter] = field(default_factory=dict)
    # Sorts other than by recency, by name without the "-": the keys, given the direction.
    sorts: Mapping[str, Callable[[bool], list[SortKey]]] = field(default_factory=dict)
    # Columns the API never shows, kept from fields it takes (an application's job URL key):
    # given some fields, the derived columns they decide.
    derive: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    def with_derived(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values with the columns derived from them: every writer stores these."""
        return {**values, **self.derive(values)} if self.derive else dict(values)

    @functools.cached_property
    def shown(self) -> list[str]:
        """The fields the API shows, in its order."""
        return list(self.public.model_fields)

    @functools.cached_property
    def columns(self) -> Table:
        return self.table.__table__  # type: ignore[attr-defined]

    def body(self, row: Row) -> dict[str, Any]:
        """The record as the API shows it, from a row that holds its shown fields: the one
        function every response of this kind is built by."""
        return {name: row[name] for name in self.shown}

    def sort_keys(self, sort: str) -> list[SortKey]:
        descending, name = sort.startswith("-"), sort.lstrip("-")
        if name in self.sorts:
            return self.sorts[name](descending)
        return [SortKey(self.columns.c.updated_at, descending, parse_datetime)]


# --- statements, built once per shape -----------------------------------------------------------
@functools.cache
def get_statement(records: Records) -> Select[Any]:
    """The caller's live record `id` (bound with `user_id`), its shown fields."""
    c = records.columns.c
    return select(*(c[name] for name in records.shown)).where(
        c.id == bindparam("id"), c.user_id == bindparam("user_id"), c.deleted_at.is_(None)
    )


_NEXT_SEQ = (
    update(User)
    .where(User.__table__.c.id == bindparam("owner_id"))  # type: ignore[attr-defined]
    .values(change_seq=User.__table__.c.change_seq + 1)  # type: ignore[attr-defined]
    .returning(User.__table__.c.change_seq)  # type: ignore[attr-defined]
)


async def next_change_seq(executor: Executor, user_id: uuid.UUID) -> int:
    """Take the user's next change number; first in every writing transaction."""
    seq = await scalar(executor, _NEXT_SEQ, {"owner_id": user_id})
    if seq is None:
        raise account_gone()
    return int(seq)


# --- reads ----------------------------------------------------------------------------------------
async def get(executor: Executor, caller: Caller, records: Records, record_id: uuid.UUID) -> Row:
    """The caller's live record, or 404 (another user's id is indistinguishable)."""
    row = await first(executor, get_statement(records), {"id": record_id, "user_id": caller.id})
    if row is None:
        raise not_found(records.noun)
    return row


async def require_live(
    executor: Executor, caller: Caller, records: Records, record_id: uuid.UUID, *, field: str
) -> Row:
    """A record the body names in `field` (e.g. `application_id`): the caller's and live, or
    422 naming the field (never a link to another user's data). Not 404: the URL is fine, a
    value in the body is not, and on a record's own URL a 404 would tell a syncing client that
    the record is gone."""
    row = await first(executor, get_statement(records), {"id": record_id, "user_id": caller.id})
    if row is None:
        raise reference_not_found(records.noun, field)
    return row


def reference_not_found(noun: str, field: str) -> ProblemError:
    """422: `body.<field>` names no live record of the caller's (another user's id included:
    ids are per account, so theirs is no different from one that never existed)."""
    return ProblemError(
        422,
        f"`{field}` names no {noun} of yours: send the id of one you created that is not deleted.",
        slug=REFERENCE_NOT_FOUND,
        errors=[
            FieldError(
                field=f"body.{field}",
                message=f"No {noun} of yours has this id.",
                code="reference_not_found",
            )
        ],
    )


@functools.cache  # one object per guard: `_insert_statement`'s cache is keyed by it
def live(records: Records, id_param: str) -> ColumnElement[bool]:
    """The caller's live record of this kind has the id bound as `id_param` (a guard of
    `insert_record`, where the caller is bound as `owner_id`)."""
    c = records.columns.c
    return exists().where(
        c.id == bindparam(id_param, type_=c.id.type),
        c.user_id == bindparam("owner_id", type_=c.user_id.type),
        c.deleted_at.is_(None),
    )


@functools.cache
def changed_since(records: Records, since_kind: str | None) -> ColumnElement[bool]:
    """The records a page reads: without `updated_since` (`since_kind` None) the live ones;
    with a sync token (`int`) those changed after its sequence, with a timestamp those updated
    after it, tombstones included; the value is bound as `since`."""
    c = records.columns.c
    if since_kind is None:
        return c.deleted_at.is_(None)
    if since_kind == "int":
        return c.change_seq > bindparam("since")
    return c.updated_at > bindparam("since", type_=UTCDateTime())


@functools.cache
def _list_statement(
    records: Records,
    dialect: str,
    sort: str | None,
    active: tuple[str, ...],
    since_kind: str | None,
    after_cursor: bool,
) -> Select[Any]:
    """A page (shown fields, the keys as `_k0…`, one row more than asked) and the user's change
    sequence as `_seq`, read in the same statement (one snapshot): a sync token read before or
    after the page could skip a write that commits between. The outer join keeps the user's
    row when the page is empty."""
    c = records.columns.c
    keys = records.sort_keys(sort) if sort else _sync_keys(records)
    query = select(
        *(c[name] for name in records.shown),
        *(key.expression.label(f"_k{i}") for i, key in enumerate(keys)),
    ).where(
        c.user_id == bindparam("user_id"),
        *(records.filters[name].clause(dialect) for name in active),
    )
    query = query.where(changed_since(records, since_kind))
    page = apply_keyset(query, keys, c.id, after_cursor).subquery("page")
    seq = (
        select(User.__table__.c.change_seq.label("_seq"))  # type: ignore[attr-defined]
        .where(User.__table__.c.id == bindparam("user_id"))  # type: ignore[attr-defined]
        .subquery("seq")
    )
    ordered = [page.c[f"_k{i}"] for i in range(len(keys))] + [page.c.id]
    descending = keys[0].descending
    return (
        select(page, seq.c._seq)
        .select_from(seq.outerjoin(page, true()))
        .order_by(*(column.desc() if descending else column.asc() for column in ordered))
    )


def _sync_keys(records: Records) -> list[SortKey]:
    return [SortKey(records.columns.c.change_seq, False, parse_seq)]


async def list_page(
    executor: Executor, caller: Caller, records: Records, params: ListParams
) -> dict[str, Any]:
    """A page of the caller's records, or (with `updated_since`) of what changed since."""
    since = parse_updated_since(params.updated_since) if params.updated_since else None
    sort = None if since is not None else str(getattr(params, "sort", None) or "-updated_at")
    mode = "sync" if sort is None else f"list:{sort}"
    keys = _sync_keys(records) if sort is None else records.sort_keys(sort)
    position = read_cursor(params.cursor, mode, keys)
    dialect = executor.dialect
    active = tuple(name for name in records.filters if getattr(params, name) is not None)
    statement = _list_statement(
        records,
        dialect,
        sort,
        active,
        None if since is None else type(since).__name__,
        position.values is not None,
    )
    values: dict[str, Any] = {"user_id": caller.id, "limit": params.limit + 1}
    for name in active:
        values[f"f_{name}"] = records.filters[name].value(getattr(params, name), dialect)
    if since is not None:
        values["since"] = since
    if position.values is not None:
        values |= {f"k{i}": value for i, value in enumerate(position.values)}
    rows = await executor.rows(statement, values)
    return page_of(rows, params, position, mode, len(keys), records.body)


def page_of(
    rows: Sequence[Row],
    params: ListParams,
    position: Position,
    mode: str,
    key_count: int,
    render: Callable[[Row], Any],
) -> dict[str, Any]:
    """A page from the rows of a list statement (the user's row joined to up to limit + 1
    records, its `_seq` beside each): items, the next page's cursor and the walk's sync token.
    A first page starts the walk at this snapshot's sequence and later pages keep theirs, so
    the walk's token never passes a write that committed during the walk."""
    if not rows:  # no user row: the account was erased after the token was issued
        raise account_gone()
    watermark = rows[0]["_seq"] if position.watermark is None else position.watermark
    if rows[0]["id"] is None:  # the user's row joined to an empty page
        rows = []
    return {
        "items": [render(row) for row in rows[: params.limit]],
        "next_cursor": next_cursor(rows, params.limit, mode, watermark, key_count),
        "sync_token": sync_token(watermark),
    }


# --- writes ---------------------------------------------------------------------------------------
Companion = Callable[[FromClause], Insert]  # the rows a new record brings, from its row
# (transaction, caller, the new row, its change number): what a new record brings about
Created = Callable[[Executor, Caller, Row, int], Awaitable[None]]


def stored(value: Any) -> Any:
    """A value as its column stores it: lists and objects become JSON-ready data."""
    return to_jsonable_python(value) if isinstance(value, list | dict) else value


@functools.cache
def _insert_statement(
    records: Records,
    dialect: str,
    names: tuple[str, ...],
    guards: tuple[ColumnElement[bool], ...],
    companions: tuple[Companion, ...],
) -> tuple[Any, ...]:
    """The statements that create a record: on PostgreSQL one, which takes the change number,
    checks the quota (app/shared/quota.py), inserts the record and its companions and returns
    it with what the quota counted (the user's row lock is held for one statement); on SQLite,
    which has no writing CTEs, the same parts one after another (the quota's count apart)."""
    c = records.columns.c
    now = bindparam("now", type_=UTCDateTime())
    seq_value: Any
    if dialect == "postgresql":
        seq = _NEXT_SEQ.cte("seq")
        room = counted(records.columns).cte("room")
        seq_value, source = seq.c.change_seq, [seq.join(room, true())]
        guards = (*guards, has_room(room.c.q_recent))
    else:
        seq_value, source = bindparam("seq", type_=c.change_seq.type), []
    rows = select(
        bindparam("new_id", type_=c.id.type),
        bindparam("owner_id", type_=c.user_id.type),
        now,
        now,
        literal(1),
        seq_value,
        *(bindparam(f"v_{name}", type_=c[name].type) for name in names),
    ).where(*guards or (true(),))  # SQLite's upsert wants a WHERE after INSERT … SELECT
    if source:
        rows = rows.select_from(*source)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = (
        insert(records.columns)
        .from_select(
            ["id", "user_id", "created_at", "updated_at", "version", "change_seq", *names], rows
        )
        .on_conflict_do_nothing()
        .returning(*c)
    )
    if dialect != "postgresql":
        this = select(records.columns).where(
            c.id == bindparam("new_id"), c.user_id == bindparam("owner_id")
        )
        return created, *(companion(this.subquery("created")) for companion in companions)
    created_cte = created.cte("created")
    statement = select(
        *(created_cte.c[name] for name in (*records.shown, "change_seq")),
        room.c.q_recent,
        room.c.q_seq,
    ).select_from(created_cte.join(room, true()))
    for companion in companions:
        statement = statement.add_cte(companion(created_cte).cte())
    return (statement,)


class _NotCreated(Exception):
    """Nothing was inserted: the transaction is undone, the caller says why."""


@functools.cache
def _recent_statement(records: Records) -> Select[Any]:
    return select(recent_live(records.columns))


async def insert_record(
    executor: Executor,
    caller: Caller,
    records: Records,
    record_id: uuid.UUID,
    values: Mapping[str, Any],
    quota: RecordQuota,
    guards: Sequence[ColumnElement[bool]] = (),
    companions: Sequence[Companion] = (),
    extra: Mapping[str, Any] | None = None,
) -> Row | None:
    """Insert the record with its companions, unless its id is taken, a guard (over the values
    bound as `v_<name>`, the caller as `owner_id` and `extra`) does not hold, the collection
    may be full (by the quota's bound), or the account is gone: then None."""
    dialect = executor.dialect
    names = tuple(values)
    statements = _insert_statement(records, dialect, names, tuple(guards), tuple(companions))
    table = records.columns
    known = quota.bound(caller.id, table)
    bound = {f"v_{name}": stored(value) for name, value in values.items()}
    bound |= {"new_id": record_id, "owner_id": caller.id, "now": utcnow(), **(extra or {})}
    bound |= quota.values(known)
    if dialect == "postgresql":
        row = await first(executor, statements[0], bound)
        if row is not None:
            quota.learn(caller.id, table, known, row["q_recent"], row["q_seq"])
        return row
    try:
        async with executor.transaction() as tx:
            seq = await scalar(tx, _NEXT_SEQ, {"owner_id": caller.id})
            if seq is None:
                raise _NotCreated
            # This transaction holds the database's write lock: the count is exact.
            recent = await scalar(
                tx, _recent_statement(records), {"owner_id": caller.id, **quota.values(known)}
            )
            if known.live + recent >= quota.limit:
                raise _NotCreated
            quota.learn(caller.id, table, known, recent, seq - 1)
            row = await first(tx, statements[0], bound | {"seq": seq})
            if row is None:
                raise _NotCreated
            for companion in statements[1:]:
                await tx.rows(companion, bound)
            return row
    except _NotCreated:
        return None


async def create(
    executor: Executor,
    caller: Caller,
    records: Records,
    body: StrictInput,
    values: Mapping[str, Any] | None = None,
    *,
    quota: RecordQuota,
    guards: Sequence[ColumnElement[bool]] = (),
    companions: Sequence[Companion] = (),
    explain: Callable[[], Awaitable[None]] | None = None,
    extra: Mapping[str, Any] | None = None,
    effect: Created | None = None,
) -> tuple[Row, bool]:
    """Create a record from `body` (or the `values` derived from it), then its `effect` in the
    same transaction: (row, True); or, for a client id already used with the same body, (that
    record, False); else 409, the guard's explanation (`explain` raises it), 422 when the
    collection holds the quota's records, or 401 for an erased account."""
    client_id = getattr(body, "id", None)
    if values is None:
        values = body.model_dump(exclude={"id"})
    values = records.with_derived(values)
    record_id = client_id or uuid.uuid4()

    async def attempt() -> Row | None:
        if effect is None:
            return await insert_record(
                executor, caller, records, record_id, values, quota, guards, companions, extra
            )
        async with executor.transaction() as tx:
            row = await insert_record(
                tx, caller, records, record_id, values, quota, guards, companions, extra
            )
            if row is not None:
                await effect(tx, caller, row, row["change_seq"])
            return row

    row = await attempt()
    if row is not None:
        return row, True
    if client_id is not None:
        existing = await first(
            executor, get_statement(records), {"id": client_id, "user_id": caller.id}
        )
        if existing is not None and _same(records, existing, body):
            return existing, False
        if existing is not None:
            raise ProblemError(
                409,
                f"Another {records.noun} already has this id: to create a new one, send "
                "another `id`, or none and the API assigns one.",
                slug="id-conflict",
            )
    if explain is not None:
        await explain()
    await require_room(executor, caller.id, {records.columns: 1}, quota.limit)
    # There is room: the quota's remembered bound, which errs high, may have refused it. Once
    # more with every live record counted; a refusal then means the account is gone.
    quota.forget(caller.id, records.columns)
    row = await attempt()
    if row is None:
        raise account_gone()
    return row, True


def _same(records: Records, row: Row, body: StrictInput) -> bool:
    """The re-sent fields equal the stored ones (derived, unsent fields are not compared)."""
    sent = body.model_dump(mode="json", include=body.model_fields_set - {"id"})
    shown = records.public.model_validate(records.body(row))
    return sent == shown.model_dump(mode="json", include=set(sent))


@functools.cache
def _update_statement(records: Records, names: frozenset[str]) -> Any:
    c = records.columns.c
    return (
        update(records.columns)
        .where(c.id == bindparam("key_id"), c.user_id == bindparam("key_owner"))
        .values(
            {
                **{name: bindparam(f"v_{name}", type_=c[name].type) for name in names},
                "version": c.version + 1,
                "updated_at": bindparam("now", type_=UTCDateTime()),
                "change_seq": bindparam("seq", type_=c.change_seq.type),
            }
        )
        .returning(*(c[name] for name in records.shown))
    )


Check = Callable[[Row], None]  # the precondition (If-Match) on the current record
# (transaction, caller, current row, fields sent): refuses, or adds derived changes
Rule = Callable[[Executor, Caller, Row, dict[str, Any]], Awaitable[None]]
# (transaction, caller, previous row, new row, changes, change number): what a change brings
Effect = Callable[[Executor, Caller, Row, Row, dict[str, Any], int], Awaitable[None]]
Cascade = Callable[[Executor, Caller, Row, int], Awaitable[None]]


async def _nothing(*_args: Any) -> None:
    return None


async def update_record(
    executor: Executor,
    caller: Caller,
    records: Records,
    record_id: uuid.UUID,
    sent: Mapping[str, Any],
    check: Check,
    rule: Rule = _nothing,
    effect: Effect = _nothing,
) -> Row:
    """Apply the fields sent: `check` the current record, let the `rule` refuse or derive
    changes from the fields sent (changed or not), write what changed, then its `effect`
    (previous row, new row, the changes, the change number)."""
    changes_sent = {name: stored(value) for name, value in sent.items()}
    async with executor.transaction() as tx:
        seq = await next_change_seq(tx, caller.id)
        current = await get(tx, caller, records, record_id)
        check(current)
        await rule(tx, caller, current, changes_sent)
        changes = {k: v for k, v in changes_sent.items() if current[k] != v}
        if not changes:
            return current
        changes = records.with_derived(changes)
        values = {f"v_{name}": value for name, value in changes.items()}
        values |= {"key_id": record_id, "key_owner": caller.id, "now": utcnow(), "seq": seq}
        row = await first(tx, _update_statement(records, frozenset(changes)), values)
        assert row is not None
        await effect(tx, caller, current, row, changes, seq)
        return row


async def delete_record(
    executor: Executor,
    caller: Caller,
    records: Records,
    record_id: uuid.UUID,
    check: Check,
    cascade: Cascade | None = None,
) -> None:
    """Tombstone the record (delta sync reports it), then what depends on it."""
    async with executor.transaction() as tx:
        seq = await next_change_seq(tx, caller.id)
        current = await get(tx, caller, records, record_id)
        check(current)
        c = records.columns.c
        await soft_delete_where(tx, records.table, caller, seq, c.id == record_id)
        if cascade is not None:
            await cascade(tx, caller, current, seq)


async def soft_delete_where(
    executor: Executor,
    table: type[OwnedRecord],
    caller: Caller,
    seq: int,
    *conditions: ColumnElement[bool],
    now: datetime | None = None,
) -> None:
    """Tombstone the caller's live rows of `table` matching `conditions` (a cascade)."""
    c = table.__table__.c  # type: ignore[attr-defined]
    now = now or utcnow()
    await executor.rows(
        update(table.__table__)  # type: ignore[attr-defined]
        .where(c.user_id == caller.id, c.deleted_at.is_(None), *conditions)
        .values(deleted_at=now, updated_at=now, version=c.version + 1, change_seq=seq)
    )


def touched(table: type[OwnedRecord], seq: int, now: datetime) -> dict[str, Any]:
    """The values an UPDATE sets on a record it changes: new version, time and sequence."""
    c = table.__table__.c  # type: ignore[attr-defined]
    return {"version": c.version + 1, "updated_at": now, "change_seq": seq}
