"""Reads of the alerts area: the feeds for the administrators' page, and the CAP origin of a report (shown
on the report's page, to whoever may see that report)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from coordination.alerts.models import AlertFeed, ExternalAlert


@dataclass(frozen=True)
class FeedRow:
    feed: AlertFeed
    alerts: int  # CAP messages taken in from it
    items: int  # of which became reports


def feed_rows(*, session: Session, viewer) -> list[FeedRow]:
    """Every feed with its counts, for an administrator (nobody else sees the feeds)."""
    if not viewer.is_admin:
        return []
    counts = {
        feed_id: (alerts, items)
        for feed_id, alerts, items in session.exec(
            select(ExternalAlert.feed_id, func.count(), func.count(ExternalAlert.report_id)).group_by(
                ExternalAlert.feed_id
            )
        )
    }
    feeds = session.exec(select(AlertFeed).order_by(AlertFeed.name)).all()
    return [FeedRow(feed, *counts.get(feed.id, (0, 0))) for feed in feeds]


def get_feed(*, session: Session, viewer, feed_id: int) -> AlertFeed | None:
    """A feed, for an administrator; None for anyone else."""
    return session.get(AlertFeed, feed_id) if viewer.is_admin else None


@dataclass(frozen=True)
class ExternalOrigin:
    """Where a report taken in from a CAP feed came from."""

    feed: str
    sender: str
    identifier: str
    sent: datetime
    msg_type: str
    web: str | None
    source_url: str | None
    cancelled_at: datetime | None  # when the sender cancelled the alert (of the thread's first alert)


def origin_of_report(*, session: Session, report_id: int) -> ExternalOrigin | None:
    """The CAP message a report was made from, if any. The caller shows it only with a report its reader
    may see."""
    found = session.exec(
        select(ExternalAlert, AlertFeed)
        .join(AlertFeed, AlertFeed.id == ExternalAlert.feed_id)
        .where(ExternalAlert.report_id == report_id)
    ).first()
    if found is None:
        return None
    alert, feed = found
    first = session.get(ExternalAlert, alert.amends_id) if alert.amends_id else alert
    return ExternalOrigin(
        feed=feed.name,
        sender=alert.sender,
        identifier=alert.identifier,
        sent=alert.sent,
        msg_type=alert.msg_type,
        web=alert.web,
        source_url=alert.source_url,
        cancelled_at=first.cancelled_at,
    )
