"""Commands on decisions: drafting, adoption by the chair, one acknowledgement per addressee unit, and
actions whose progress flows back up. Reads live in queries.py; notifications in flows.py."""

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.decisions.enums import (
    AcknowledgementStatus,
    ActionStatus,
    DecisionStatus,
    Procedure,
    UnitKind,
)
from coordination.decisions.models import Action, ActionUpdate, Addressee, Decision, DecisionReport
from coordination.decisions.queries import (
    ADOPTING_ROLES,
    DRAFTING_ROLES,
    ISSUING_KINDS,
    MANAGING_ROLES,
    ResolvedUnit,
    addressee_of,
    may_answer_for,
    may_update_action,
)
from coordination.markup import render_markdown
from coordination.reports import queries as reports
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind

if TYPE_CHECKING:
    from coordination.structure.models import Person


class DecisionError(RuleViolation):
    """Input the decision rules refuse."""


class NotAllowed(Forbidden):
    """The person may not do this to the decision."""


class DecisionConflict(Conflict, DecisionError):
    """Someone else moved the decision on first (adopted, withdrew or answered it): 409, not bad input."""


def _lock(session: Session, row, *, share: bool = False) -> None:
    """Read the row again and hold it until the commit, so that the rule about to be checked sees the
    latest state and no one else can change it in between (SELECT ... FOR UPDATE, or FOR SHARE when
    others may read it alongside but not change it; on SQLite the write lock already serialises)."""
    session.flush()  # keep what the caller changed but did not save yet
    session.refresh(row, with_for_update={"read": True} if share else True)


def _closed(decision: Decision) -> bool:
    return decision.status in (DecisionStatus.withdrawn, DecisionStatus.superseded)


def _role_in(session: Session, person: "Person", body_id: int):
    return structure.role_in(session=session, person_id=person.id, body_id=body_id)


# --- units ------------------------------------------------------------------------------------------


def resolve_unit(*, session: Session, kind: str, key: str) -> ResolvedUnit:
    """Find an addressee unit by kind and key (body slug, department code, mission code)."""
    try:
        kind = UnitKind(kind)
    except ValueError as exc:
        raise DecisionError(f"unknown addressee kind {kind!r}", "addressees") from exc
    if kind is UnitKind.body:
        body = structure.find_body(session=session, slug=key)
        if body is None or body.kind == BodyKind.steering_group:
            raise DecisionError(f"no task force or platform {key!r}", "addressees")
        return ResolvedUnit(kind, body.id, body.slug, body.name)
    if kind is UnitKind.department:
        department = structure.get_department(session=session, code=key.upper())
        if department is None:
            raise DecisionError(f"no department {key!r}", "addressees")
        return ResolvedUnit(kind, department.id, department.code, department.name)
    mission = structure.get_mission(session=session, code=key)
    if mission is None:
        raise DecisionError(f"no mission {key!r}", "addressees")
    return ResolvedUnit(kind, mission.id, mission.code, mission.name)


# --- need-to-know -----------------------------------------------------------------------------------


# --- drafting and adoption --------------------------------------------------------------------------


def draft_decision(
    *,
    session: Session,
    author: "Person",
    issuing_body: str,
    title: str,
    text: str = "",
    rationale: str = "",
    procedure: str = Procedure.meeting,
    classification: str = Clearance.unclassified,
    acknowledgement_hours: int = 48,
    addressees: list[tuple[str, str]],
    report_ids: list[int] = (),
    meeting_id: int | None = None,
    policy: NeedToKnow | None = None,
    now: datetime,
    commit: bool = True,
) -> Decision:
    """A draft decision of the steering group or a task force, with its addressees and motivating reports
    (and the meeting it was taken in, if any). `commit=False` leaves the commit to a caller that holds
    locks until it is done."""
    body = structure.find_body(session=session, slug=issuing_body)
    if body is None or body.kind not in ISSUING_KINDS:
        raise DecisionError("decisions are issued by the steering group or a task force", "issuing_body")
    if _role_in(session, author, body.id) not in DRAFTING_ROLES:
        raise NotAllowed(f"only members of {body.name} draft its decisions")
    title = (title or "").strip()
    if len(title) < 3:
        raise DecisionError("give the decision a title", "title")
    try:
        classification = Clearance(classification)
        procedure = Procedure(procedure)
    except ValueError as exc:
        raise DecisionError(str(exc), "classification") from exc
    if not Clearance(author.clearance).covers(classification):
        raise DecisionError("you cannot classify above your own clearance", "classification")
    if not 1 <= int(acknowledgement_hours) <= 24 * 60:
        raise DecisionError(
            "the acknowledgement deadline is between 1 hour and 60 days", "acknowledgement_hours"
        )
    units = [resolve_unit(session=session, kind=kind, key=key) for kind, key in addressees]
    if not units:
        raise DecisionError(
            "address the decision to at least one task force, department or mission", "addressees"
        )
    if report_ids:
        if policy is None:
            raise ValueError("motivating reports are checked against the configured need-to-know policy")
        visible = reports.visible_ids(session=session, viewer=author, policy=policy, ids=list(report_ids))
        for report_id in report_ids:
            if report_id not in visible:
                raise DecisionError(f"no field report {report_id}", "report_ids")
    if meeting_id is not None:
        from coordination.meetings import queries as meetings  # meetings quote decisions: import late

        if meetings.body_of_meeting(session=session, meeting_id=meeting_id) != body.id:
            raise DecisionError("the meeting is not one of the issuing body's", "meeting_id")
        procedure = Procedure.meeting
    decision = Decision(
        meeting_id=meeting_id,
        issuing_body_id=body.id,
        title=title,
        text=text,
        text_html=render_markdown(text),
        rationale=rationale.strip(),
        procedure=procedure,
        classification=classification,
        acknowledgement_hours=int(acknowledgement_hours),
        created_by_id=author.id,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    seen = set()
    for unit in units:
        if (unit.kind, unit.id) not in seen:
            seen.add((unit.kind, unit.id))
            session.add(Addressee(decision_id=decision.id, unit_kind=unit.kind, unit_id=unit.id))
    for report_id in dict.fromkeys(report_ids):
        session.add(DecisionReport(decision_id=decision.id, report_id=report_id))
    audit.record(
        session,
        actor_id=author.id,
        action="decision.create",
        object_type="decision",
        object_id=decision.id,
        addressees=[f"{u.kind.value}:{u.key}" for u in units],
    )
    if commit:
        session.commit()
    return decision


def adopt(
    *, session: Session, person: "Person", decision: Decision, now: datetime, commit: bool = True
) -> Decision:
    """Only the chair or a co-chair of the issuing body adopts; the acknowledgement clock starts now."""
    _lock(session, decision)
    if decision.status == DecisionStatus.adopted:
        raise DecisionConflict(_("This decision has already been adopted."), "status")
    if _closed(decision):
        raise DecisionConflict(
            _("This decision has been withdrawn or superseded: it can no longer be adopted."), "status"
        )
    if _role_in(session, person, decision.issuing_body_id) not in ADOPTING_ROLES:
        raise NotAllowed("only the chair or a co-chair of the issuing body adopts its decisions")
    decision.status = DecisionStatus.adopted
    decision.adopted_by_id = person.id
    decision.adopted_at = now
    decision.acknowledgement_due_at = now + timedelta(hours=decision.acknowledgement_hours)
    session.add(decision)
    audit.record(
        session, actor_id=person.id, action="decision.adopt", object_type="decision", object_id=decision.id
    )
    if commit:
        session.commit()
    return decision


def withdraw(
    *, session: Session, person: "Person", decision: Decision, superseded_by: Decision | None = None
) -> Decision:
    """Withdraw an adopted decision, or mark it superseded by a later one of the same body."""
    _lock(session, decision)
    if _closed(decision):
        raise DecisionConflict(_("This decision has already been withdrawn or superseded."), "status")
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("only an adopted decision is withdrawn or superseded", "status")
    if _role_in(session, person, decision.issuing_body_id) not in ADOPTING_ROLES:
        raise NotAllowed("only the chair or a co-chair of the issuing body withdraws its decisions")
    if superseded_by is not None:
        if superseded_by.issuing_body_id != decision.issuing_body_id or superseded_by.id == decision.id:
            raise DecisionError(
                "a decision is superseded by another decision of the same body", "superseded_by"
            )
        decision.status = DecisionStatus.superseded
        decision.superseded_by_id = superseded_by.id
    else:
        decision.status = DecisionStatus.withdrawn
    session.add(decision)
    audit.record(
        session,
        actor_id=person.id,
        action=f"decision.{decision.status}",
        object_type="decision",
        object_id=decision.id,
    )
    session.commit()
    return decision


# --- acknowledgements -------------------------------------------------------------------------------


def acknowledge(
    *,
    session: Session,
    person: "Person",
    decision: Decision,
    unit_kind: str,
    unit_key: str,
    comply: bool = True,
    comment: str = "",
    now: datetime,
) -> Addressee:
    """One answer per addressee unit, by someone authorised for it; cannot-comply needs a reason."""
    _lock(session, decision, share=True)
    if _closed(decision):
        raise DecisionConflict(
            _("This decision has been withdrawn or superseded: it is no longer acknowledged."), "status"
        )
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("only an adopted decision is acknowledged", "status")
    unit = resolve_unit(session=session, kind=unit_kind, key=unit_key)
    addressee = addressee_of(session=session, decision=decision, unit=unit)
    if addressee is None:
        raise DecisionError(f"{unit.label} is not an addressee of this decision", "unit")
    if not may_answer_for(session=session, person=person, unit=unit):
        raise NotAllowed(f"you may not answer for {unit.label}")
    _lock(session, addressee)
    if addressee.status != AcknowledgementStatus.pending:
        raise DecisionConflict(_("%(unit)s has already answered this decision.", unit=unit.label), "unit")
    comment = (comment or "").strip()
    if not comply and not comment:
        raise DecisionError("say why the unit cannot comply", "comment")
    addressee.status = AcknowledgementStatus.acknowledged if comply else AcknowledgementStatus.cannot_comply
    addressee.answered_at = now
    addressee.answered_by_id = person.id
    addressee.comment = comment
    session.add(addressee)
    audit.record(
        session,
        actor_id=person.id,
        action=f"decision.{addressee.status}",
        object_type="decision",
        object_id=decision.id,
        unit=f"{unit.kind.value}:{unit.key}",
    )
    session.commit()
    return addressee


# --- actions ----------------------------------------------------------------------------------------


def create_action(
    *,
    session: Session,
    person: "Person",
    decision: Decision,
    title: str,
    owner_kind: str,
    owner_key: str,
    due_on: date,
    owner_person_id: int | None = None,
    now: datetime,
    commit: bool = True,
) -> Action:
    """An action arising from an adopted decision, owned by a unit and optionally a person."""
    _lock(session, decision, share=True)
    if _closed(decision):
        raise DecisionConflict(
            _("This decision has been withdrawn or superseded: no more actions arise from it."), "status"
        )
    if decision.status != DecisionStatus.adopted:
        raise DecisionError("actions arise from adopted decisions", "status")
    if _role_in(session, person, decision.issuing_body_id) not in MANAGING_ROLES:
        raise NotAllowed("only the chair, a co-chair or the secretary of the issuing body creates actions")
    title = (title or "").strip()
    if len(title) < 3:
        raise DecisionError("describe the action", "title")
    unit = resolve_unit(session=session, kind=owner_kind, key=owner_key)
    if owner_person_id is not None and not structure.people_by_id(session=session, ids=[owner_person_id]):
        raise DecisionError(f"no person {owner_person_id}", "owner_person_id")
    action = Action(
        decision_id=decision.id,
        title=title,
        owner_kind=unit.kind,
        owner_id=unit.id,
        owner_person_id=owner_person_id,
        due_on=due_on,
        created_by_id=person.id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="action.create",
        object_type="action",
        object_id=action.id,
        decision=decision.id,
    )
    if commit:
        session.commit()
    return action


def update_action(
    *, session: Session, person: "Person", action: Action, status: str, body: str = "", now: datetime
) -> ActionUpdate:
    """Progress flows back up: a status and a Markdown update by the owner or the issuing body."""
    try:
        status = ActionStatus(status)
    except ValueError as exc:
        raise DecisionError(f"unknown status {status}", "status") from exc
    if not may_update_action(session=session, person=person, action=action):
        raise NotAllowed("only the owner of the action or the issuing body updates it")
    update = ActionUpdate(
        action_id=action.id,
        author_id=person.id,
        body=body.strip(),
        body_html=render_markdown(body),
        status=status,
        created_at=now,
    )
    action.status = status
    session.add_all([update, action])
    audit.record(
        session,
        actor_id=person.id,
        action="action.update",
        object_type="action",
        object_id=action.id,
        status=status.value,
    )
    session.commit()
    return update
