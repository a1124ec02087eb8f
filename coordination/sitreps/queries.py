"""Reads of situation reports, always for a given viewer.

A task force's members see its situation reports, drafts included, and the steering group sees the
submitted ones; in both cases only when the viewer's clearance covers the report's classification and,
when it quotes information from a restricted origin (Defence), their department shares in it.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import String, and_, cast, func, not_, or_
from sqlmodel import Session, select

from coordination.classification import NeedToKnow, levels_within
from coordination.search.kinds import Searchable
from coordination.sitreps.enums import SitrepStatus
from coordination.sitreps.models import SituationReport
from coordination.structure import queries as structure
from coordination.versions import version_of

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person


def visible_sitreps(*, viewer: "Person", policy: NeedToKnow):
    """SQL: the situation reports this viewer may see."""
    in_steering_group = structure.in_steering_group(viewer.id)
    conditions = [
        or_(
            SituationReport.task_force_id.in_(structure.seated_body_ids(viewer.id)),
            and_(SituationReport.status == SitrepStatus.submitted, in_steering_group),
        ),
        SituationReport.classification.in_(levels_within(viewer.clearance)),
    ]
    if viewer.department.code not in policy.sharing_group:
        quoted = cast(SituationReport.origins, String)
        conditions += [not_(quoted.like(f'%"{code}"%')) for code in sorted(policy.restricted_origins)]
    return select(SituationReport).where(*conditions)


def get_visible_sitrep(
    *, session: Session, viewer: "Person", policy: NeedToKnow, sitrep_id: int
) -> SituationReport | None:
    query = visible_sitreps(viewer=viewer, policy=policy).where(SituationReport.id == sitrep_id)
    return session.exec(query).first()


def version(sitrep: SituationReport) -> str:
    """The version of a situation report's text and marking (what an edit writes)."""
    return version_of("sitrep", sitrep.id, sitrep.body, str(sitrep.classification))


def report_number(*, session: Session, sitrep: SituationReport) -> int:
    """The rank of a submitted situation report among its task force's submitted ones (1 for the first)."""
    return session.exec(
        select(func.count())
        .select_from(SituationReport)
        .where(
            SituationReport.task_force_id == sitrep.task_force_id,
            SituationReport.status == SitrepStatus.submitted,
            SituationReport.submitted_at <= sitrep.submitted_at,
        )
    ).one()


def visible_ids(*, session: Session, viewer: "Person", policy: NeedToKnow, ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    query = (
        visible_sitreps(viewer=viewer, policy=policy)
        .with_only_columns(SituationReport.id)
        .where(SituationReport.id.in_(ids))
    )
    return set(session.exec(query))


def for_task_force(
    *, session: Session, viewer: "Person", policy: NeedToKnow, task_force: "Body"
) -> list[SituationReport]:
    return list(
        session.exec(
            visible_sitreps(viewer=viewer, policy=policy)
            .where(SituationReport.task_force_id == task_force.id)
            .order_by(SituationReport.period_end.desc())
        )
    )


def latest(
    *, session: Session, viewer: "Person", policy: NeedToKnow, limit: int = 5
) -> list[tuple[SituationReport, "Body"]]:
    """The latest submitted situation reports the viewer may see, with their task forces."""
    found = list(
        session.exec(
            visible_sitreps(viewer=viewer, policy=policy)
            .where(SituationReport.status == SitrepStatus.submitted)
            .order_by(SituationReport.submitted_at.desc())
            .limit(limit)
        )
    )
    bodies = structure.bodies_by_id(session=session, ids={s.task_force_id for s in found})
    return [(s, bodies[s.task_force_id]) for s in found]


# --- when they are due: dates and task force names, which every member of the structure may know ---


def last_submitted_end(*, session: Session, task_force_id: int) -> date | None:
    return session.exec(
        select(func.max(SituationReport.period_end)).where(
            SituationReport.task_force_id == task_force_id, SituationReport.status == SitrepStatus.submitted
        )
    ).one()


def next_due_on(*, session: Session, task_force: "Body") -> date:
    """When the next situation report is due, on the task force's cadence."""
    return _due_after(task_force, last_submitted_end(session=session, task_force_id=task_force.id))


def _due_after(task_force: "Body", last_period_end: date | None) -> date:
    start = last_period_end or (task_force.chairs_decided_at or task_force.created_at).date()
    return start + timedelta(days=task_force.sitrep_every_days)


def due_by(*, session: Session, until: date) -> list[tuple["Body", date]]:
    """Active task forces whose situation report falls due on or before a date."""
    task_forces = structure.active_task_forces(session=session)
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


def _search_details(session: Session, ids: list[int]) -> dict:
    found = list(session.exec(select(SituationReport).where(SituationReport.id.in_(ids))))
    bodies = structure.bodies_by_id(session=session, ids={s.task_force_id for s in found})
    details = {}
    for s in found:
        name = bodies[s.task_force_id].name
        details[s.id] = (
            f"{name}: {s.period_start} – {s.period_end}",
            s.created_at,
            f"/situation-reports/{s.id}",
            name,
        )
    return details


SEARCHABLE = Searchable(
    name="sitrep",
    code=4,
    model=SituationReport,
    columns=("period_start", "period_end", "body"),
    title=lambda s: f"Situation report {s.period_start} – {s.period_end}",
    body=lambda s: s.body,
    visible_ids=lambda session, viewer, policy, ids: visible_ids(
        session=session, viewer=viewer, policy=policy, ids=ids
    ),
    details=_search_details,
)
