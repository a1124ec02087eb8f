"""Reading the audit log."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from coordination.audit.chain import Problem, Verification, verify_latest
from coordination.audit.models import AuditEvent


def recent_events(*, session: Session, limit: int = 200) -> list[AuditEvent]:
    """The latest audit events, newest first (the page keeps those its reader may know about)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.exec(query))


def chain_state(*, session: Session, latest: int = 1000) -> tuple[Verification, list[Problem]]:
    """The hash chain's head and the problems among its latest events (for the administrators' page)."""
    return verify_latest(session, latest)


def _filtered(
    *,
    actor_id: int | None = None,
    action_prefix: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """The log's events by who, what (the start of the action, as "report." or "decision.adopt") and when
    ([since, until)), newest first."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return query


def _older_than(query, event_id: int):
    """Keyset: the events after this one in the log's order (newest first)."""
    at = select(AuditEvent.at).where(AuditEvent.id == event_id).scalar_subquery()
    return query.where(or_(AuditEvent.at < at, and_(AuditEvent.at == at, AuditEvent.id < event_id)))


def events(
    *, session: Session, before: int | None = None, limit: int = 200, **filters: Any
) -> list[AuditEvent]:
    """One page of the filtered log, newest first: the events after event `before` (the page's cursor)."""
    query = _filtered(**filters)
    if before is not None:
        query = _older_than(query, before)
    return list(session.exec(query.limit(limit)))


def event_batches(*, session: Session, batch: int = 1000, **filters: Any) -> Iterator[list[AuditEvent]]:
    """The whole filtered log, newest first, in batches read by keyset: what the export streams."""
    before = None
    while found := events(session=session, before=before, limit=batch, **filters):
        yield found
        if len(found) < batch:
            return
        before = found[-1].id
