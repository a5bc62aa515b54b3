"""A period asked for with `from` and `to` query parameters (both inclusive, either open)."""

from datetime import date

from app.core.errors import FieldError, ProblemError


def require_ordered(start: date | None, end: date | None) -> None:
    """422 naming `from` when the period starts after it ends."""
    if start is not None and end is not None and start > end:
        raise ProblemError(
            422,
            "`from` is after `to`: send a period whose start is on or before its end.",
            slug="validation-error",
            errors=[
                FieldError(
                    field="query.from", message="`from` cannot be after `to`.", code="date_range"
                )
            ],
        )
