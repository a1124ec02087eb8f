"""Writing the append-only audit log: every change that matters, and every opening of a classified item."""

from typing import Any

from sqlmodel import Session

from coordination.audit.models import AuditEvent
from coordination.classification import Clearance


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; it commits with the change it describes."""
    event = AuditEvent(
        actor_id=actor_id, action=action, object_type=object_type, object_id=str(object_id), detail=detail
    )
    session.add(event)
    return event


def record_opening(
    session: Session, *, actor_id: int, action: str, object_type: str, object_id: object, classification: str
) -> None:
    """Audit that a person opened a classified item (unclassified ones are not audited).

    The page has read the item in a transaction of its own; that transaction ends first, so that on
    SQLite the write begins afresh and waits for the lock instead of failing on a stale snapshot."""
    if Clearance(classification) == Clearance.unclassified:
        return
    session.commit()
    record(
        session,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        classification=str(classification),
    )
    session.commit()
