"""Reads of attachments, always for a viewer. This area never decides need-to-know: it asks the area that
owns the item (a report) whether the viewer may see it, and may add to it; an owner the viewer may not
see has no attachments for them, not even a count."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, func, select

from coordination.attachments.models import Attachment
from coordination.classification import NeedToKnow
from coordination.decisions import queries as decisions
from coordination.lessons import queries as lessons
from coordination.lessons import service as lesson_rules
from coordination.reports import queries as reports

if TYPE_CHECKING:
    from coordination.structure.models import Person

OWNER_KINDS = ("report", "decision", "lesson")


@dataclass(frozen=True)
class Owner:
    """An item the viewer may see, as this area needs it: what it is, how secret, and whether the viewer
    may attach files to it."""

    kind: str
    id: int
    classification: str
    author_id: int
    may_add: bool


def visible_owner(
    *, session: Session, viewer: "Person", kind: str, owner_id: int, policy: NeedToKnow
) -> Owner | None:
    """The item, or None when it does not exist or the viewer may not know it exists. On a report, its
    author and the people who triage it in a receiving body may add files; on a decision, its drafter;
    on a lesson, whoever may edit it (its author while submitted, the analysts until identified)."""
    if kind == "decision":
        decision = decisions.get_visible_decision(session=session, viewer=viewer, decision_id=owner_id)
        if decision is None:
            return None
        return Owner(
            kind=kind,
            id=decision.id,
            classification=decision.classification,
            author_id=decision.created_by_id,
            may_add=decision.created_by_id == viewer.id,
        )
    if kind == "lesson":
        lesson = lessons.get_visible_lesson(session=session, viewer=viewer, lesson_id=owner_id)
        if lesson is None:
            return None
        return Owner(
            kind=kind,
            id=lesson.id,
            classification=lesson.classification,
            author_id=lesson.submitted_by_id,
            may_add=lesson.submitted_by_id == viewer.id
            or lesson_rules.may_edit(session=session, person=viewer, lesson=lesson),
        )
    if kind != "report":
        return None
    report = reports.get_visible_report(session=session, viewer=viewer, report_id=owner_id, policy=policy)
    if report is None:
        return None
    may_add = report.author_id == viewer.id or bool(
        reports.triage_bodies(session=session, viewer=viewer, report=report)
    )
    return Owner(
        kind=kind,
        id=report.id,
        classification=report.classification,
        author_id=report.author_id,
        may_add=may_add,
    )


def attachments_of(*, session: Session, owner: Owner) -> list[Attachment]:
    """The files on an item the viewer holds (see visible_owner), oldest first."""
    return list(
        session.exec(
            select(Attachment)
            .where(Attachment.owner_kind == owner.kind, Attachment.owner_id == owner.id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def count_of(*, session: Session, owner: Owner) -> int:
    return session.exec(
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.owner_kind == owner.kind, Attachment.owner_id == owner.id)
    ).one()


def attachment_on(*, session: Session, owner: Owner, attachment_id: int) -> Attachment | None:
    """One file of an item the viewer holds; None when the id names a file of another item."""
    return session.exec(
        select(Attachment).where(
            Attachment.id == attachment_id,
            Attachment.owner_kind == owner.kind,
            Attachment.owner_id == owner.id,
        )
    ).first()


def own_attachment_by_key(*, session: Session, person_id: int, key: str) -> Attachment | None:
    """The file a person uploaded with this Idempotency-Key, if any."""
    return session.exec(
        select(Attachment).where(Attachment.uploaded_by == person_id, Attachment.idempotency_key == key)
    ).first()


def every_storage_key(*, session: Session) -> list[str]:
    """The keys of every file and thumbnail this database refers to (to forget an exercise's files)."""
    rows = session.exec(select(Attachment.storage_key, Attachment.thumbnail_key)).all()
    return [key for row in rows for key in row if key]
