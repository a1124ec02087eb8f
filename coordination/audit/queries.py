"""Reading the audit log."""

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
