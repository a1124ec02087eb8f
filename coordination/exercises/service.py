"""Running an exercise: a controller plans it from a library script, starts, pauses, speeds up, resumes and
ends it, then archives it. Each step is audited; the clock is `clock.exercise_elapsed`."""

import re
import unicodedata
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, select

from coordination import db
from coordination.attachments import queries as attachments
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.decisions import queries as decisions
from coordination.exercises import clock, evaluation, scripts, store
from coordination.exercises.enums import MAX_SPEED, ExerciseStatus, InjectOutcome
from coordination.exercises.models import Exercise, ExerciseInject
from coordination.lessons import service as lessons_service
from coordination.reports import queries as reports_queries
from coordination.reports import service as reports
from coordination.reports.service import ReportCreate
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.structure.enums import MembershipRole

CONTROLLING_ROLES = {MembershipRole.chair, MembershipRole.co_chair, MembershipRole.secretary}
NEXT = {  # which steps each status allows
    "start": {ExerciseStatus.planned},
    "pause": {ExerciseStatus.running},
    "resume": {ExerciseStatus.paused},
    "speed": {ExerciseStatus.planned, ExerciseStatus.running, ExerciseStatus.paused},
    "end": {ExerciseStatus.running, ExerciseStatus.paused},
    "archive": {ExerciseStatus.ended},
}


class ExerciseError(RuleViolation):
    pass


def may_control(*, session: Session, person) -> bool:
    """Administrators, and the steering group's chair, co-chairs and secretary, run exercises."""
    if person.is_admin:
        return True
    steering_group = structure.get_steering_group(session=session)
    return steering_group is not None and (
        structure.role_in(session=session, person_id=person.id, body_id=steering_group.id)
        in CONTROLLING_ROLES
    )


def _require_controller(session: Session, person) -> None:
    if not may_control(session=session, person=person):
        raise Forbidden("only an administrator or the steering group's chair or secretary runs exercises")


def script_problems(*, session: Session, script: scripts.Script) -> list[str]:
    """What in the script the organisation does not have (missions, authors and their seats, countries)."""
    directory = structure.directory_of(structure.organisation_graph(session=session))
    people = structure.list_people(session=session)
    email_of = {p.id: p.email for p in people}
    code_of = {m.id: m.code for m in directory.missions.values()}
    platforms: dict[str, set[str]] = {code: set() for code in directory.missions}
    for person_id, mission_id in directory.platform_seats:
        platforms[code_of[mission_id]].add(email_of[person_id])
    return scripts.check_against(
        script,
        missions={m.code for m in directory.missions.values() if m.closed_at is None},
        people={p.email for p in people if p.active},
        countries=set(directory.countries),
        platforms=platforms,
        clearances={p.email: str(p.clearance) for p in people},
    )


def _key(session: Session, name: str, now: datetime) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = f"{now:%Y-%m-%d}-" + (re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "exercise")
    key, n = base, 2
    while session.exec(select(Exercise.id).where(Exercise.key == key)).first() is not None:
        key, n = f"{base}-{n}", n + 1
    return key


def plan(*, session: Session, actor, script_key: str, name: str, now: datetime) -> Exercise:
    """A named, dated run of a library script, not started yet; refused while the script names a mission,
    person or country the organisation does not have."""
    _require_controller(session, actor)
    script = scripts.library().get(script_key)
    if script is None:
        raise ExerciseError(f"no script {script_key!r} in the library", "script_key")
    name = (name or "").strip() or script.name
    if len(name) > 200:
        raise ExerciseError("a name of at most 200 characters", "name")
    problems = script_problems(session=session, script=script)
    if problems:
        raise ExerciseError("; ".join(problems), "script_key")
    exercise = Exercise(
        key=_key(session, name, now), name=name, script_key=script.key, created_by_id=actor.id, created_at=now
    )
    session.add(exercise)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="exercise.plan",
        object_type="exercise",
        object_id=exercise.key,
        script=script.key,
    )
    session.commit()
    return exercise


def _step(session: Session, actor, exercise: Exercise, step: str, now: datetime, **detail) -> None:
    _require_controller(session, actor)
    if exercise.status not in NEXT[step]:
        raise Conflict(f"a {exercise.status} exercise cannot {step}", "status")
    audit.record(
        session,
        actor_id=actor.id,
        action=f"exercise.{step}",
        object_type="exercise",
        object_id=exercise.key,
        exercise_time=clock.exercise_elapsed(exercise, now).total_seconds(),
        **detail,
    )


def start(*, session: Session, actor, exercise: Exercise, now: datetime) -> Exercise:
    """Make the exercise's own database (a copy of the organisation as it is now) and start its clock."""
    _step(session, actor, exercise, "start", now)
    try:
        store.create(session=session, key=exercise.key)
    except BaseException:
        session.rollback()
        store.drop(session=session, key=exercise.key)  # no half-made database is left behind
        raise
    exercise.status, exercise.started_at, exercise.running_since = ExerciseStatus.running, now, now
    clock.mark(exercise, now)
    return _saved(session, exercise)


def pause(*, session: Session, actor, exercise: Exercise, now: datetime) -> Exercise:
    _step(session, actor, exercise, "pause", now)
    clock.fold(exercise, now)
    exercise.status, exercise.running_since = ExerciseStatus.paused, None
    clock.mark(exercise, now)
    return _saved(session, exercise)


def resume(*, session: Session, actor, exercise: Exercise, now: datetime) -> Exercise:
    _step(session, actor, exercise, "resume", now)
    exercise.status, exercise.running_since = ExerciseStatus.running, now
    clock.mark(exercise, now)
    return _saved(session, exercise)


def set_speed(*, session: Session, actor, exercise: Exercise, speed: int, now: datetime) -> Exercise:
    """From x1 to x60; exercise time goes on from where it stood."""
    if isinstance(speed, bool) or not isinstance(speed, int) or not 1 <= speed <= MAX_SPEED:
        raise ExerciseError(f"a speed from 1 to {MAX_SPEED}", "speed")
    _step(session, actor, exercise, "speed", now, speed=speed, was=exercise.speed)
    clock.fold(exercise, now)
    exercise.speed = speed
    clock.mark(exercise, now)
    return _saved(session, exercise)


def end(*, session: Session, actor, exercise: Exercise, now: datetime) -> Exercise:
    _step(session, actor, exercise, "end", now)
    clock.fold(exercise, now)
    exercise.status, exercise.running_since, exercise.ended_at = ExerciseStatus.ended, None, now
    clock.mark(exercise, now)
    return _saved(session, exercise)


def archive(*, session: Session, actor, exercise: Exercise, now: datetime) -> Exercise:
    _step(session, actor, exercise, "archive", now)
    exercise.status, exercise.archived_at = ExerciseStatus.archived, now
    return _saved(session, exercise)


def delete(*, session: Session, actor, exercise: Exercise, now: datetime, files=None) -> None:
    """Delete an exercise as a whole: its database with everything made in it, the files attached in it
    (from `files`, the attachments' store), and what became of its injects. A planned one is deleted before
    it starts; a running one must end first. The audit log keeps that it ran and who deleted it."""
    _require_controller(session, actor)
    if exercise.status in (ExerciseStatus.running, ExerciseStatus.paused):
        raise Conflict("end the exercise before deleting it", "status")
    audit.record(
        session,
        actor_id=actor.id,
        action="exercise.delete",
        object_type="exercise",
        object_id=exercise.key,
        name=exercise.name,
        status=str(exercise.status),
    )
    if exercise.started_at is not None:
        with play_session(session=session, exercise=exercise) as play:
            keys = attachments.every_storage_key(session=play)
        store.drop(session=session, key=exercise.key)
        for key in keys if files is not None else ():
            files.delete(key)
    for record in session.exec(select(ExerciseInject).where(ExerciseInject.exercise_id == exercise.id)):
        session.delete(record)
    session.flush()
    session.delete(exercise)
    session.commit()


def inject_by_hand(
    *,
    session: Session,
    actor,
    exercise: Exercise,
    mission: str,
    title: str,
    body: str = "",
    severity: str = "info",
    early_warning: bool = False,
    classification: str = "unclassified",
    now: datetime,
    policy: NeedToKnow,
) -> ExerciseInject:
    """The controller writes an inject during the exercise: posted at once from the mission (by its
    platform's chair), recorded and audited like the script's."""
    _require_controller(session, actor)
    if exercise.status not in (ExerciseStatus.running, ExerciseStatus.paused):
        raise Conflict(f"a {exercise.status} exercise takes no injects", "status")
    count = len(
        session.exec(
            select(ExerciseInject.id).where(
                ExerciseInject.exercise_id == exercise.id, ExerciseInject.outcome == InjectOutcome.by_hand
            )
        ).all()
    )
    try:
        inject = scripts.Inject(
            key=f"by-hand-{count + 1}",
            at="0m",
            mission=mission,
            title=title,
            body=body,
            severity=severity,
            early_warning=early_warning,
            classification=classification,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise ExerciseError(first["msg"], str(first["loc"][0]) if first["loc"] else "title") from error
    with play_session(session=session, exercise=exercise, writing=True) as play:
        if structure.get_mission(session=play, code=inject.mission) is None:
            raise ExerciseError(f"no mission {inject.mission}", "mission")
        report = _post(play, inject, now, policy)
    record = ExerciseInject(
        exercise_id=exercise.id,
        inject_key=inject.key,
        outcome=InjectOutcome.by_hand,
        at=now,
        at_exercise_seconds=clock.exercise_elapsed(exercise, now).total_seconds(),
        by_hand_id=actor.id,
        report_id=report.id,
    )
    session.add(record)
    audit.record(
        session,
        actor_id=actor.id,
        action="exercise.inject.by_hand",
        object_type="exercise",
        object_id=exercise.key,
        inject=record.inject_key,
        report=report.id,
    )
    session.commit()
    return record


def review(
    *,
    session: Session,
    actor,
    exercise: Exercise,
    title: str,
    observation: str,
    recommendation: str = "",
    classification: str = "unclassified",
    now: datetime,
    policy: NeedToKnow,
):
    """One observation of the after-action review: a lesson of the real log, submitted by the controller and
    marked as coming from the exercise (it concerns how people worked, which may be learned from, not what
    was invented for the exercise). Only once the exercise has started."""
    _require_controller(session, actor)
    if exercise.started_at is None:
        raise Conflict("an exercise that has not started has nothing to review", "status")
    lesson = lessons_service.submit_observation(
        session=session,
        person=actor,
        title=title,
        observation=observation,
        recommendation=recommendation,
        classification=classification or "unclassified",
        effort=exercise.name[:120],
        tags=["exercise"],
        from_exercise=exercise.name,
        policy=policy,
        now=now,
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="exercise.review",
        object_type="exercise",
        object_id=exercise.key,
        lesson=lesson.id,
    )
    session.commit()
    return lesson


def _saved(session: Session, exercise: Exercise) -> Exercise:
    session.add(exercise)
    session.commit()
    return exercise


def due(*, session: Session, exercise: Exercise, now: datetime) -> list[scripts.Inject]:
    """The script's injects that have fallen due by the exercise's clock and have not been dealt with."""
    if exercise.status != ExerciseStatus.running:
        return []
    done = set(
        session.exec(select(ExerciseInject.inject_key).where(ExerciseInject.exercise_id == exercise.id))
    )
    script = scripts.library()[exercise.script_key]
    return scripts.due_injects(script, clock.exercise_elapsed(exercise, now), done)


def play_session(*, session: Session, exercise: Exercise, writing: bool = False) -> Session:
    """A session on the exercise's own database (the caller closes it); `writing`, each of its transactions
    takes SQLite's write lock as it begins, as the scheduler's jobs do (see jobs.scheduler.run_job)."""
    main_url = session.get_bind().engine.url.render_as_string(hide_password=False)
    engine = store.engine_for(main_url, exercise.key)
    return Session(engine.execution_options(write_lock=True) if writing else engine, expire_on_commit=False)


def post_due(
    *, session: Session, exercise: Exercise, now: datetime, policy: NeedToKnow
) -> list[ExerciseInject]:
    """Post the injects that have fallen due into the exercise's database, through the reports area as a
    field report from their mission (by their author, else the platform's chair); an inject whose `unless`
    condition is met is recorded as skipped. Each is recorded once, with both clocks."""
    injects = due(session=session, exercise=exercise, now=now)
    if not injects:
        return []
    elapsed = clock.exercise_elapsed(exercise, now).total_seconds()
    done = []
    with play_session(session=session, exercise=exercise, writing=True) as play:
        for inject in injects:
            record = ExerciseInject(
                exercise_id=exercise.id,
                inject_key=inject.key,
                outcome=InjectOutcome.posted,
                at=now,
                at_exercise_seconds=elapsed,
            )
            condition = inject.unless.decision_adopted_for if inject.unless else None
            if condition and decisions.adopted_for_unit(
                session=play, unit=condition, since=exercise.started_at
            ):
                record.outcome, record.note = InjectOutcome.skipped, f"a decision for {condition} was adopted"
            else:
                try:
                    record.report_id = _post(play, inject, now, policy).id
                except (RuleViolation, Forbidden) as error:
                    play.rollback()
                    # recorded once as skipped, with why, rather than failing every tick from now on
                    record.outcome, record.note = InjectOutcome.skipped, f"not posted: {error}"[:300]
            session.add(record)
            done.append(record)
    for record in done:
        audit.record(
            session,
            actor_id=None,
            action=f"exercise.inject.{record.outcome}",
            object_type="exercise",
            object_id=exercise.key,
            inject=record.inject_key,
            report=record.report_id,
        )
    session.commit()
    return done


def _post(play: Session, inject: scripts.Inject, now: datetime, policy: NeedToKnow):
    if inject.author:
        author = structure.get_person_by_email(session=play, email=inject.author)
    else:
        mission = structure.get_mission(session=play, code=inject.mission)
        platform = structure.platform_of(session=play, mission=mission)
        chairs = structure.seated_person_ids(session=play, body_id=platform.id, roles={MembershipRole.chair})
        author = structure.people_by_id(session=play, ids=chairs).get(min(chairs)) if chairs else None
    if author is None:
        raise ExerciseError(f"inject {inject.key}: nobody to post it from {inject.mission}", "script_key")
    data = ReportCreate(
        title=inject.title,
        body=inject.body,
        mission_code=inject.mission,
        country_code=inject.country,
        severity=inject.severity,
        early_warning=inject.early_warning,
        classification=inject.classification,
        restricted_distribution=inject.restricted_distribution,
        themes=list(inject.themes),
    )
    graph = structure.organisation_graph(session=play)
    posted = reports.post_report(
        session=play,
        author=author,
        data=data,
        graph=graph,
        policy=policy,
        idempotency_key=f"exercise-inject:{inject.key}",
        now=now,
    )
    return posted.report


def post_due_everywhere(*, session: Session, now: datetime, policy: NeedToKnow) -> int:
    """The scheduler's tick: post what fell due in every running exercise; how many injects it dealt with."""
    running = session.exec(select(Exercise).where(Exercise.status == ExerciseStatus.running)).all()
    return sum(len(post_due(session=session, exercise=e, now=now, policy=policy)) for e in running)


def hidden_injects(script: scripts.Script, viewer) -> set[str]:
    """The keys of the script's injects classified above the viewer's clearance: on the controller's pages
    they leave no trace (an inject by hand keeps no title there)."""
    return {i.key for i in script.injects if not Clearance(viewer.clearance).covers(i.classification)}


def evaluate(*, session: Session, exercise: Exercise, viewer=None) -> evaluation.Evaluation:
    """The exercise's timeline and measured times against its script's targets, from what became of its
    injects (the real database) and what the players did (the exercise's own). Given a `viewer`, only the
    decisions they may see count: need-to-know holds in an exercise's evaluation as in its pages."""
    records = session.exec(select(ExerciseInject).where(ExerciseInject.exercise_id == exercise.id)).all()
    if exercise.started_at is None:
        return evaluation.Evaluation()
    report_ids = [r.report_id for r in records if r.report_id is not None]
    with play_session(session=session, exercise=exercise) as play:
        triaged = reports_queries.first_triaged_at(session=play, report_ids=report_ids)
        missions = reports_queries.mission_of_reports(session=play, report_ids=report_ids)
        adoptions = decisions.adoptions_since(session=play, since=exercise.started_at, viewer=viewer)
    script = scripts.library()[exercise.script_key]
    if viewer is not None:
        records = [r for r in records if r.inject_key not in hidden_injects(script, viewer)]
    return evaluation.evaluate(
        exercise=exercise,
        script=script,
        injects=records,
        triaged=triaged,
        adoptions=adoptions,
        report_missions=missions,
    )


def upgrade_stores(*, session: Session) -> list[str]:
    """Migrate every exercise's own database to the code's schema, as the real one is at an upgrade (an
    exercise kept in the archive must still open after one); the keys migrated."""
    started = session.exec(select(Exercise).where(Exercise.started_at.is_not(None))).all()
    main_url = session.get_bind().engine.url.render_as_string(hide_password=False)
    for exercise in started:
        db.upgrade(store.engine_for(main_url, exercise.key))
    return [e.key for e in started]
