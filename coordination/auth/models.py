from datetime import datetime

from pydantic import EmailStr
from sqlmodel import Field, SQLModel

from coordination.structure.models import utcnow
from coordination.types import UTCDateTime


class ApiToken(SQLModel, table=True):
    """A bearer token for the API; only its SHA-256 digest is stored."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked: bool = Field(default=False)


class TokenRequest(SQLModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(SQLModel):
    access_token: str
    token_type: str = "Bearer"
    expires_at: datetime
