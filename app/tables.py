"""Every table, imported once so the metadata Alembic compares against is complete; and every
collection a client syncs."""

from sqlmodel import SQLModel

from app.applications.models import APPLICATIONS, Application, StageChange
from app.auth.models import PasswordResetToken, RefreshToken
from app.contacts.models import CONTACTS, Contact
from app.core.identity import User
from app.feedback.models import FEEDBACK_CONVERSATIONS, FeedbackConversation
from app.interviews.models import INTERVIEWS, Interview
from app.outcomes.models import OUTCOMES, Outcome
from app.reflections.models import REFLECTIONS, Reflection
from app.sessions.models import Session
from app.shared.idempotency import IdempotencyKey
from app.shared.repository import Records
from app.users.codes import EmailCodeRow

metadata = SQLModel.metadata

# Every syncable collection, by its path segment (`/v1/<segment>`): its list takes
# `updated_since`, and GET /v1/changes (app/changes/) reads them all, in this order of
# documentation. A new collection is added here beside its table, and so joins the feed
# (tests/changes/test_changes_feed.py fails on a list with `updated_since` left out).
COLLECTIONS: dict[str, Records] = {
    "applications": APPLICATIONS,
    "interviews": INTERVIEWS,
    "outcomes": OUTCOMES,
    "feedback-conversations": FEEDBACK_CONVERSATIONS,
    "reflections": REFLECTIONS,
    "contacts": CONTACTS,
}

__all__ = [
    "COLLECTIONS",
    "Application",
    "Contact",
    "EmailCodeRow",
    "FeedbackConversation",
    "IdempotencyKey",
    "Interview",
    "Outcome",
    "PasswordResetToken",
    "RefreshToken",
    "Reflection",
    "Session",
    "StageChange",
    "User",
    "metadata",
]
