"""Companies: the caller's applications grouped by employer (`company_key`), and one
employer's whole history in one statement."""

from typing import Any

from sqlalchemy import ColumnElement, Integer, String, bindparam, case, func, select

from app.applications.models import APPLICATIONS
from app.companies.models import CompanyPage, CompanyParams, CompanySummary
from app.contacts.models import CONTACTS
from app.core.database import Executor, one_of
from app.core.errors import ProblemError
from app.core.identity import Caller
from app.feedback.models import FEEDBACK_CONVERSATIONS
from app.outcomes.models import OUTCOMES
from app.shared.batch import Batch
from app.shared.company_names import company_key
from app.shared.repository import Records
from app.shared.search import substring_pattern
from app.shared.sync import decode_token, encode_token, invalid_token

_apps = APPLICATIONS.columns.c
_outs = OUTCOMES.columns.c
# One employer's page lists this many applications at most (the latest applied).
HISTORY_LIMIT = 500


def _live(c: Any) -> ColumnElement[bool]:
    return (c.user_id == bindparam("user_id")) & c.deleted_at.is_(None)


def _summaries(filtered: bool, after: bool) -> Any:
    grouped = select(
        _apps.company_key.label("key"),
        func.count().label("applications"),
        func.max(_apps.applied_on).label("last_applied_on"),
    ).where(_live(_apps), _apps.company_key.is_not(None))
    if filtered:
        grouped = grouped.where(_apps.company_key.like(bindparam("q"), escape="\\"))
    if after:
        grouped = grouped.where(_apps.company_key > bindparam("after", type_=String))
    applications = grouped.group_by(_apps.company_key).subquery("per_company")
    outcomes = (
        select(
            _apps.company_key.label("key"),
            func.count().label("outcomes"),
            func.sum(case((_outs.kind == "rejection", 1), else_=0)).label("rejections"),
            func.sum(case((_outs.kind == "offer", 1), else_=0)).label("offers"),
        )
        .join(
            APPLICATIONS.columns,
            (_apps.user_id == _outs.user_id) & (_apps.id == _outs.application_id),
        )
        .where(_live(_outs), _apps.deleted_at.is_(None))
        .group_by(_apps.company_key)
        .subquery("outcomes_per_company")
    )
    return (
        select(
            applications.c.key,
            applications.c.applications,
            applications.c.last_applied_on,
            func.coalesce(outcomes.c.outcomes, 0).cast(Integer).label("outcomes"),
            func.coalesce(outcomes.c.rejections, 0).cast(Integer).label("rejections"),
            func.coalesce(outcomes.c.offers, 0).cast(Integer).label("offers"),
        )
        .outerjoin(outcomes, outcomes.c.key == applications.c.key)
        .order_by(applications.c.key)
        .limit(bindparam("limit"))
    )


_SUMMARIES = {(f, a): _summaries(f, a) for f in (False, True) for a in (False, True)}


def _names(keys: list[str]) -> Any:
    """The name as last written, for each key of a page."""
    return (
        select(_apps.company_key, _apps.company)
        .where(_live(_apps), one_of(_apps.company_key, keys))
        .order_by(_apps.updated_at.desc(), _apps.id.desc())
    )


def _after(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    payload = decode_token(cursor, "cursor")
    key = payload.get("v")
    if payload.get("m") != "companies" or not isinstance(key, str) or len(key) > 200:
        raise invalid_token("cursor")
    return key


async def list_companies(executor: Executor, caller: Caller, params: CompanyParams) -> CompanyPage:
    """The caller's employers in key order, with what was recorded at each."""
    after = _after(params.cursor)
    pattern = substring_pattern(company_key(params.q) or params.q) if params.q else None
    values: dict[str, Any] = {"user_id": caller.id, "limit": params.limit + 1}
    if pattern is not None:
        values["q"] = pattern
    if after is not None:
        values["after"] = after
    rows = await executor.rows(_SUMMARIES[(pattern is not None, after is not None)], values)
    page = rows[: params.limit]
    names: dict[str, str] = {}
    if page:
        keys = [row["key"] for row in page]
        for row in await executor.rows(_names(keys), {"user_id": caller.id}):
            names.setdefault(row["company_key"], row["company"])
    items = [
        CompanySummary(
            key=row["key"],
            name=names.get(row["key"], row["key"]),
            applications=row["applications"],
            outcomes=row["outcomes"],
            rejections=row["rejections"],
            offers=row["offers"],
            last_applied_on=row["last_applied_on"],
        )
        for row in page
    ]
    cursor = (
        encode_token({"m": "companies", "v": page[-1]["key"]}) if len(rows) > params.limit else None
    )
    return CompanyPage(items=items, next_cursor=cursor)


def _shown(records: Records) -> list[Any]:
    return [records.columns.c[name] for name in records.shown]


def _history() -> Batch:
    at_company = (
        select(_apps.id)
        .where(_live(_apps), _apps.company_key == bindparam("key"))
        .order_by(_apps.applied_on.desc(), _apps.id)
        .limit(HISTORY_LIMIT)
    )
    applications = at_company.with_only_columns(*_shown(APPLICATIONS))
    ids = at_company.subquery("at_company")

    def of_applications(records: Records) -> Any:
        c = records.columns.c
        return (
            select(*_shown(records))
            .where(_live(c), c.application_id.in_(select(ids.c.id)))
            .order_by(c.created_at, c.id)
        )

    contacts = CONTACTS.columns.c
    return Batch(
        {
            "applications": applications,
            "outcomes": of_applications(OUTCOMES),
            "feedback_conversations": of_applications(FEEDBACK_CONVERSATIONS),
            "contacts": select(*_shown(CONTACTS))
            .where(_live(contacts), contacts.company_key == bindparam("key"))
            .order_by(contacts.name, contacts.id),
        }
    )


_HISTORY = _history()


async def company_history(executor: Executor, caller: Caller, key: str) -> dict[str, Any]:
    """Everything recorded at the employer `key`; 404 when the caller has nothing there."""
    found = await _HISTORY.rows(executor, {"user_id": caller.id, "key": key})
    if not found["applications"] and not found["contacts"]:
        raise ProblemError(
            404,
            "You have recorded no application and no contact at a company with this key: "
            "GET /v1/companies lists the keys.",
        )
    source = found["applications"][0]["company"] if found["applications"] else None
    # CompanyHistory's shape, from rows of the shown columns: serialised once, as lists are.
    return {
        "key": key,
        "name": source or found["contacts"][0]["company"] or key,
        "applications": [APPLICATIONS.body(row) for row in found["applications"]],
        "outcomes": [OUTCOMES.body(row) for row in found["outcomes"]],
        "feedback_conversations": [
            FEEDBACK_CONVERSATIONS.body(row) for row in found["feedback_conversations"]
        ],
        "contacts": [CONTACTS.body(row) for row in found["contacts"]],
    }
