from datetime import datetime

from sqlalchemy import String, Text
from sqlmodel import Field, SQLModel

from coordination.notifications.enums import EmailPreference, EmailState
from coordination.types import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    link: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_state: EmailState = Field(default=EmailState.pending, sa_type=String(10), index=True)
    emailed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationSettings(SQLModel, table=True):
    """A person's e-mail preference and the digest of their personal feed token."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    email: EmailPreference = Field(default=EmailPreference.immediately, sa_type=String(20))
    feed_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    last_digest_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
