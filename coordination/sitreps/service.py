"""Situation reports: drafted by the system for a period, edited and submitted by the task force's chair."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from coordination import audit
from coordination.decisions.models import Action, Addressee, Decision, DecisionStatus, UnitKind
from coordination.markup import render_markdown
from coordination.reports.models import Delivery, FieldReport, TriageStatus
from coordination.rules import RuleViolation
from coordination.sitreps.models import SitrepStatus, SituationReport
from coordination.structure import service as structure
from coordination.structure.models import Body, BodyKind, BodyStatus, Membership, MembershipRole, Person

DRAFTING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
SUBMITTING_ROLES = {MembershipRole.chair, MembershipRole.co_chair}


class SitrepError(RuleViolation):
    """A situation report the rules refuse."""


def _require_role(session: Session, person: Person, task_force: Body, roles) -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=task_force.id,
        roles=roles,
        refusal="only the task force's chair, co-chairs (and secretary for drafts) do this",
    )


def visible_sitreps(*, person: Person):
    """A task force's members see its situation reports, drafts included; the steering group sees the
    submitted ones."""
    my_bodies = select(Membership.body_id).where(Membership.person_id == person.id)
    in_steering_group = structure.in_steering_group(person.id)
    return select(SituationReport).where(
        or_(
            SituationReport.task_force_id.in_(my_bodies),
            and_(SituationReport.status == SitrepStatus.submitted, in_steering_group),
        )
    )


def last_submitted(*, session: Session, task_force: Body) -> SituationReport | None:
    return session.exec(
        select(SituationReport)
        .where(
            SituationReport.task_force_id == task_force.id, SituationReport.status == SitrepStatus.submitted
        )
        .order_by(SituationReport.period_end.desc())
    ).first()


def next_due_on(*, session: Session, task_force: Body) -> date:
    """When the next situation report is due, on the task force's cadence."""
    last = last_submitted(session=session, task_force=task_force)
    return _due_after(task_force, last.period_end if last else None)


def _due_after(task_force: Body, last_period_end: date | None) -> date:
    start = last_period_end or (task_force.chairs_decided_at or task_force.created_at).date()
    return start + timedelta(days=task_force.sitrep_every_days)


def due_by(*, session: Session, until: date) -> list[tuple[Body, date]]:
    """Active task forces whose situation report falls due on or before a date."""
    task_forces = session.exec(
        select(Body)
        .where(Body.kind == BodyKind.task_force, Body.status == BodyStatus.active)
        .order_by(Body.name)
    ).all()
    last_ends = dict(
        session.exec(
            select(SituationReport.task_force_id, func.max(SituationReport.period_end))
            .where(
                SituationReport.task_force_id.in_([tf.id for tf in task_forces]),
                SituationReport.status == SitrepStatus.submitted,
            )
            .group_by(SituationReport.task_force_id)
        ).all()
    )
    due = [(tf, _due_after(tf, last_ends.get(tf.id))) for tf in task_forces]
    return [(tf, when) for tf, when in due if when <= until]


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


def compile_text(
    *, session: Session, task_force: Body, period_start: date, period_end: date, today: date
) -> str:
    """The draft: validated field reports, decisions and actions of the period, in Markdown."""
    since, until = _window(period_start, period_end)
    reports = session.exec(
        select(FieldReport)
        .join(Delivery, Delivery.report_id == FieldReport.id)
        .where(
            Delivery.body_id == task_force.id,
            FieldReport.status == TriageStatus.validated,
            FieldReport.created_at >= since,
            FieldReport.created_at < until,
        )
        .order_by(FieldReport.created_at)
    ).all()
    addressed = select(Addressee.decision_id).where(
        Addressee.unit_kind == UnitKind.body, Addressee.unit_id == task_force.id
    )
    decisions = session.exec(
        select(Decision)
        .where(
            or_(Decision.issuing_body_id == task_force.id, Decision.id.in_(addressed)),
            Decision.status == DecisionStatus.adopted,
            Decision.adopted_at >= since,
            Decision.adopted_at < until,
        )
        .order_by(Decision.adopted_at)
    ).all()
    actions = session.exec(
        select(Action)
        .join(Decision, Decision.id == Action.decision_id)
        .where(or_(Decision.issuing_body_id == task_force.id, Decision.id.in_(addressed)))
        .order_by(Action.due_on)
    ).all()
    lines = [
        f"## Situation report of {task_force.name}, {period_start:%d %B %Y} to {period_end:%d %B %Y}",
        "",
        "### Validated field reports",
        "",
    ]
    lines += [_report_line(r) for r in reports] or ["- None in this period."]
    lines += ["", "### Decisions", ""]
    lines += [f"- {d.adopted_at:%d %b}: {d.title} (decision #{d.id})" for d in decisions] or [
        "- None in this period."
    ]
    lines += ["", "### Actions", ""]
    lines += [_action_line(a, today) for a in actions] or ["- No actions."]
    lines += ["", "### Assessment", "", "_The chair's assessment and outlook._"]
    return "\n".join(lines)


def _report_line(report: FieldReport) -> str:
    notes = [f"#{report.id}", report.severity]
    if report.early_warning:
        notes.append("early warning")
    if report.classification != "unclassified":
        notes.append(report.classification)
    return f"- **{report.country_code}**, {report.created_at:%d %b}: {report.title} ({', '.join(notes)})"


def _action_line(action: Action, today: date) -> str:
    late = " (late)" if action.status != "done" and action.due_on < today else ""
    return f"- {action.title}: {action.status}, due {action.due_on:%d %b %Y}{late}"


def compile_draft(
    *, session: Session, person: Person, task_force: Body, period_start: date, period_end: date, now: datetime
) -> SituationReport:
    _require_role(session, person, task_force, DRAFTING_ROLES)
    if period_end < period_start:
        raise SitrepError("the period ends before it starts", "period_end")
    text = compile_text(
        session=session,
        task_force=task_force,
        period_start=period_start,
        period_end=period_end,
        today=now.date(),
    )
    sitrep = SituationReport(
        task_force_id=task_force.id,
        period_start=period_start,
        period_end=period_end,
        body=text,
        body_html=render_markdown(text),
        created_by_id=person.id,
        created_at=now,
    )
    session.add(sitrep)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="sitrep.draft",
        object_type="situation_report",
        object_id=sitrep.id,
    )
    session.commit()
    return sitrep


def edit(*, session: Session, person: Person, sitrep: SituationReport, body: str) -> SituationReport:
    task_force = session.get(Body, sitrep.task_force_id)
    _require_role(session, person, task_force, DRAFTING_ROLES)
    if sitrep.status != SitrepStatus.draft:
        raise SitrepError("a submitted situation report is not edited", "status")
    sitrep.body = body
    sitrep.body_html = render_markdown(body)
    session.add(sitrep)
    session.commit()
    return sitrep


def submit(*, session: Session, person: Person, sitrep: SituationReport, now: datetime) -> SituationReport:
    task_force = session.get(Body, sitrep.task_force_id)
    _require_role(session, person, task_force, SUBMITTING_ROLES)
    if sitrep.status != SitrepStatus.draft:
        raise SitrepError("already submitted", "status")
    sitrep.status = SitrepStatus.submitted
    sitrep.submitted_by_id = person.id
    sitrep.submitted_at = now
    session.add(sitrep)
    audit.record(
        session,
        actor_id=person.id,
        action="sitrep.submit",
        object_type="situation_report",
        object_id=sitrep.id,
    )
    session.commit()
    return sitrep


def latest(*, session: Session, limit: int = 5) -> list[tuple[SituationReport, Body]]:
    query = (
        select(SituationReport, Body)
        .join(Body, Body.id == SituationReport.task_force_id)
        .where(SituationReport.status == SitrepStatus.submitted)
        .order_by(SituationReport.submitted_at.desc())
        .limit(limit)
    )
    return list(session.exec(query))


def for_task_force(*, session: Session, person: Person, task_force: Body) -> list[SituationReport]:
    return list(
        session.exec(
            visible_sitreps(person=person)
            .where(SituationReport.task_force_id == task_force.id)
            .order_by(SituationReport.period_end.desc())
        )
    )
