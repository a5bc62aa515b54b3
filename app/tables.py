"""Every table, imported once so the metadata Alembic compares against is complete."""

from sqlmodel import SQLModel

from app.applications.models import Application, StageChange
from app.auth.models import PasswordResetToken, RefreshToken
from app.contacts.models import Contact
from app.core.identity import User
from app.feedback.models import FeedbackConversation
from app.interviews.models import Interview
from app.outcomes.models import Outcome
from app.reflections.models import Reflection
from app.sessions.models import Session
from app.shared.idempotency import IdempotencyKey
from app.users.codes import EmailCodeRow

metadata = SQLModel.metadata

__all__ = [
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
