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
    if new not in allowed:
        where = ", ".join(allowed) if allowed else "nothing: it is finished"
        raise ProblemError(
            422,
            f"A conversation that is {current} cannot become {new}; allowed: {where}.",
            slug="invalid-transition",
            allowed=allowed,
        )
