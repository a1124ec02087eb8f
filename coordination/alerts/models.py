"""CAP feeds an administrator configured, and the alerts taken in from them with their CAP identity."""

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.types import UTCDateTime, utcnow


class AlertFeed(SQLModel, table=True):
    """A feed polled every `poll_minutes`; after a failure, again after a backoff (`next_poll_at`).
    Its items are posted in the name of `owner_id`, the administrator accountable for the feed."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    url: str = Field(max_length=500)
    poll_minutes: int = Field(default=15)
    enabled: bool = True
    owner_id: int = Field(foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    failures: int = 0  # consecutive failed polls
    next_poll_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ExternalAlert(SQLModel, table=True):
    """One CAP message taken in, once (sender, identifier and sent identify it). An update or cancel
    amends the first alert of its thread (`amends_id`) and its report is an update of that alert's."""

    __table_args__ = (
        UniqueConstraint("sender", "identifier", "sent", name="uq_externalalert_message"),
        Index("ix_externalalert_feed_received", "feed_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="alertfeed.id")
    sender: str = Field(max_length=255)
    identifier: str = Field(max_length=255)
    sent: datetime = Field(sa_type=UTCDateTime)
    msg_type: str = Field(max_length=10)
    status: str = Field(max_length=10)
    references: str = Field(default="", sa_type=Text)
    amends_id: int | None = Field(default=None, foreign_key="externalalert.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="fieldreport.id", index=True)
    countries: str = Field(default="", max_length=200)  # alpha-3 codes, space-separated
    web: str | None = Field(default=None, max_length=500)
    source_url: str | None = Field(default=None, max_length=500)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # of a first alert
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    xml: str = Field(sa_type=Text)
