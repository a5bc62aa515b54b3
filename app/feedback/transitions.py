"""Which status a feedback conversation may move to: forward only, steps may be skipped."""

from app.core.errors import ProblemError

_FORWARD = ("planned", "requested", "scheduled", "completed")
_CLOSING = ("declined", "no_response")


def allowed_next(status: str) -> list[str]:
    """Statuses reachable from `status` (besides staying where it is)."""
    if status in ("completed", "declined"):
        return []  # finished for good
    if status == "no_response":
        return ["scheduled", "completed", "declined"]  # a late answer still counts
    later = list(_FORWARD[_FORWARD.index(status) + 1 :])
    return later + list(_CLOSING)


def check_transition(current: str, new: str) -> None:
    if new == current:
        return
    allowed = allowed_next(current)
    if new in allowed:
        return
    if not allowed:
        detail = (
            f"This conversation is `{current}`, which is final: it cannot become `{new}`, nor "
            "change status at all. To ask this person again, create a new conversation."
        )
    else:
        options = ", ".join(f"`{status}`" for status in allowed)
        detail = (
            f"A `{current}` conversation cannot become `{new}`: status only moves forward. "
            f"Send one of {options} (listed in `allowed`), or leave `status` out."
        )
    raise ProblemError(422, detail, slug="invalid-transition", allowed=allowed)
