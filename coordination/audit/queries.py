"""Reading the audit log."""

from sqlmodel import Session, select

from coordination.audit.models import AuditEvent


def recent_events(*, session: Session, limit: int = 200) -> list[AuditEvent]:
    """The latest audit events, newest first (the page keeps those its reader may know about)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.exec(query))
