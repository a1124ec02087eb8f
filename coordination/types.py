"""Column types shared by every domain area."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database; always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times are stored in UTC and must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


MAX_ID = 2**31 - 1  # ids are PostgreSQL integers: anything larger cannot name a record
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class RequestBody(BaseModel):
    """Base of every API request body: a field the API does not know is refused (422 naming it), not
    silently dropped."""

    model_config = ConfigDict(extra="forbid")


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the range of dates and years the platform plans and records in
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def _moment_as_text(value):
    """A time arrives as ISO 8601 text: a number would otherwise be read as a Unix time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("give a date and time as ISO 8601 text, e.g. 2026-03-01T09:30:00+01:00")
    return value


def _moment_in_range(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give a time zone, e.g. 2026-03-01T09:30:00+01:00 or ...Z")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"give a date between {FIRST_YEAR} and {LAST_YEAR}")
    return value


Moment = Annotated[datetime, BeforeValidator(_moment_as_text), AfterValidator(_moment_in_range)]
"""A date and time in a request: ISO 8601 text with a time zone, between FIRST_YEAR and LAST_YEAR."""


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("give a title: it cannot be empty or only spaces")
    return value


Title = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_not_blank)]
"""A title or name in a request: trimmed, never empty or only spaces (`Field(min_length=...,
max_length=...)` bounds it, counted after trimming)."""
