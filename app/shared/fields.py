"""Field types with the caps every free-text value and list carries."""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from app.shared.json_input import DATE_TEXT

# The characters str.strip() removes (str.isspace), spelled out so that the documented pattern
# means the same in JSON Schema's ECMA-262 regexes as here (their `\s` differ).
_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Unanchored: somewhere, a character that is neither a space nor U+0000 (which no text may hold,
# app/shared/json_input.py, and which the pattern must not match to be combined with that rule).
NOT_BLANK = rf"[^{_SPACE}\x00]"


class Documented:
    """JSON Schema keywords stating a rule that a validator enforces, so that clients (and
    Schemathesis) know which values are valid before sending them."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(core_schema), **self.keywords}


class _Enforced(Documented):
    """A rule stated in the schema and enforced by one validator, from the same object."""

    def __init__(self, message: str, **keywords: Any) -> None:
        super().__init__(**keywords)
        self.message = message

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def check(self, value: Any) -> Any:
        raise NotImplementedError


class KnownKey(_Enforced):
    """A key of a guidance catalogue: documented as an enum, refused with `message` otherwise."""

    def __init__(self, keys: Iterable[str], message: str) -> None:
        self.keys = frozenset(keys)
        super().__init__(message, enum=sorted(self.keys))

    def check(self, value: Any) -> Any:
        if value not in self.keys:
            raise ValueError(self.message)
        return value


class OnePerKey(_Enforced):
    """For a list of objects keyed by `field`: each of the known keys at most once."""

    def __init__(self, field: str, keys: Iterable[str], message: str) -> None:
        self.field = field
        super().__init__(
            message,
            allOf=[
                {
                    "contains": {"properties": {field: {"const": key}}},
                    "minContains": 0,
                    "maxContains": 1,
                }
                for key in sorted(keys)
            ],
        )

    def check(self, value: Any) -> Any:
        if len({getattr(item, self.field) for item in value}) != len(value):
            raise ValueError(self.message)
        return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This field cannot be blank.")
    return value


def _unique_tags(values: list[str]) -> list[str]:
    """As sent, tags are unique (`uniqueItems`); stored, they are trimmed, and those that
    trimming empties or makes equal to an earlier one are dropped."""
    if len(set(values)) != len(values):
        raise ValueError("Items must be unique.")
    return list(dict.fromkeys(tag for value in values if (tag := value.strip())))


# An email address: a dot-atom local part (RFC 5322) of at most 64 characters, and a host
# name of at most 253 with a dot in it. One rule, stated in the schema (`format: email` and
# this pattern) and checked here, in place of a library's unstated extras (such as refusing the
# `.test` addresses that `format: email` allows).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+"


def _email(value: str) -> str:
    local, _, host = value.rpartition("@")
    if not re.fullmatch(_EMAIL, value) or len(local) > 64 or len(host) > 253:
        raise PydanticCustomError("email_invalid", "Input should be an email address.")
    return value


def _date_text(value: Any) -> Any:
    """YYYY-MM-DD only: in a query string too, `0` is not 1970-01-01."""
    if isinstance(value, str) and not DATE_TEXT.fullmatch(value):
        raise PydanticCustomError("date_type", "Input should be a date (YYYY-MM-DD).")
    return value


def _plausible_date(value: date) -> date:
    if not date(1970, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("Dates must be between 1970-01-01 and 2100-12-31.")
    return value


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
        raise ValueError("This timestamp is out of range.") from None


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_not_blank),
    Documented(pattern=NOT_BLANK),
]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Answer = Annotated[str, StringConstraints(max_length=5_000)]
LongText = Annotated[str, StringConstraints(max_length=100_000)]
ListItem = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1_000),
    AfterValidator(_not_blank),
    Documented(pattern=NOT_BLANK),
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Tags = Annotated[
    list[Tag],
    Field(max_length=20),
    AfterValidator(_unique_tags),
    Documented(uniqueItems=True),
]
Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(_email),
    Documented(format="email", pattern=f"^{_EMAIL}$"),
]
Day = Annotated[
    date,
    BeforeValidator(_date_text),
    AfterValidator(_plausible_date),
    # The whole date, not just the year: Schemathesis then draws in-range dates directly
    # (with a year-only prefix it filters out most of what `format: date` yields).
    Documented(
        pattern="^(19[7-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        description="1970-01-01 to 2100-12-31.",
    ),
]
Rating = Annotated[int, Field(ge=1, le=5)]
Score = Annotated[int, Field(ge=0, le=10)]
# An http(s) URL: a host (with port or user info) of printable ASCII but `/?#[]`, then any path,
# query or fragment without spaces. JSON Schema's `\S` (ECMA-262) is spelled out, as regex
# engines disagree on `\s` (U+0085, U+FEFF…); IPv6 literals and raw Unicode hosts are out (a
# client sends the punycode form), and with them URLs that a URL parser refuses; so is U+0000,
# which no text may hold.
_NOT_ECMA_SPACE = r"[^\x00\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_URL_HOST = r'[!"$-.0->@-Z\\^-~]'
Url = Annotated[
    str,
    StringConstraints(
        max_length=2048, pattern=rf"^https?://{_URL_HOST}+(?:[/?#]{_NOT_ECMA_SPACE}*)?$"
    ),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Money = Annotated[int, Field(ge=0, le=100_000_000)]
Moment = Annotated[AwareDatetime, AfterValidator(_utc)]
NextStepText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500),
    AfterValidator(_not_blank),
    Documented(pattern=NOT_BLANK),
]
