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

from app.core.errors import FieldError, ProblemError, continue_sentence


def encode_token(payload: dict[str, object]) -> str:
    # orjson: the bytes json.dumps wrote with these separators (UTF-8 where it escaped), in a
    # twentieth of the time; every list page writes two tokens.
    raw = orjson.dumps(payload, default=str)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


NOT_ISSUED = (
    "This is not a token the API issued; send back a `next_cursor` or `sync_token` exactly as "
    "a response gave it."
)


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
        f"`{field}` cannot be read: {continue_sentence(message)}",
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


# A timestamp whose `+` arrived as a space: the query string was not percent-encoded, and a
# `+` there means a space. Nothing else the parameter accepts holds a space, so it is read back.
_UNENCODED_PLUS = re.compile(r"(\d{4}-\d{2}-\d{2}[Tt ][\d:.]+) (\d{2}(?::?\d{2})?)")

NOT_SINCE = (
    "Send the `sync_token` of an earlier list response, or an RFC 3339 timestamp with a time "
    "zone such as `2025-06-30T09:30:00Z`; in a query string, percent-encode a `+` as `%2B`."
)


def parse_updated_since(value: str) -> int | datetime:
    """A sync token gives a change sequence; an RFC 3339 timestamp is accepted too, also with
    its `+` turned into a space by a client that did not percent-encode it."""
    if unencoded := _UNENCODED_PLUS.fullmatch(value):
        value = f"{unencoded[1]}+{unencoded[2]}"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            return parse_seq(decode_token(value, "updated_since").get("s"))
        except (ValueError, ProblemError):
            raise invalid_token(
                "updated_since",
                f"This is neither a sync token the API issued nor a timestamp. {NOT_SINCE}",
            ) from None
    if moment.tzinfo is None:
        raise invalid_token(
            "updated_since",
            "This timestamp has no time zone: add one, e.g. `Z` for UTC "
            "(`2025-06-30T09:30:00Z`); percent-encode a `+` offset as `%2B`.",
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise invalid_token(
            "updated_since", "This timestamp is out of range: use a year from 1 to 9999."
        ) from None
