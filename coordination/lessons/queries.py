"""Reads of the lessons-learned log, always for a given viewer: the log with its filters, chart and
exports, one lesson with its history and what it concerns, and the lessons earlier efforts left.

A viewer sees a lesson within their clearance that they wrote, that concerns a body they sit in, or that
has been accepted (then it is open to everyone); the steering group sees them all, rejected ones too.
"""

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import Integer, and_, func, literal, or_, union_all
from sqlmodel import Session, select

from coordination.classification import NeedToKnow, levels_within
from coordination.decisions import queries as decisions
from coordination.exports import spreadsheet_writer
from coordination.lessons.enums import LessonStage
from coordination.lessons.models import Lesson, LessonDecision, LessonReport, LessonTransition
from coordination.reports import queries as reports
from coordination.search.kinds import Searchable, join_parts
from coordination.structure import queries as structure
from coordination.types import UTCDateTime

if TYPE_CHECKING:
    from coordination.decisions.models import Action, Decision
    from coordination.reports.models import FieldReport
    from coordination.structure.models import Body, Person

S = LessonStage
# Stages at which a lesson has come through analysis and is worth showing to later efforts.
IDENTIFIED_OR_LATER = (S.identified, S.endorsed, S.tasked, S.implemented, S.validated, S.learned, S.archived)
ORDER = list(LessonStage)


def visible_lessons(*, viewer: "Person"):
    """SQL: the lessons this viewer may see."""
    return select(Lesson).where(
        Lesson.classification.in_(levels_within(viewer.clearance)),
        or_(
            Lesson.submitted_by_id == viewer.id,
            Lesson.task_force_id.in_(structure.seated_body_ids(viewer.id)),
            Lesson.stage.not_in([S.submitted, S.rejected]),
            structure.in_steering_group(viewer.id),
        ),
    )


def get_visible_lesson(*, session: Session, viewer: "Person", lesson_id: int) -> Lesson | None:
    return session.exec(visible_lessons(viewer=viewer).where(Lesson.id == lesson_id)).first()


def from_exercise(*, session: Session, viewer: "Person", name: str) -> list[Lesson]:
    """The lessons an exercise's after-action review submitted that the viewer may see, oldest first."""
    query = visible_lessons(viewer=viewer).where(Lesson.from_exercise == name)
    return list(session.exec(query.order_by(Lesson.submitted_at, Lesson.id)).all())


def visible_ids(*, session: Session, viewer: "Person", ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    query = visible_lessons(viewer=viewer).with_only_columns(Lesson.id).where(Lesson.id.in_(ids))
    return set(session.exec(query))


def remedial_actions(*, session: Session, viewer: "Person", lesson: Lesson) -> list["Action"]:
    """The remedial actions (of the endorsement decision) that the viewer may see."""
    if lesson.endorsement_decision_id is None:
        return []
    decision = decisions.get_visible_decision(
        session=session, viewer=viewer, decision_id=lesson.endorsement_decision_id
    )
    return decisions.actions_of_decision(session=session, decision=decision) if decision else []


def history(*, session: Session, lesson: Lesson) -> list[tuple[LessonTransition, "Person"]]:
    transitions = list(
        session.exec(
            select(LessonTransition)
            .where(LessonTransition.lesson_id == lesson.id)
            .order_by(LessonTransition.at, LessonTransition.id)
        )
    )
    people = structure.people_by_id(session=session, ids=[t.person_id for t in transitions])
    return [(t, people[t.person_id]) for t in transitions]


def last_moved_at(*, session: Session, lesson: Lesson) -> datetime | None:
    return session.exec(
        select(LessonTransition.at)
        .where(LessonTransition.lesson_id == lesson.id)
        .order_by(LessonTransition.at.desc())
    ).first()


def concerns(
    *, session: Session, viewer: "Person", lesson: Lesson, policy: NeedToKnow
) -> tuple[list["Decision"], list["FieldReport"]]:
    """The decisions and field reports the lesson concerns that this viewer may see."""
    decision_ids = session.exec(
        select(LessonDecision.decision_id).where(LessonDecision.lesson_id == lesson.id)
    ).all()
    report_ids = session.exec(select(LessonReport.report_id).where(LessonReport.lesson_id == lesson.id)).all()
    seen = decisions.visible_among(session=session, viewer=viewer, ids=decision_ids)
    return (
        [seen[i] for i in sorted(seen)],
        reports.visible_among(session=session, viewer=viewer, policy=policy, ids=list(report_ids)),
    )


def earlier_lessons(
    *, session: Session, viewer: "Person", task_force: "Body", limit: int = 20
) -> list[Lesson]:
    """Identified lessons of other efforts on the same countries or themes as this task force."""
    countries = set(structure.body_country_codes(session=session, body_id=task_force.id))
    themes = set(task_force.themes or [])
    if not countries and not themes:
        return []
    candidates = session.exec(
        visible_lessons(viewer=viewer)
        .where(
            Lesson.stage.in_(IDENTIFIED_OR_LATER),
            or_(Lesson.task_force_id.is_(None), Lesson.task_force_id != task_force.id),
        )
        .order_by(Lesson.stage_changed_at.desc())
    )
    found = []
    for lesson in candidates:
        if countries & set(lesson.countries or []) or themes & set(lesson.themes or []):
            found.append(lesson)
            if len(found) == limit:
                break
    return found


def any_lesson(*, session: Session) -> bool:
    return session.exec(select(Lesson.id).limit(1)).first() is not None


@dataclass
class LessonFilter:
    stage: str | None = None
    effort: str | None = None
    theme: str | None = None
    country: str | None = None
    task_force_id: int | None = None


def find(*, session: Session, viewer: "Person", filters: LessonFilter, limit: int = 500) -> list[Lesson]:
    query = visible_lessons(viewer=viewer)
    if filters.stage:
        query = query.where(Lesson.stage == filters.stage)
    if filters.effort:
        query = query.where(Lesson.effort == filters.effort)
    if filters.task_force_id:
        query = query.where(Lesson.task_force_id == filters.task_force_id)
    query = query.order_by(Lesson.stage_changed_at.desc(), Lesson.id.desc())
    if not (filters.theme or filters.country):
        return list(session.exec(query.limit(limit)))
    # Themes and countries are JSON lists; filtering them in Python keeps one query for both databases. The
    # rows come in batches, so that the page does not hold every lesson to keep `limit` of them.
    matches = []
    found = session.exec(query.execution_options(yield_per=1000))
    try:
        for lesson in found:
            if filters.theme and filters.theme not in (lesson.themes or []):
                continue
            if filters.country and filters.country not in (lesson.countries or []):
                continue
            matches.append(lesson)
            if len(matches) == limit:
                break
    finally:
        found.close()
    return matches


def efforts(*, session: Session, viewer: "Person") -> list[str]:
    query = visible_lessons(viewer=viewer).with_only_columns(Lesson.effort).where(Lesson.effort != "")
    return sorted(set(session.exec(query.distinct())))


@dataclass
class StageSeries:
    months: list[date]
    counts: dict[LessonStage, list[int]] = field(default_factory=dict)


def _month_starts(until: date, months: int) -> list[date]:
    starts = []
    year, month = until.year, until.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def stage_counts_over_time(
    *, session: Session, viewer: "Person", now: datetime, months: int = 12
) -> StageSeries:
    """How many visible lessons stood at each stage at the end of each of the last months, counted by the
    database: each transition holds from its time until the lesson's next one (at 20,000 lessons, reading
    their 100,000 transitions into the page took 25 MB)."""
    starts = _month_starts(now.date(), months)
    ends = [datetime.combine(start, time.min, UTC) for start in starts[1:]] + [
        datetime.max.replace(tzinfo=UTC)
    ]
    ids = visible_lessons(viewer=viewer).with_only_columns(Lesson.id)
    held = (
        select(
            LessonTransition.to_stage,
            LessonTransition.at,
            func.lead(LessonTransition.at)
            .over(
                partition_by=LessonTransition.lesson_id, order_by=(LessonTransition.at, LessonTransition.id)
            )
            .label("until"),
        )
        .where(LessonTransition.lesson_id.in_(ids))
        .subquery()
    )
    month_ends = union_all(
        *(
            select(literal(n, Integer).label("month"), literal(end, UTCDateTime).label("ends"))
            for n, end in enumerate(ends)
        )
    ).subquery()
    rows = session.exec(
        select(month_ends.c.month, held.c.to_stage, func.count())
        .join(
            held,
            and_(
                held.c.at < month_ends.c.ends, or_(held.c.until.is_(None), held.c.until >= month_ends.c.ends)
            ),
        )
        .group_by(month_ends.c.month, held.c.to_stage)
    )
    series = StageSeries(months=starts, counts={stage: [0] * months for stage in LessonStage})
    for month, stage, count in rows:
        series.counts[LessonStage(stage)][month] = count
    return series


def counts_by_stage(*, session: Session, viewer: "Person") -> dict[LessonStage, int]:
    query = visible_lessons(viewer=viewer).with_only_columns(Lesson.stage)
    counted = Counter(session.exec(query))
    return {stage: counted.get(stage.value, 0) for stage in LessonStage}


CSV_COLUMNS = [
    "id",
    "title",
    "stage",
    "classification",
    "effort",
    "themes",
    "countries",
    "tags",
    "submitted_at",
    "observation",
    "discussion",
    "conclusion",
    "recommendation",
    "rejection_reason",
]


def as_csv(lessons: list[Lesson]) -> str:
    out = io.StringIO()
    writer = spreadsheet_writer(out)
    writer.writerow(CSV_COLUMNS)
    for lesson in lessons:
        writer.writerow(
            [
                lesson.id,
                lesson.title,
                lesson.stage,
                lesson.classification,
                lesson.effort,
                ";".join(lesson.themes or []),
                ";".join(lesson.countries or []),
                ";".join(lesson.tags or []),
                lesson.submitted_at.isoformat(),
                lesson.observation,
                lesson.discussion,
                lesson.conclusion,
                lesson.recommendation,
                lesson.rejection_reason,
            ]
        )
    return out.getvalue()


def as_markdown(lessons: list[Lesson]) -> str:
    parts = ["# Lessons-learned log", ""]
    for lesson in lessons:
        parts += [
            f"## {lesson.id}. {lesson.title}",
            "",
            f"- Stage: {lesson.stage}",
            f"- Classification: {lesson.classification}",
            f"- Effort: {lesson.effort or '—'}",
            f"- Themes: {', '.join(lesson.themes or []) or '—'}",
            f"- Countries: {', '.join(lesson.countries or []) or '—'}",
            f"- Tags: {', '.join(lesson.tags or []) or '—'}",
            "",
        ]
        for heading, text in (
            ("Observation", lesson.observation),
            ("Discussion", lesson.discussion),
            ("Conclusion", lesson.conclusion),
            ("Recommendation", lesson.recommendation),
        ):
            if text:
                parts += [f"### {heading}", "", text, ""]
        if lesson.rejection_reason:
            parts += ["### Rejected because", "", lesson.rejection_reason, ""]
    return "\n".join(parts)


def stage_index(stage: str) -> int:
    return ORDER.index(LessonStage(stage))


def is_past(lesson: Lesson, stage: LessonStage) -> bool:
    """For the progress line on the lesson page; rejected lessons never pass analysis."""
    if lesson.stage in (S.rejected,) or (lesson.stage == S.archived and lesson.rejection_reason):
        return stage in (S.submitted, S.rejected) or (stage == S.archived and lesson.stage == S.archived)
    return stage != S.rejected and stage_index(stage) <= stage_index(lesson.stage)


def _search_details(session: Session, ids: list[int]) -> dict:
    rows = session.exec(
        select(Lesson.id, Lesson.title, Lesson.submitted_at, Lesson.stage, Lesson.effort).where(
            Lesson.id.in_(ids)
        )
    )
    return {
        le.id: (
            le.title,
            le.submitted_at,
            f"/lessons/{le.id}",
            " · ".join(p for p in (le.effort, le.stage) if p),
        )
        for le in rows
    }


SEARCHABLE = Searchable(
    name="lesson",
    code=5,
    model=Lesson,
    columns=("title", "observation", "discussion", "conclusion", "recommendation", "effort", "tags"),
    title=lambda le: le.title,
    body=lambda le: join_parts(
        le.observation, le.discussion, le.conclusion, le.recommendation, le.effort, " ".join(le.tags or [])
    ),
    visible_ids=lambda session, viewer, _policy, ids: visible_ids(session=session, viewer=viewer, ids=ids),
    details=_search_details,
)
