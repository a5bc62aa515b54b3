"""Delta sync: a per-user change sequence, assigned inside the writing transaction.

Every write first takes the next number from `users.change_seq` (`next_change_seq` in
app/shared/repository.py: an UPDATE, so it holds the user's row lock until commit). Writes of
one user therefore commit in sequence order, and a reader that has seen sequence N committed
has seen everything below N: "changes with a sequence above the token" never misses a row that
committed late, unlike `updated_at > t`.
"""

import base64
import binascii
import re
from datetime import UTC, datetime

import orjson

from app.core.errors import FieldError, ProblemError


def encode_token(payload: dict[str, object]) -> str:
    # orjson: the bytes json.dumps wrote with these separators (UTF-8 where it escaped), in a
    # twentieth of the time; every list page writes two tokens.
    raw = orjson.dumps(payload, default=str)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


NOT_ISSUED = "This token is not one the API issued."


def decode_token(token: str, field: str) -> dict[str, object]:
    """The payload of a token the API wrote, or 422. Every value in it is still the client's:
    the reader checks each one's type and range (`read_cursor`, `parse_seq`)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = orjson.loads(raw)  # nesting beyond 1024 levels is a JSONDecodeError
    except (binascii.Error, ValueError):
        raise invalid_token(field) from None
    if not isinstance(payload, dict):
        raise invalid_token(field)
    return payload


def invalid_token(field: str, message: str = NOT_ISSUED) -> ProblemError:
    """A cursor or sync token (or timestamp) the API cannot read: 422 naming the parameter."""
    return ProblemError(
        422,
        f"`{field}` is not valid: see `errors`.",
        slug="invalid-cursor",
        errors=[FieldError(field=f"query.{field}", message=message, code="invalid")],
    )


MAX_SEQ = 2**63 - 1  # BIGINT


def parse_seq(value: object) -> int:
    """A change sequence from a token: a non-negative BIGINT, never a bool."""
    if type(value) is not int or not 0 <= value <= MAX_SEQ:
        raise ValueError("not a change sequence")
    return value


def sync_token(seq: int) -> str:
    return encode_token({"s": seq})


# A timestamp whose `+` arrived as a space: the query string was not percent-encoded.
_UNENCODED_PLUS = re.compile(r"\d{4}-\d{2}-\d{2}[T ][\d:.]+ \d{2}:?\d{2}")


def parse_updated_since(value: str) -> int | datetime:
    """A sync token gives a change sequence; an RFC 3339 timestamp is accepted too."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if _UNENCODED_PLUS.fullmatch(value):
            raise invalid_token(
                "updated_since",
                "This looks like a timestamp whose `+` was not percent-encoded: "
                "send `+` as `%2B` in a query string, or use `Z`.",
            ) from None
        try:
            return parse_seq(decode_token(value, "updated_since").get("s"))
        except ValueError:
            raise invalid_token("updated_since") from None
    if moment.tzinfo is None:
        raise invalid_token("updated_since", "A timestamp needs a time zone, e.g. `Z`.")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise invalid_token("updated_since", "This timestamp is out of range.") from None
