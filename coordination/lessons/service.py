"""The lessons-learned lifecycle and who may move a lesson along it.

submitted -> accepted (or rejected, with a reason) -> analysed -> identified -> endorsed by the steering
group, which tasks an action body with remedial actions (the actions of an adopted steering-group
decision) -> implemented -> validated by the steering group -> learned -> archived.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.countries import find_country, unknown_countries
from coordination.decisions import queries as decision_queries
from coordination.decisions import service as decisions
from coordination.decisions.enums import UnitKind
from coordination.lessons.enums import LessonStage
from coordination.lessons.models import Lesson, LessonDecision, LessonReport, LessonTransition
from coordination.notifications import service as notifications
from coordination.reports import queries as reports
from coordination.routing.rules import answering_audience, decision_audience
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, MembershipRole, Theme

if TYPE_CHECKING:
    from coordination.decisions.models import Action, Decision
    from coordination.structure.models import Body, Person

S = LessonStage
STAFF = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
SPEAKERS = {MembershipRole.chair, MembershipRole.co_chair}
# Stages at which a lesson has come through analysis and is worth showing to later efforts.


class LessonError(RuleViolation):
    """A lesson or a stage change the rules refuse."""


class LessonConflict(Conflict, LessonError):
    """Someone else moved the lesson on first: the step asked for is no longer open."""


class NotAllowed(Forbidden):
    """The person may not move this lesson on."""


@dataclass(frozen=True)
class Step:
    """One transition: the stages it leaves, the stage it reaches, and who takes it."""

    name: str
    sources: tuple[LessonStage, ...]
    target: LessonStage
    who: str  # analysts | steering | steering_staff | implementers
    needs_note: bool = False


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step("accept", (S.submitted,), S.accepted, "analysts"),
        Step("reject", (S.submitted,), S.rejected, "analysts", needs_note=True),
        Step("analyse", (S.accepted,), S.analysed, "analysts"),
        Step("identify", (S.analysed,), S.identified, "analysts"),
        Step("endorse", (S.identified,), S.endorsed, "steering"),
        Step("task", (S.endorsed,), S.tasked, "steering_staff"),
        Step("implement", (S.tasked,), S.implemented, "implementers"),
        Step("validate", (S.implemented,), S.validated, "steering"),
        Step("learn", (S.validated,), S.learned, "steering_staff"),
        Step("archive", (S.learned, S.rejected), S.archived, "steering_staff"),
    )
}

WHO = {
    "analysts": (
        "the steering group's chair, co-chairs and secretary, or the chairs of the task force concerned"
    ),
    "steering": "only the steering group (its chair or a co-chair)",
    "steering_staff": "the steering group's chair, co-chairs and secretary",
    "implementers": "the action body's chairs and secretary, or the steering group's staff",
}


# --- need-to-know -----------------------------------------------------------------------------------


# --- submitting -------------------------------------------------------------------------------------


def _clean_list(values, allowed: set[str] | None, name: str, field_name: str) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in (values or []) if v and v.strip()))
    if allowed is not None:
        unknown = [v for v in cleaned if v not in allowed]
        if unknown:
            raise LessonError(f"unknown {name}: {', '.join(unknown)}", field_name)
    return cleaned


def _task_force(session: Session, slug: str | None) -> "Body | None":
    if not slug:
        return None
    body = structure.find_body(session=session, slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        raise LessonError(f"no task force {slug}", "task_force")
    return body


def submit_observation(
    *,
    session: Session,
    person: "Person",
    title: str,
    observation: str,
    discussion: str = "",
    conclusion: str = "",
    recommendation: str = "",
    classification: str = Clearance.unclassified,
    effort: str = "",
    task_force: str | None = None,
    themes: list[str] = (),
    countries: list[str] = (),
    tags: list[str] = (),
    decision_ids: list[int] = (),
    report_ids: list[int] = (),
    from_exercise: str = "",
    policy: NeedToKnow,
    now: datetime,
) -> Lesson:
    """Anyone may submit an observation; what it concerns must be something they can see. One from an
    exercise's after-action review names the exercise (`from_exercise`)."""
    title = (title or "").strip()
    if len(title) < 3:
        raise LessonError("give the observation a title", "title")
    if not (observation or "").strip():
        raise LessonError("say what happened, as fact", "observation")
    try:
        classification = Clearance(classification)
    except ValueError as exc:
        raise LessonError(f"unknown classification {classification}", "classification") from exc
    if not Clearance(person.clearance).covers(classification):
        raise LessonError("you cannot classify above your own clearance", "classification")
    body = _task_force(session, task_force)
    themes = _clean_list(themes, {t.value for t in Theme}, "theme", "themes")
    typed = {c: find_country(c) or c.upper() for c in _clean_list(countries, None, "country", "countries")}
    countries = list(dict.fromkeys(typed.values()))
    known = structure.known_countries(session=session, codes=countries)
    if unknown := [text for text, code in typed.items() if code not in known]:
        raise LessonError(unknown_countries(unknown), "countries")
    if body is not None:
        themes = themes or list(body.themes or [])
        countries = countries or structure.body_country_codes(session=session, body_id=body.id)
    tags = [t.lower() for t in _clean_list(tags, None, "tag", "tags")][:20]
    for decision_id in dict.fromkeys(decision_ids):
        if (
            decision_queries.get_visible_decision(session=session, viewer=person, decision_id=decision_id)
            is None
        ):
            raise LessonError(f"no decision {decision_id}", "decision_ids")
    for report_id in dict.fromkeys(report_ids):
        if (
            reports.get_visible_report(session=session, viewer=person, report_id=report_id, policy=policy)
            is None
        ):
            raise LessonError(f"no field report {report_id}", "report_ids")
    lesson = Lesson(
        title=title,
        observation=observation.strip(),
        discussion=(discussion or "").strip(),
        conclusion=(conclusion or "").strip(),
        recommendation=(recommendation or "").strip(),
        classification=classification,
        effort=(effort or "").strip()[:120],
        task_force_id=body.id if body else None,
        themes=themes,
        countries=countries,
        tags=tags,
        submitted_by_id=person.id,
        submitted_at=now,
        stage_changed_at=now,
        from_exercise=(from_exercise or "").strip()[:200],
    )
    session.add(lesson)
    session.flush()
    for decision_id in dict.fromkeys(decision_ids):
        session.add(LessonDecision(lesson_id=lesson.id, decision_id=decision_id))
    for report_id in dict.fromkeys(report_ids):
        session.add(LessonReport(lesson_id=lesson.id, report_id=report_id))
    session.add(LessonTransition(lesson_id=lesson.id, to_stage=S.submitted, person_id=person.id, at=now))
    audit.record(
        session,
        actor_id=person.id,
        action="lesson.submit",
        object_type="lesson",
        object_id=lesson.id,
        **({"from_exercise": lesson.from_exercise} if lesson.from_exercise else {}),
    )
    session.commit()
    return lesson


# --- who may do what --------------------------------------------------------------------------------


def _role(session: Session, person: "Person", body_id: int | None) -> MembershipRole | None:
    if body_id is None:
        return None
    return structure.role_in(session=session, person_id=person.id, body_id=body_id)


def _steering_role(session: Session, person: "Person") -> MembershipRole | None:
    steering_group = structure.get_steering_group(session=session)
    return _role(session, person, steering_group.id if steering_group else None)


def may_take(*, session: Session, person: "Person", lesson: Lesson, step: Step) -> bool:
    steering = _steering_role(session, person)
    if step.who == "steering":
        return steering in SPEAKERS
    if step.who == "steering_staff":
        return steering in STAFF
    if step.who == "analysts":
        return steering in STAFF or _role(session, person, lesson.task_force_id) in SPEAKERS
    if step.who == "implementers":
        return steering in STAFF or _role(session, person, lesson.action_body_id) in STAFF
    return False


def next_steps(*, session: Session, person: "Person", lesson: Lesson) -> list[Step]:
    """The steps this person may take on the lesson now ("task" is taken by adding a remedial action)."""
    return [
        step
        for step in STEPS.values()
        if lesson.stage in step.sources
        and step.name not in ("endorse", "task")
        and may_take(session=session, person=person, lesson=lesson, step=step)
    ]


def may_edit(*, session: Session, person: "Person", lesson: Lesson) -> bool:
    """The author edits a submitted observation; the analysts edit it until the lesson is identified."""
    if lesson.stage == S.submitted and lesson.submitted_by_id == person.id:
        return True
    return lesson.stage in (S.submitted, S.accepted, S.analysed) and may_take(
        session=session, person=person, lesson=lesson, step=STEPS["analyse"]
    )


# --- moving along the lifecycle ---------------------------------------------------------------------


def _move(session: Session, person: "Person", lesson: Lesson, step: Step, note: str, now: datetime) -> None:
    session.add(
        LessonTransition(
            lesson_id=lesson.id,
            from_stage=lesson.stage,
            to_stage=step.target,
            person_id=person.id,
            at=now,
            note=note,
        )
    )
    audit.record(
        session,
        actor_id=person.id,
        action=f"lesson.{step.name}",
        object_type="lesson",
        object_id=lesson.id,
        from_stage=lesson.stage,
        to_stage=step.target.value,
    )
    lesson.stage = step.target
    lesson.stage_changed_at = now
    session.add(lesson)


def _moved_past(stage: LessonStage, step: Step) -> bool:
    """Whether the lesson has gone on from a stage where `step` could be taken: a race lost, not a wrong
    request."""
    reached, frontier = set(), set(step.sources)
    while frontier:
        current = frontier.pop()
        reached.add(current)
        frontier |= {s.target for s in STEPS.values() if current in s.sources} - reached
    return stage in reached - set(step.sources)


def _lock(session: Session, lesson: Lesson) -> None:
    """Read the lesson again and hold it until the commit (SELECT ... FOR UPDATE): its stage decides
    which step may be taken, so two people must not both take one from the same stage."""
    session.flush()  # keep what the caller changed but did not save yet
    session.refresh(lesson, with_for_update=True)


def _check(session: Session, person: "Person", lesson: Lesson, step: Step) -> None:
    _lock(session, lesson)
    if lesson.stage not in step.sources:
        raise (LessonConflict if _moved_past(LessonStage(lesson.stage), step) else LessonError)(
            f"a lesson at stage '{lesson.stage}' cannot be {step.target.value}; "
            f"it must be {' or '.join(s.value for s in step.sources)} first",
            "stage",
        )
    if not may_take(session=session, person=person, lesson=lesson, step=step):
        raise NotAllowed(f"{step.name}: {WHO[step.who]} may do this")


def advance(
    *, session: Session, person: "Person", lesson: Lesson, step_name: str, note: str = "", now: datetime
) -> Lesson:
    """Take one step; endorsing and tasking have their own functions because they create a decision and
    actions."""
    step = STEPS.get(step_name)
    if step is None or step_name in ("endorse", "task"):
        raise LessonError(f"unknown step {step_name}", "step")
    _check(session, person, lesson, step)
    note = (note or "").strip()[:2000]
    if step.needs_note and not note:
        raise LessonError("give the reason for rejecting the observation", "note")
    if step.name == "analyse" and not lesson.discussion.strip():
        raise LessonError(
            "write the discussion (why; who, what, where, when, how) before analysing", "discussion"
        )
    if step.name == "identify" and not (lesson.conclusion.strip() and lesson.recommendation.strip()):
        raise LessonError("a lesson is identified with a conclusion and a recommendation", "recommendation")
    if step.name == "implement" and not (
        lesson.endorsement_decision_id
        and decision_queries.all_actions_done(session=session, decision_id=lesson.endorsement_decision_id)
    ):
        raise LessonError("every remedial action must be done before the lesson is implemented", "stage")
    if step.name == "reject":
        lesson.rejection_reason = note
    _move(session, person, lesson, step, note, now)
    session.commit()
    return lesson


def edit(
    *,
    session: Session,
    person: "Person",
    lesson: Lesson,
    title: str,
    observation: str,
    discussion: str,
    conclusion: str,
    recommendation: str,
) -> Lesson:
    if not may_edit(session=session, person=person, lesson=lesson):
        raise NotAllowed("only the author (before acceptance) or the analysts edit this lesson")
    title = (title or "").strip()
    if len(title) < 3:
        raise LessonError("give the observation a title", "title")
    if not (observation or "").strip():
        raise LessonError("say what happened, as fact", "observation")
    lesson.title = title
    lesson.observation = observation.strip()
    lesson.discussion = (discussion or "").strip()
    lesson.conclusion = (conclusion or "").strip()
    lesson.recommendation = (recommendation or "").strip()
    session.add(lesson)
    audit.record(session, actor_id=person.id, action="lesson.edit", object_type="lesson", object_id=lesson.id)
    session.commit()
    return lesson


def endorse(
    *, session: Session, person: "Person", lesson: Lesson, action_body: str, note: str = "", now: datetime
) -> "Decision":
    """The steering group endorses the lesson: an adopted steering-group decision, addressed to the action
    body that will be tasked with the remedial actions."""
    step = STEPS["endorse"]
    _check(session, person, lesson, step)
    body = structure.find_body(session=session, slug=action_body or "")
    if body is None or body.kind == BodyKind.steering_group:
        raise LessonError(
            "choose the task force or platform that will carry out the remedial actions", "action_body"
        )
    steering_group = structure.get_steering_group(session=session)
    decision = decisions.draft_decision(
        session=session,
        author=person,
        issuing_body=steering_group.slug,
        title=f"Lesson endorsed: {lesson.title}"[:200],
        text=lesson.recommendation,
        rationale=_join_parts(lesson.conclusion, note),
        classification=lesson.classification,
        addressees=[(UnitKind.body.value, body.slug)],
        now=now,
        commit=False,
    )
    decisions.adopt(session=session, person=person, decision=decision, now=now, commit=False)
    lesson.action_body_id = body.id
    lesson.endorsement_decision_id = decision.id
    session.add(LessonDecision(lesson_id=lesson.id, decision_id=decision.id))
    _move(session, person, lesson, step, (note or "").strip()[:2000], now)
    session.commit()
    graph = structure.organisation_graph(session=session)
    units = [decisions.resolve_unit(session=session, kind="body", key=body.slug).unit]
    reached = decision_audience(graph, units, decision.classification)
    reached = decision_queries.readers_among(session=session, decision=decision, person_ids=reached)
    reached -= {person.id}
    answering = reached & set(answering_audience(graph, units, decision.classification))

    def endorsed(asked: bool) -> tuple[str, str]:
        title = _("Lesson endorsed for %(body)s: %(title)s", body=body.name, title=lesson.title)
        if asked:
            return title, _("The steering group will task remedial actions; please acknowledge the decision.")
        return title, _("The steering group will task remedial actions to your body.")

    for told, asked in ((answering, True), (reached - answering, False)):
        notifications.notify_in_their_language(
            session=session,
            person_ids=told,
            kind="lesson.endorsed",
            message=lambda asked=asked: endorsed(asked),
            link=f"/lessons/{lesson.id}",
            now=now,
        )
    session.commit()
    return decision


def _join_parts(*parts: str) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def add_remedial_action(
    *,
    session: Session,
    person: "Person",
    lesson: Lesson,
    title: str,
    due_on: date | None,
    owner_person_id: int | None = None,
    now: datetime,
) -> "Action":
    """An action for the action body on the endorsement decision; the first one tasks the lesson."""
    _lock(session, lesson)
    if lesson.stage not in (S.endorsed, S.tasked):
        raise LessonError("remedial actions follow the steering group's endorsement", "stage")
    if not may_take(session=session, person=person, lesson=lesson, step=STEPS["task"]):
        raise NotAllowed(f"task: {WHO['steering_staff']} may do this")
    if due_on is None:
        raise LessonError("give the action a due date", "due_on")
    if due_on < now.astimezone(UTC).date():
        raise LessonError("the due date is in the past", "due_on")
    decision = decision_queries.decision_by_id(session=session, decision_id=lesson.endorsement_decision_id)
    body = structure.bodies_by_id(session=session, ids=[lesson.action_body_id])[lesson.action_body_id]
    if owner_person_id is not None:
        owner = structure.people_by_id(session=session, ids=[owner_person_id]).get(owner_person_id)
        if owner is None or _role(session, owner, body.id) is None:
            raise LessonError("the owner must sit in the action body", "owner_person_id")
    action = decisions.create_action(
        session=session,
        person=person,
        decision=decision,
        title=title,
        owner_kind=UnitKind.body.value,
        owner_key=body.slug,
        due_on=due_on,
        owner_person_id=owner_person_id,
        now=now,
        commit=False,
    )
    if lesson.stage == S.endorsed:
        _move(session, person, lesson, STEPS["task"], action.title, now)
    session.commit()
    told = decision_queries.readers_among(session=session, decision=decision, person_ids={owner_person_id})
    if owner_person_id and owner_person_id != person.id and told:
        notifications.notify_in_their_language(
            session=session,
            person_ids=told,
            kind="lesson.action",
            message=lambda: (
                _("Remedial action for you: %(title)s", title=action.title),
                _("Due %(date)s, from the lesson “%(title)s”.", date=due_on.isoformat(), title=lesson.title),
            ),
            link=f"/actions/{action.id}",
            now=now,
        )
        session.commit()
    return action


# --- lessons coming back when they matter -----------------------------------------------------------


def ask_for_observations(*, session: Session, task_force: "Body", now: datetime) -> int:
    """When a task force stands down, each member is asked what should be learned from it."""
    member_ids = structure.seated_person_ids(session=session, body_id=task_force.id)
    notifications.notify_in_their_language(
        session=session,
        person_ids=member_ids,
        kind="lesson.request",
        message=lambda: (
            _("%(name)s is stood down: what should we learn from it?", name=task_force.name),
            _("Submit your observations to the lessons-learned log while they are fresh."),
        ),
        link=f"/lessons/new?task_force={task_force.slug}",
        now=now,
    )
    return len(member_ids)


# --- the log ----------------------------------------------------------------------------------------


# --- exports ----------------------------------------------------------------------------------------


def set_stage_changed_at(*, session: Session, lesson: Lesson, at: datetime) -> None:
    """Give a lesson the time of its last step (the demo scenario backdates its steps)."""
    lesson.stage_changed_at = at
    session.add(lesson)
    session.commit()
