"""Build the agenda: one query per rule, filtered, ordered, counted and capped in the database
(all of them sent as one statement), then merged in date order. `now` is a parameter so the
rules can be checked at any moment."""

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    column,
    exists,
    func,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col

from app.agenda.models import (
    Agenda,
    AgendaCounts,
    AgendaItem,
    AgendaKind,
    AgendaParams,
    RecordLink,
    RecordType,
)
from app.applications.models import Application, Stage
from app.contacts.models import Contact
from app.core.database import Executor, one_of, planned_for_these_values
from app.core.db import UTCDateTime
from app.core.identity import Caller
from app.feedback.models import FeedbackConversation, FeedbackStatus
from app.interviews.models import Interview
from app.outcomes.models import Outcome, OutcomeKind
from app.reflections.models import Reflection
from app.shared.batch import Batch
from app.users.service import user_zone

# Applications that are still waiting on the company; later stages are not "no news".
OPEN_STAGES = (Stage.applied, Stage.screening, Stage.interviewing)

# Outcomes worth a reflection: every "no" and every withdrawal (was the role really wanted?).
# Offers are celebrated, not diagnosed; on_hold is not final yet, so it waits for the outcome
# that follows it.
REFLECT_ON = (OutcomeKind.rejection, OutcomeKind.ghosted, OutcomeKind.withdrawn)

_INTERVIEW_LABELS = {
    "phone_screen": "Phone screen",
    "technical": "Technical interview",
    "behavioral": "Behavioural interview",
    "case": "Case interview",
    "panel": "Panel interview",
    "onsite": "On-site interview",
    "final": "Final interview",
    "other": "Interview",
}

# A SELECT of any columns (Select is generic over the tuple of its column types).
AnySelect = Select[*tuple[Any, ...]]

_OUTCOME_NOUNS = {
    "rejection": "rejection",
    "ghosted": "ghosting",
    "withdrawn": "withdrawal",
}


@dataclass(frozen=True)
class Clock:
    """When the agenda is read, in the user's zone, and the limits every rule compares with."""

    user_id: uuid.UUID
    zone: ZoneInfo
    now: datetime
    today: date
    last_day: date  # the horizon's last day (today + horizon_days)
    window_end: datetime  # the first instant after the horizon, UTC
    params: AgendaParams

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @functools.cached_property
    def values(self) -> dict[str, Any]:
        """What the rules' statements bind: the user, the cap and the moment's limits."""
        quiet_from = self.today - timedelta(days=self.params.quiet_days)
        return {
            "user_id": self.user_id,
            "limit": self.params.limit,
            "now": self.now,
            "window_end": self.window_end,
            "last_day": self.last_day,
            "requested_by": self.today - timedelta(days=self.params.feedback_wait_days),
            # Quiet since local day D means today - D >= quiet_days: before the start of the
            # day after.
            "quiet_before": start_of(quiet_from + timedelta(days=1), self.zone),
        }


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _title(company: str | None, role_title: str | None) -> str:
    return f"{company} — {role_title}" if company and role_title else company or role_title or ""


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


Found = tuple[list[AgendaItem], int]  # a rule's items (capped) and how many there are
Rows = list[Any]  # a rule's rows, read by column label (`row["id"]`)

# The rules' statement is built once per dialect (`_rules`) and reused with the moment's bound
# values (Clock.values): building a SELECT cost more Python time than PostgreSQL took to run
# it, and a statement object that is reused keeps SQLAlchemy's compiled cache key memoised.
_USER: ColumnElement[Any] = bindparam("user_id")


def _counted(statement: AnySelect, *order: Any) -> AnySelect:
    """The statement in `order`, capped at `limit` rows, each carrying its rank in that order
    and the uncapped total (windows)."""
    return (
        statement.add_columns(
            func.row_number(type_=Integer).over(order_by=order).label("rank"),
            func.count().over().label("total"),
        )
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
    )


def _total(rows: Rows) -> int:
    return rows[0]["total"] if rows else 0


def _live_application(reference: Any) -> ColumnElement[bool]:
    """The referenced application, live. The user is bound as a value: the planner then reads
    the user's applications by index instead of hashing the whole table."""
    return and_(
        col(Application.user_id) == _USER,
        col(Application.id) == reference,
        col(Application.deleted_at).is_(None),
    )


# --- the rules ------------------------------------------------------------------------------


def _feedback_awaiting_answer() -> AnySelect:
    table = FeedbackConversation
    return _counted(
        select(
            col(table.id),
            col(table.application_id),
            col(table.contact_name),
            col(table.requested_on),
            col(Application.company),
            col(Application.role_title),
        )
        .join(Application, _live_application(table.application_id))
        .where(
            col(table.user_id) == _USER,
            col(table.deleted_at).is_(None),
            col(table.status) == FeedbackStatus.requested,
            col(table.requested_on) <= bindparam("requested_by"),
        ),
        col(table.requested_on),
        col(table.id),
    )


def feedback_awaiting_answer(rows: Rows, at: Clock) -> Found:
    wait = at.params.feedback_wait_days
    total = _total(rows)
    items = [
        _item(
            at,
            AgendaKind.feedback_awaiting_answer,
            _title(row["company"], row["role_title"]),
            f"You asked {row['contact_name']} for feedback "
            f"{_days((at.today - row['requested_on']).days)} ago and have not heard back. "
            "A short, friendly reminder often gets an answer; if it stays quiet, mark the "
            "request as no_response and put your energy elsewhere.",
            RecordLink(
                type=RecordType.feedback_conversation,
                id=row["id"],
                application_id=row["application_id"],
            ),
            due_on=row["requested_on"] + timedelta(days=wait),
        )
        for row in rows
    ]
    return items, total


def _call_upcoming() -> AnySelect:
    table = FeedbackConversation
    return _counted(
        select(
            col(table.id),
            col(table.application_id),
            col(table.contact_name),
            col(table.scheduled_at),
            col(Application.company),
            col(Application.role_title),
        )
        .join(Application, _live_application(table.application_id))
        .where(
            col(table.user_id) == _USER,
            col(table.deleted_at).is_(None),
            col(table.status) == FeedbackStatus.scheduled,
            col(table.scheduled_at) >= bindparam("now"),
            col(table.scheduled_at) < bindparam("window_end"),
        ),
        col(table.scheduled_at),
        col(table.id),
    )


def call_upcoming(rows: Rows, at: Clock) -> Found:
    total = _total(rows)
    items = [
        _item(
            at,
            AgendaKind.call_upcoming,
            _title(row["company"], row["role_title"]),
            f"Feedback conversation with {row['contact_name']} coming up. Have your few questions "
            "ready, keep to the time you asked for, thank them, and ask to stay in touch.",
            RecordLink(
                type=RecordType.feedback_conversation,
                id=row["id"],
                application_id=row["application_id"],
            ),
            due_at=row["scheduled_at"],
        )
        for row in rows
    ]
    return items, total


def _interview_upcoming() -> AnySelect:
    table = Interview
    return _counted(
        select(
            col(table.id),
            col(table.application_id),
            col(table.kind),
            col(table.scheduled_at),
            col(Application.company),
            col(Application.role_title),
        )
        .join(Application, _live_application(table.application_id))
        .where(
            col(table.user_id) == _USER,
            col(table.deleted_at).is_(None),
            col(table.scheduled_at) >= bindparam("now"),
            col(table.scheduled_at) < bindparam("window_end"),
        ),
        col(table.scheduled_at),
        col(table.id),
    )


def interview_upcoming(rows: Rows, at: Clock) -> Found:
    total = _total(rows)
    items = [
        _item(
            at,
            AgendaKind.interview_upcoming,
            _title(row["company"], row["role_title"]),
            f"{_INTERVIEW_LABELS.get(row['kind'], 'Interview')} coming up. Rehearse your stories "
            "out loud and note what you want to learn about the team.",
            RecordLink(
                type=RecordType.interview, id=row["id"], application_id=row["application_id"]
            ),
            due_at=row["scheduled_at"],
        )
        for row in rows
    ]
    return items, total


def _stay_in_touch_due() -> AnySelect:
    table = FeedbackConversation
    return _counted(
        select(
            col(table.id),
            col(table.application_id),
            col(table.contact_name),
            col(table.follow_up_on),
            col(Application.company),
            col(Application.role_title),
        )
        .join(Application, _live_application(table.application_id))
        .where(
            col(table.user_id) == _USER,
            col(table.deleted_at).is_(None),
            col(table.stay_in_touch).is_(True),
            col(table.follow_up_on) <= bindparam("last_day"),
        ),
        col(table.follow_up_on),
        col(table.id),
    )


def stay_in_touch_due(rows: Rows, at: Clock) -> Found:
    total = _total(rows)
    items = [
        _item(
            at,
            AgendaKind.stay_in_touch_due,
            _title(row["company"], row["role_title"]),
            f"{row['contact_name']} was open to staying in touch. A short note now keeps the "
            "relationship warm, and roles that close often open again.",
            RecordLink(
                type=RecordType.feedback_conversation,
                id=row["id"],
                application_id=row["application_id"],
            ),
            due_on=row["follow_up_on"],
        )
        for row in rows
    ]
    return items, total


def _contact_follow_up_due() -> AnySelect:
    table = Contact
    return _counted(
        select(
            col(table.id),
            col(table.name),
            col(table.company),
            col(table.last_contacted_on),
            col(table.next_follow_up_on),
        ).where(
            col(table.user_id) == _USER,
            col(table.deleted_at).is_(None),
            col(table.next_follow_up_on) <= bindparam("last_day"),
        ),
        col(table.next_follow_up_on),
        col(table.id),
    )


def contact_follow_up_due(rows: Rows, at: Clock) -> Found:
    total = _total(rows)
    items = []
    for row in rows:
        last = (
            f" You last spoke on {row['last_contacted_on'].isoformat()}."
            if row["last_contacted_on"]
            else ""
        )
        items.append(
            _item(
                at,
                AgendaKind.contact_follow_up_due,
                _title(row["name"], row["company"]),
                f"You planned to get back in touch with {row['name']}.{last} A brief, genuine "
                "message is enough to keep the connection alive.",
                RecordLink(type=RecordType.contact, id=row["id"]),
                due_on=row["next_follow_up_on"],
            )
        )
    return items, total


@dataclass(frozen=True)
class _Steps:
    """A reflection's next steps expanded into rows by the database."""

    source: Any
    text: ColumnElement[str]
    due_on: ColumnElement[date]
    open: ColumnElement[bool]
    index: ColumnElement[int]
    id: ColumnElement[str]


def _next_steps(dialect: str) -> _Steps:
    if dialect == "postgresql":
        steps = (
            func.jsonb_array_elements(col(Reflection.next_steps))
            .table_valued(column("value", JSONB), with_ordinality="position")
            .render_derived(name="step")
        )
        value = steps.c.value
        return _Steps(
            source=steps,
            text=value["text"].astext,
            due_on=value["due_on"].astext.cast(Date),
            open=func.coalesce(value["done"].astext, "false") != "true",
            index=type_coerce(steps.c.position - 1, Integer),
            id=value["id"].astext,
        )
    steps = func.json_each(col(Reflection.next_steps)).table_valued("key", "value").alias("step")
    value = steps.c.value
    return _Steps(
        source=steps,
        text=func.json_extract(value, "$.text", type_=String),
        due_on=type_coerce(func.json_extract(value, "$.due_on"), Date),
        open=func.coalesce(func.json_extract(value, "$.done"), 0) == 0,
        index=type_coerce(steps.c.key, Integer),
        id=func.json_extract(value, "$.id", type_=String),
    )


def _next_steps_statement(dialect: str) -> AnySelect:
    """Open next steps, dated ones (due by the horizon's end) and undated ones ranked apart,
    each group capped at `limit` and carrying its own total: one expansion of the JSON for
    both rules instead of one per rule."""
    steps = _next_steps(dialect)
    undated = steps.due_on.is_(None)
    # Undated steps all have a NULL due_on, so the shared order is theirs without it.
    order = (steps.due_on, col(Reflection.created_at), col(Reflection.id), steps.index)
    ranked = (
        select(
            col(Reflection.id).label("id"),
            col(Reflection.application_id).label("application_id"),
            steps.text.label("text"),
            steps.due_on.label("due_on"),
            steps.index.label("step_index"),
            steps.id.label("step_id"),
            col(Application.company).label("company"),
            col(Application.role_title).label("role_title"),
            func.row_number(type_=Integer).over(partition_by=undated, order_by=order).label("rank"),
            func.count().over(partition_by=undated).label("total"),
        )
        .select_from(Reflection)
        .join(steps.source, true())
        .outerjoin(Application, _live_application(Reflection.application_id))
        .where(
            col(Reflection.user_id) == _USER,
            col(Reflection.deleted_at).is_(None),
            steps.open,
            or_(steps.due_on <= bindparam("last_day"), undated),
        )
        .subquery("ranked")
    )
    return select(ranked).where(ranked.c.rank <= bindparam("limit", type_=Integer))


def next_steps(rows: Rows, at: Clock) -> tuple[Found, Found]:
    """Open next steps due by the horizon's end, and those without a due date."""
    found: dict[bool, Found] = {True: ([], 0), False: ([], 0)}  # dated -> (items, total)
    for row in rows:
        dated = row["due_on"] is not None
        about = _title(row["company"], row["role_title"])
        source = f"your reflection on {about}" if about else "one of your reflections"
        reason = (
            f"A next step you set in {source}."
            if dated
            else f"A next step you set in {source}, with no due date yet. Giving it a date "
            "makes it far more likely to happen."
        )
        items, _ = found[dated]
        items.append(
            _item(
                at,
                AgendaKind.next_step_due if dated else AgendaKind.next_step_open,
                row["text"],
                reason,
                RecordLink(
                    type=RecordType.reflection,
                    id=row["id"],
                    application_id=row["application_id"],
                    next_step_index=row["step_index"],
                    next_step_id=row["step_id"],
                ),
                due_on=row["due_on"],
            )
        )
        found[dated] = (items, row["total"])
    return found[True], found[False]


def _greatest(dialect: str, *values: Any) -> ColumnElement[datetime]:
    name = "greatest" if dialect == "postgresql" else "max"  # SQLite's scalar max()
    return getattr(func, name)(*values, type_=UTCDateTime())


def _possibly_ghosted(dialect: str) -> AnySelect:
    user = _USER
    # An interview is active at its last change and at its scheduled time: one read of the
    # table gives both (SQLite's max() of a NULL is NULL, hence the coalesce).
    interview_at = _greatest(
        dialect,
        col(Interview.updated_at),
        func.coalesce(col(Interview.scheduled_at), col(Interview.updated_at)),
    )
    activity = union_all(
        select(
            col(Interview.application_id).label("application_id"), interview_at.label("at")
        ).where(col(Interview.user_id) == user, col(Interview.deleted_at).is_(None)),
        select(col(Outcome.application_id), col(Outcome.updated_at)).where(
            col(Outcome.user_id) == user, col(Outcome.deleted_at).is_(None)
        ),
        select(
            col(FeedbackConversation.application_id), col(FeedbackConversation.updated_at)
        ).where(
            col(FeedbackConversation.user_id) == user,
            col(FeedbackConversation.deleted_at).is_(None),
        ),
    ).subquery("activity")
    latest = (
        select(activity.c.application_id, func.max(activity.c.at).label("at"))
        .group_by(activity.c.application_id)
        .subquery("latest")
    )
    last_activity = _greatest(
        dialect,
        col(Application.updated_at),
        func.coalesce(latest.c.at, col(Application.updated_at)),
    )
    return _counted(
        select(
            col(Application.id),
            col(Application.company),
            col(Application.role_title),
            col(Application.stage),
            last_activity.label("last_activity"),
        )
        .outerjoin(latest, latest.c.application_id == col(Application.id))
        .where(
            col(Application.user_id) == user,
            col(Application.deleted_at).is_(None),
            one_of(col(Application.stage), OPEN_STAGES),
            last_activity < bindparam("quiet_before"),
        ),
        last_activity,
        col(Application.id),
    )


def possibly_ghosted(rows: Rows, at: Clock) -> Found:
    """Open applications whose last activity (their own last change, or the latest change or
    scheduled time of their interviews, outcomes and feedback conversations) was
    `quiet_days` or more local days ago. Only reported: the stage is the user's to change."""
    total = _total(rows)
    items = []
    for row in rows:
        last_day = at.local_day(row["last_activity"])
        items.append(
            _item(
                at,
                AgendaKind.possibly_ghosted,
                _title(row["company"], row["role_title"]),
                f"No news for {_days((at.today - last_day).days)}. Were you ghosted? If so, "
                "record a ghosted outcome; if it may still be open, a polite check-in with the "
                f"recruiter is fair. The stage stays {row['stage']} until you change it.",
                RecordLink(type=RecordType.application, id=row["id"], application_id=row["id"]),
                due_on=last_day + timedelta(days=at.params.quiet_days),
            )
        )
    return items, total


def _reflection_missing() -> AnySelect:
    reflected = exists().where(
        col(Reflection.user_id) == _USER,
        col(Reflection.outcome_id) == col(Outcome.id),
        col(Reflection.deleted_at).is_(None),
    )
    return _counted(
        select(
            col(Outcome.id),
            col(Outcome.application_id),
            col(Outcome.kind),
            col(Outcome.received_on),
            col(Application.company),
            col(Application.role_title),
        )
        .join(Application, _live_application(Outcome.application_id))
        .where(
            col(Outcome.user_id) == _USER,
            col(Outcome.deleted_at).is_(None),
            one_of(col(Outcome.kind), REFLECT_ON),
            ~reflected,
        ),
        col(Outcome.received_on),
        col(Outcome.id),
    )


def reflection_missing(rows: Rows, at: Clock) -> Found:
    total = _total(rows)
    items = [
        _item(
            at,
            AgendaKind.reflection_missing,
            _title(row["company"], row["role_title"]),
            f"The {_OUTCOME_NOUNS.get(row['kind'], row['kind'])} of "
            f"{row['received_on'].isoformat()} has no reflection yet. When you are ready, look "
            "back with curiosity rather than judgment: what you learned, what went well, and "
            "one concrete next step.",
            RecordLink(type=RecordType.outcome, id=row["id"], application_id=row["application_id"]),
            due_on=row["received_on"],
        )
        for row in rows
    ]
    return items, total


# --- every rule in one statement ----------------------------------------------------------


@functools.cache
def _rules(dialect: str) -> Batch:
    """The rules' statements as the branches of one UNION ALL: one round trip and one
    execution instead of eight, each rule's rows in its order (`rank`) under its name."""
    return Batch(
        {
            "feedback_awaiting_answer": _feedback_awaiting_answer(),
            "call_upcoming": _call_upcoming(),
            "interview_upcoming": _interview_upcoming(),
            "stay_in_touch_due": _stay_in_touch_due(),
            "contact_follow_up_due": _contact_follow_up_due(),
            "next_steps": _next_steps_statement(dialect),
            "possibly_ghosted": _possibly_ghosted(dialect),
            "reflection_missing": _reflection_missing(),
        },
        order_by="rank",
    )


# --- the agenda -----------------------------------------------------------------------------


def _item(
    at: Clock,
    kind: AgendaKind,
    title: str,
    reason: str,
    record: RecordLink,
    *,
    due_on: date | None = None,
    due_at: datetime | None = None,
) -> AgendaItem:
    if due_at is not None:
        due_on = at.local_day(due_at)
    return AgendaItem(
        kind=kind,
        title=title,
        reason=reason,
        due_on=due_on,
        due_at=due_at,
        overdue=due_on is not None and due_on < at.today,
        record=record,
    )


_KIND_ORDER = {kind: position for position, kind in enumerate(AgendaKind)}
_NEVER = datetime.min.replace(tzinfo=UTC)


def _sort_key(item: AgendaItem) -> tuple[Any, ...]:
    """Dated items by day (so overdue ones come first), untimed before timed on the same day;
    next steps without a date last. Ties keep each rule's own (database) order."""
    return (
        item.due_on is None,
        item.due_on or date.max,
        item.due_at or _NEVER,
        _KIND_ORDER[item.kind],
    )


async def build_agenda(
    executor: Executor, caller: Caller, params: AgendaParams, now: datetime
) -> Agenda:
    """The caller's agenda as of `now` (an aware datetime), in the caller's time zone."""
    async with planned_for_these_values(executor) as tx:
        zone = await user_zone(tx, caller.id)
        return await _agenda_in(tx, caller, params, now, zone)


async def _agenda_in(
    executor: Executor, caller: Caller, params: AgendaParams, now: datetime, zone: ZoneInfo
) -> Agenda:
    today = now.astimezone(zone).date()
    last_day = today + timedelta(days=params.horizon_days)
    at = Clock(
        user_id=caller.id,
        zone=zone,
        now=now.astimezone(UTC),
        today=today,
        last_day=last_day,
        window_end=start_of(last_day + timedelta(days=1), zone),
        params=params,
    )
    rows = await _rules(executor.dialect).rows(executor, at.values)
    steps_due, steps_open = next_steps(rows["next_steps"], at)
    found = {
        AgendaKind.feedback_awaiting_answer: feedback_awaiting_answer(
            rows["feedback_awaiting_answer"], at
        ),
        AgendaKind.call_upcoming: call_upcoming(rows["call_upcoming"], at),
        AgendaKind.interview_upcoming: interview_upcoming(rows["interview_upcoming"], at),
        AgendaKind.stay_in_touch_due: stay_in_touch_due(rows["stay_in_touch_due"], at),
        AgendaKind.contact_follow_up_due: contact_follow_up_due(rows["contact_follow_up_due"], at),
        AgendaKind.next_step_due: steps_due,
        AgendaKind.next_step_open: steps_open,
        AgendaKind.possibly_ghosted: possibly_ghosted(rows["possibly_ghosted"], at),
        AgendaKind.reflection_missing: reflection_missing(rows["reflection_missing"], at),
    }
    counts = {kind.value: total for kind, (_, total) in found.items()}
    items = sorted((item for rule, _ in found.values() for item in rule), key=_sort_key)
    return Agenda(
        items=items,
        counts=AgendaCounts(**counts, total=sum(counts.values())),
        today=today,
        timezone=zone.key,
    )


@functools.cache
def _quiet_statement(dialect: str) -> AnySelect:
    return _possibly_ghosted(dialect)


async def quiet_applications(
    executor: Executor, caller: Caller, quiet_days: int, now: datetime, limit: int
) -> tuple[list[Any], date]:
    """The open applications the agenda calls possibly ghosted after `quiet_days` without
    news (the same rule), oldest news first, and the caller's local today."""
    async with planned_for_these_values(executor) as tx:
        zone = await user_zone(tx, caller.id)
        today = now.astimezone(zone).date()
        values = {
            "user_id": caller.id,
            "limit": limit,
            # As Clock.values: quiet since local day D means today - D >= quiet_days.
            "quiet_before": start_of(today - timedelta(days=quiet_days - 1), zone),
        }
        return list(await tx.rows(_quiet_statement(tx.dialect), values)), today
