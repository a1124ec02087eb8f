"""Writing the append-only audit log: every change that matters, and every opening of a classified item."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from coordination import db
from coordination.audit import chain
from coordination.audit.models import AuditEvent
from coordination.classification import Clearance
from coordination.types import utcnow


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


_INSERT_EVENTS = insert(AuditEvent.__table__)  # built once: building it cost a post more than running it


def record_at_once(session: Session, events: list[dict[str, Any]]) -> None:
    """Write audit events now, chained, in the session's transaction, as plain rows (a field report's post
    writes two on every request: as objects they cost it more than the writing). Each event has the
    arguments of `record`, `detail` included; call it after the transaction's other writes."""
    at = utcnow()
    rows = [
        {
            "at": at,
            "actor_id": event["actor_id"],
            "action": event["action"],
            "object_type": event["object_type"],
            "object_id": str(event["object_id"]),
            "detail": event.get("detail", {}),
        }
        for event in events
    ]
    session.execute(_INSERT_EVENTS, chain.link_rows_of(session, rows))


def record_opening(
    session: Session, *, actor_id: int, action: str, object_type: str, object_id: object, classification: str
) -> None:
    """Audit that a person opened a classified item (unclassified ones are not audited), every time.

    Opening is a read: the event is written in a transaction of its own that neither makes the page wait
    for another writer nor fails it (`db.write_soon`; the session's read transaction ends first)."""
    if Clearance(classification) == Clearance.unclassified:
        return
    at = utcnow()
    db.write_soon(
        session,
        lambda write: add_opening(
            write,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            classification=classification,
            at=at,
        ),
        what=f"audit event {action} of {object_type} {object_id} ({classification}) by person {actor_id} "
        f"at {at.isoformat()}",
    )


def add_opening(
    session: Session,
    *,
    actor_id: int,
    action: str,
    object_type: str,
    object_id: object,
    classification: str,
    at: datetime,
) -> AuditEvent | None:
    """Add the audit event of an opening at `at` to the session if the item is classified; for a caller
    that writes it with other rows (`record_opening` writes it alone)."""
    if Clearance(classification) == Clearance.unclassified:
        return None
    event = record(
        session,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        classification=str(classification),
    )
    event.at = at
    return event


def record_export(
    session: Session,
    *,
    actor_id: int,
    action: str,
    object_type: str,
    filters: dict[str, Any],
    count: int,
    classified: int,
    complete: bool,
) -> None:
    """Audit an export as a whole: one event with the filters it was asked with and how many rows (and
    classified rows) left, written like the event of an opening (`db.write_soon`: the export is a read)."""
    at = utcnow()
    detail = {"filters": filters, "count": count, "classified": classified, "complete": complete}

    def write(write_session: Session) -> None:
        event = record(
            write_session, actor_id=actor_id, action=action, object_type=object_type, object_id="*", **detail
        )
        event.at = at

    db.write_soon(
        session, write, what=f"audit event {action} by person {actor_id} at {at.isoformat()}: {detail}"
    )
