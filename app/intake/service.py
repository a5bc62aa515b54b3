"""Intake: read a pasted email or a posting against the caller's applications, write nothing.

The readers (message.py, posting.py) are pure; this module gives them the caller's
applications and turns their findings into drafts a client can post as they are. The text
read is neither logged nor kept.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import bindparam, or_, select

from app.applications.models import Application, ApplicationCreate, Stage
from app.core.database import Executor
from app.core.identity import Caller
from app.guidance.catalogue import REASON_KEYS
from app.intake.message import Candidate, read_message
from app.intake.models import (
    DraftApplication,
    DraftInterview,
    DraftOutcome,
    Evidence,
    FieldSource,
    MatchedApplication,
    MessageIn,
    MessageKind,
    MessageReading,
    PostingDuplicate,
    PostingIn,
    PostingReading,
)
from app.intake.posting import read_posting
from app.interviews.models import InterviewKind
from app.outcomes.models import OutcomeKind, OutcomeReason, ReasonSource
from app.shared.company_names import company_key, role_key
from app.shared.job_urls import job_url_key

_table = Application.__table__.c  # type: ignore[attr-defined]
# The applications a message is matched against: the most recently touched ones (a message
# concerns a search under way), enough for any real search.
CANDIDATES = 2_000
_STATED_REASON_CHARS = 5_000  # an outcome's stated_reason holds this much
_OUTCOME_OF = {
    MessageKind.rejection: OutcomeKind.rejection,
    MessageKind.offer: OutcomeKind.offer,
    MessageKind.on_hold: OutcomeKind.on_hold,
}

_CANDIDATES = (
    select(_table.id, _table.company, _table.role_title, _table.stage, _table.applied_on)
    .where(_table.user_id == bindparam("user_id"), _table.deleted_at.is_(None))
    .order_by(_table.updated_at.desc(), _table.id.desc())
    .limit(CANDIDATES)
)


async def _candidates(executor: Executor, caller: Caller) -> list[Candidate]:
    rows = await executor.rows(_CANDIDATES, {"user_id": caller.id})
    return [
        Candidate(row["id"], row["company"], row["role_title"], row["stage"], row["applied_on"])
        for row in rows
    ]


async def read_message_of(executor: Executor, caller: Caller, body: MessageIn) -> MessageReading:
    """What the message is, which application it concerns, and the record it calls for."""
    reading = read_message(body.text, await _candidates(executor, caller))
    kind = MessageKind(reading.kind)
    best: uuid.UUID | None = reading.matches[0].candidate.id if reading.matches else None
    reasons = [
        OutcomeReason(key=key, source=ReasonSource.stated)
        for key in dict.fromkeys(reading.reasons)
        if key in REASON_KEYS
    ]
    stated = reading.stated_reason[:_STATED_REASON_CHARS] if reading.stated_reason else None
    outcome = None
    if kind in _OUTCOME_OF:
        outcome = DraftOutcome(
            application_id=best,
            kind=_OUTCOME_OF[kind],
            received_on=body.received_on or datetime.now(UTC).date(),
            stated_reason=stated,
            reasons=reasons[:10],
            feedback_offered=reading.feedback_offered,
        )
    interview = None
    if kind is MessageKind.interview_invitation:
        interview = DraftInterview(
            application_id=best,
            kind=InterviewKind(reading.interview_kind or InterviewKind.other),
            scheduled_at=reading.interview_at,
        )
    return MessageReading(
        kind=kind,
        confidence=round(reading.confidence, 2),
        language=reading.language,
        company=reading.company,
        role_title=reading.role_title,
        matched_applications=[
            MatchedApplication(
                id=match.candidate.id,
                company=match.candidate.company,
                role_title=match.candidate.role_title,
                stage=Stage(match.candidate.stage),
                score=round(match.score, 2),
            )
            for match in reading.matches
        ],
        stated_reason=stated,
        reasons=reasons,
        feedback_offered=reading.feedback_offered,
        evidence=[Evidence(text=item.text, signal=item.signal) for item in reading.evidence],
        draft_outcome=outcome,
        draft_interview=interview,
    )


# Each draft field alone, as POST /v1/applications checks it: a value it would refuse (a
# 300-character title, a URL that is not http(s)) is left out rather than sent back.
_FIELD_CHECKS = {
    name: TypeAdapter(ApplicationCreate.model_fields[name].rebuild_annotation())
    for name in DraftApplication.model_fields
}


def _acceptable(name: str, value: Any) -> bool:
    try:
        _FIELD_CHECKS[name].validate_python(value)
    except ValidationError:
        return False
    return True


# The caller's applications at the same posting or the same employer (both keys indexed);
# the role is compared here, in Python, since SQLite's lower() knows only ASCII.
_SAME_POSTING_OR_EMPLOYER = (
    select(
        _table.id,
        _table.company,
        _table.role_title,
        _table.stage,
        _table.applied_on,
        _table.job_url_key,
    )
    .where(
        _table.user_id == bindparam("user_id"),
        _table.deleted_at.is_(None),
        or_(
            _table.job_url_key == bindparam("url_key"),
            _table.company_key == bindparam("company_key"),
        ),
    )
    .order_by(_table.applied_on.desc(), _table.id)
    .limit(500)
)


async def read_posting_of(executor: Executor, caller: Caller, body: PostingIn) -> PostingReading:
    """A draft application from the posting, and the caller's applications for it already."""
    found = read_posting(url=body.url, html=body.html, text=body.text)
    fields = {
        name: value
        for name in DraftApplication.model_fields
        if (value := getattr(found, name)) is not None and _acceptable(name, value)
    }
    if fields.get("salary_min", 0) > fields.get("salary_max", float("inf")):
        del fields["salary_min"], fields["salary_max"]
    draft = DraftApplication(**fields)
    sources = {
        name: FieldSource(source) for name, source in found.field_sources.items() if name in fields
    }
    url_key = job_url_key(draft.job_url) or job_url_key(body.url)
    company = company_key(draft.company)
    role = role_key(draft.role_title) if draft.role_title else None
    duplicates: list[PostingDuplicate] = []
    if url_key or company:
        rows = await executor.rows(
            _SAME_POSTING_OR_EMPLOYER,
            {"user_id": caller.id, "url_key": url_key, "company_key": company},
        )
        duplicates = [
            PostingDuplicate.model_validate(dict(row))
            for row in rows
            if (url_key and row["job_url_key"] == url_key) or role == role_key(row["role_title"])
        ]
    return PostingReading(draft_application=draft, field_sources=sources, duplicates=duplicates)
