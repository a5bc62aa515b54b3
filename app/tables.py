"""Every table, imported once so the metadata Alembic compares against is complete."""

from sqlmodel import SQLModel

from app.auth.models import RefreshToken
from app.users.models import User

metadata = SQLModel.metadata

__all__ = ["RefreshToken", "User", "metadata"]
