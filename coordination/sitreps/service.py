"""Situation reports: drafted by the system for a period, edited and submitted by the task force's chair.

The draft quotes only what the person compiling it may see, and the report carries the highest
classification and the origin departments of what it quotes: its readers must be cleared for both.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow, highest
from coordination.decisions import queries as decisions
from coordination.markup import render_markdown
from coordination.reports import queries as reports
from coordination.rules import Conflict, RuleViolation, check_version
from coordination.sitreps import queries
from coordination.sitreps.enums import SitrepStatus
from coordination.sitreps.models import SituationReport
from coordination.structure import queries as structure
from coordination.structure.enums import MembershipRole

if TYPE_CHECKING:
    from coordination.decisions.models import Action
    from coordination.reports.models import FieldReport
    from coordination.structure.models import Body, Person

DRAFTING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
SUBMITTING_ROLES = {MembershipRole.chair, MembershipRole.co_chair}


class SitrepError(RuleViolation):
    """A situation report the rules refuse."""


class SitrepConflict(Conflict, SitrepError):
    """Someone submitted the situation report first."""


def _require_role(session: Session, person: "Person", task_force_id: int, roles) -> None:
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=task_force_id,
        roles=roles,
        refusal="only the task force's chair, co-chairs (and secretary for drafts) do this",
    )


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


def compile_text(
    *,
    session: Session,
    person: "Person",
    policy: NeedToKnow,
    task_force: "Body",
    period_start: date,
    period_end: date,
    today: date,
) -> tuple[str, Clearance, list[str]]:
    """The draft in Markdown, from what this person may see: validated field reports, decisions and
    actions of the period; with the highest classification and the origin departments it quotes."""
    since, until = _window(period_start, period_end)
    quoted_reports = reports.validated_for_body(
        session=session, viewer=person, policy=policy, body_id=task_force.id, since=since, until=until
    )
    quoted_decisions = decisions.adopted_concerning(
        session=session, viewer=person, body_id=task_force.id, since=since, until=until
    )
    actions = decisions.actions_concerning(session=session, viewer=person, body_id=task_force.id)
    action_decisions = decisions.visible_among(
        session=session, viewer=person, ids={a.decision_id for a in actions}
    )
    lines = [
        f"## Situation report of {task_force.name}, {period_start:%d %B %Y} to {period_end:%d %B %Y}",
        "",
        "### Validated field reports",
        "",
    ]
    lines += [_report_line(r) for r in quoted_reports] or ["- None in this period."]
    lines += ["", "### Decisions", ""]
    lines += [f"- {d.adopted_at:%d %b}: {d.title} (decision #{d.id})" for d in quoted_decisions] or [
        "- None in this period."
    ]
    lines += ["", "### Actions", ""]
    lines += [_action_line(a, today) for a in actions] or ["- No actions."]
    lines += ["", "### Assessment", "", "_The chair's assessment and outlook._"]
    level = highest(
        [r.classification for r in quoted_reports]
        + [d.classification for d in quoted_decisions]
        + [d.classification for d in action_decisions.values()]
    )
    origins = sorted(reports.origin_codes(session=session, reports=quoted_reports))
    return "\n".join(lines), level, origins


def _report_line(report: "FieldReport") -> str:
    notes = [f"#{report.id}", report.severity]
    if report.early_warning:
        notes.append("early warning")
    if report.classification != "unclassified":
        notes.append(report.classification)
    return f"- **{report.country_code}**, {report.created_at:%d %b}: {report.title} ({', '.join(notes)})"


def _action_line(action: "Action", today: date) -> str:
    late = " (late)" if action.status != "done" and action.due_on < today else ""
    return f"- {action.title}: {action.status}, due {action.due_on:%d %b %Y}{late}"


def compile_draft(
    *,
    session: Session,
    person: "Person",
    policy: NeedToKnow,
    task_force: "Body",
    period_start: date,
    period_end: date,
    now: datetime,
) -> SituationReport:
    _require_role(session, person, task_force.id, DRAFTING_ROLES)
    if period_end < period_start:
        raise SitrepError("the period ends before it starts", "period_end")
    if (period_end - period_start).days > 366:
        raise SitrepError("a situation report covers at most a year", "period_start")
    text, level, origins = compile_text(
        session=session,
        person=person,
        policy=policy,
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
        quoted_classification=level,
        classification=level,
        origins=origins,
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
        classification=level.value,
    )
    session.commit()
    return sitrep


def edit(
    *,
    session: Session,
    person: "Person",
    sitrep: SituationReport,
    body: str,
    classification: str | None = None,
    expected_version: str | None = None,
) -> SituationReport:
    """Change a draft's text, and its marking: never below what it quotes nor above the editor's
    clearance; refused if someone saved it since `expected_version` was read."""
    _require_role(session, person, sitrep.task_force_id, DRAFTING_ROLES)
    session.refresh(sitrep, with_for_update=True)
    if sitrep.status != SitrepStatus.draft:
        raise SitrepConflict(
            _("This situation report has already been submitted: it is no longer edited."), "status"
        )
    check_version(expected=expected_version, current=queries.version(sitrep), what="situation report")
    if classification is not None:
        try:
            level = Clearance(classification)
        except ValueError as exc:
            raise SitrepError(f"unknown classification {classification}", "classification") from exc
        if not level.covers(sitrep.quoted_classification):
            raise SitrepError(
                f"the report quotes {sitrep.quoted_classification} information: it cannot be marked lower",
                "classification",
            )
        if not Clearance(person.clearance).covers(level):
            raise SitrepError("you cannot classify above your own clearance", "classification")
        sitrep.classification = level
    sitrep.body = body
    sitrep.body_html = render_markdown(body)
    session.add(sitrep)
    audit.record(
        session,
        actor_id=person.id,
        action="sitrep.edit",
        object_type="situation_report",
        object_id=sitrep.id,
        classification=str(sitrep.classification),
    )
    session.commit()
    return sitrep


def submit(
    *,
    session: Session,
    person: "Person",
    sitrep: SituationReport,
    now: datetime,
    expected_version: str | None = None,
) -> SituationReport:
    """Submit the draft to the steering group: the text `expected_version` names, if given, else whatever
    is stored."""
    _require_role(session, person, sitrep.task_force_id, SUBMITTING_ROLES)
    session.refresh(sitrep, with_for_update=True)
    if sitrep.status != SitrepStatus.draft:
        raise SitrepConflict(_("This situation report has already been submitted."), "status")
    check_version(expected=expected_version, current=queries.version(sitrep), what="situation report")
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
