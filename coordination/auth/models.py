from datetime import datetime

from sqlmodel import Field, SQLModel

from coordination.types import UTCDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = Field(default=False)
