"""Accounts: the users table and the profile the API shows."""

import re
import uuid
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel

from app.core.identity import User
from app.shared.fields import Documented, Email
from app.shared.records import PartialUpdate, StrictInput, with_example

PASSWORD_MIN, PASSWORD_MAX = 10, 1024
_TIMEZONES = frozenset(available_timezones())


def _identifier(zone: str) -> str:
    """The name a generated client gives the zone's enum member. Generators that make one
    from the letters and digits alone would give `GMT+0`, `GMT-0` and `GMT0` one name (and
    `Etc/GMT+1` that of `Etc/GMT-1`), so the signs are spelled out: `GMT_PLUS_0`."""
    words = re.sub(r"-(?=[0-9])", "_MINUS_", zone.replace("+", "_PLUS_"))
    return re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper()


def _identifiers(zones: list[str]) -> list[str]:
    names: dict[str, None] = {}
    for zone in zones:
        name = _identifier(zone)
        while name in names:  # no zone database has such a pair today; stay unique if one does
            name = f"{name}_{len(names)}"
        names[name] = None
    return list(names)


# Listed in the schema, so that a client knows before sending which names are accepted, each
# with the identifier generated code uses for it (`x-enum-varnames`, which openapi-python-client
# and OpenAPI Generator read). Every name the zone database has stays valid, aliases included.
_ZONE_NAMES = sorted(_TIMEZONES)
TimeZoneName = Annotated[
    str, Documented(enum=_ZONE_NAMES, **{"x-enum-varnames": _identifiers(_ZONE_NAMES)})
]


def _check_timezone(value: str | None) -> str | None:
    if value is not None and value not in _TIMEZONES:
        raise ValueError("Unknown time zone: use an IANA name such as Europe/Berlin.")
    return value


class ProfileFields(StrictInput):
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: TimeZoneName = Field(
        default="UTC", max_length=64, description="IANA zone, e.g. `Europe/Berlin`."
    )
    weekly_goal: int | None = Field(
        default=None, ge=0, le=100, description="Applications the user aims to send per week."
    )

    _known_timezone = field_validator("timezone")(_check_timezone)


class UserRegister(ProfileFields):
    model_config = with_example(  # type: ignore[assignment]
        {
            "email": "dana@example.com",
            "password": "correct horse battery",
            "display_name": "Dana",
            "timezone": "Europe/Berlin",
            "weekly_goal": 5,
        }
    )

    email: Email
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


EMAIL_BY_CODE = (
    "The email changes with POST /v1/me/email (your password, then a code mailed to the new "
    "address), not here."
)


class ProfileUpdate(PartialUpdate):
    model_config = with_example(
        {"display_name": "Dana", "timezone": "Europe/Lisbon", "weekly_goal": 3}
    )
    not_null = frozenset({"timezone"})

    # Not in the schema: refused with a message that names the route which does change it.
    email: SkipJsonSchema[Any] = None
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: TimeZoneName | None = Field(default=None, max_length=64)
    weekly_goal: int | None = Field(default=None, ge=0, le=100)

    _known_timezone = field_validator("timezone")(_check_timezone)

    @field_validator("email", mode="before")
    @classmethod
    def _email_by_code(cls, _value: Any) -> None:
        raise PydanticCustomError("use_email_change", EMAIL_BY_CODE)


class PasswordChange(StrictInput):
    model_config = with_example(
        {"current_password": "correct horse battery", "new_password": "a new long passphrase"}
    )

    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class AccountDeletion(StrictInput):
    model_config = with_example({"password": "correct horse battery"})

    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class UserPublic(SQLModel):
    id: uuid.UUID
    email: str
    email_verified: bool = Field(
        description="True once a code mailed to `email` was entered (sign-up or email change)."
    )
    display_name: str | None
    timezone: str
    weekly_goal: int | None
    created_at: datetime
    updated_at: datetime
    version: int


# The columns a profile is read from (with `version`, its ETag's).
PROFILE_COLUMNS = [User.__table__.c[name] for name in UserPublic.model_fields]  # type: ignore[attr-defined]


class EmailChange(StrictInput):
    model_config = with_example(
        {"new_email": "dana.new@example.com", "current_password": "correct horse battery"}
    )

    new_email: Email
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class EmailCode(StrictInput):
    model_config = with_example({"code": "123456"})

    code: str = Field(
        min_length=6, max_length=6, regex=r"^[0-9]{6}$", description="The 6 digits mailed."
    )


class Accepted(SQLModel):
    message: str
