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


class SignInFailure(SQLModel, table=True):
    """A failed sign-in (unknown e-mail address or wrong password), kept a little longer than the throttling
    rule looks back (`coordination.auth.throttle`). `counts_for_account` turns false when the account signs
    in or an administrator lifts its lockout; the address still counts it."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    counts_for_account: bool = Field(default=True)


class SignedInSession(SQLModel, table=True):
    """A sign-in in a browser: the session cookie and the remember-me cookie carry a random key whose
    SHA-256 digest is this row's id. Signing out deletes the row, "sign out everywhere", a password change
    and deactivation delete all of a person's rows: a saved copy of either cookie stops working at once."""

    id: str = Field(max_length=64, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UTCDateTime)
    # As of the last request that recorded it (at most one every few minutes: `auth.service.SEEN_EVERY`).
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=64)
