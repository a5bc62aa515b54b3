"""Field types with the caps every free-text value and list carries."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("This field cannot be blank.")
    return value


def _no_duplicates(values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise ValueError("Items must be unique.")
    return values


def _plausible_date(value: date) -> date:
    if not date(1970, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("Dates must be between 1970-01-01 and 2100-12-31.")
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_not_blank)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=10_000)]
Answer = Annotated[str, StringConstraints(max_length=5_000)]
ListItem = Annotated[
    str, StringConstraints(min_length=1, max_length=1_000), AfterValidator(_not_blank)
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_no_duplicates)]
Day = Annotated[date, AfterValidator(_plausible_date)]
Rating = Annotated[int, Field(ge=1, le=5)]
Score = Annotated[int, Field(ge=0, le=10)]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://\S+$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Money = Annotated[int, Field(ge=0, le=100_000_000)]
Moment = Annotated[AwareDatetime, AfterValidator(_utc)]
NextStepText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(_not_blank)
]
