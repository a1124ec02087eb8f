"""Running an exercise (issue 20): the controller's steps, the exercise's clock and what falls due, through
the service with an injected clock (no HTTP, no waiting)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.exercises import clock, scripts, service
from coordination.exercises.enums import ExerciseStatus, InjectOutcome
from coordination.exercises.models import ExerciseInject
from coordination.rules import Conflict, Forbidden
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_CHAIR, SG_SECRETARY

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
GREAT_LAKES = "great-lakes-escalation"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def test_every_library_script_fits_the_seeded_organisation(session):
    """Each script's missions, authors (seated in their platforms, cleared for what they post) and
    countries exist, so a controller can start any of them on a fresh installation."""
    for key, script in scripts.library().items():
        assert service.script_problems(session=session, script=script) == [], key


def test_the_controller_runs_the_clock_at_up_to_sixty_times_the_wall_clock(session):
    chair = who(session, SG_CHAIR)
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="", now=T0)
    assert exercise.name == "Great Lakes escalation" and exercise.key == "2026-12-02-great-lakes-escalation"
    assert clock.exercise_elapsed(exercise, T0 + timedelta(hours=1)) == timedelta(0)  # not started

    service.set_speed(session=session, actor=chair, exercise=exercise, speed=60, now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)
    assert clock.exercise_elapsed(exercise, T0 + timedelta(minutes=2)) == timedelta(hours=2)
    service.pause(session=session, actor=chair, exercise=exercise, now=T0 + timedelta(minutes=1))
    assert clock.exercise_elapsed(exercise, T0 + timedelta(hours=5)) == timedelta(hours=1)  # stands still
    assert clock.wall_time_until(exercise, timedelta(hours=2), T0 + timedelta(hours=5)) is None

    later = T0 + timedelta(hours=5)
    service.resume(session=session, actor=chair, exercise=exercise, now=later)
    service.set_speed(
        session=session, actor=chair, exercise=exercise, speed=2, now=later + timedelta(minutes=1)
    )
    # one more hour at x60, then an hour of the wall clock at x2: no jump where the speed changed
    assert clock.exercise_elapsed(exercise, later + timedelta(minutes=61)) == timedelta(hours=4)
    assert clock.wall_time_until(exercise, timedelta(hours=5), later + timedelta(minutes=61)) == timedelta(
        minutes=30
    )
    service.end(session=session, actor=chair, exercise=exercise, now=later + timedelta(minutes=61))
    # the clock's history gives exercise time at any past instant, for the evaluation
    at = clock.exercise_time_at
    assert at(exercise, T0 - timedelta(seconds=1)) is None
    assert at(exercise, T0 + timedelta(seconds=30)) == timedelta(minutes=30)
    assert at(exercise, T0 + timedelta(hours=3)) == timedelta(hours=1)  # paused
    assert at(exercise, later + timedelta(seconds=30)) == timedelta(hours=1, minutes=30)
    assert at(exercise, later + timedelta(minutes=31)) == timedelta(hours=3)  # x2 since the 61st minute
    assert at(exercise, later + timedelta(days=2)) == timedelta(hours=4)  # ended
    service.archive(session=session, actor=chair, exercise=exercise, now=later + timedelta(days=1))
    assert exercise.status == ExerciseStatus.archived
    assert clock.exercise_elapsed(exercise, later + timedelta(days=3)) == timedelta(hours=4)

    steps = session.exec(
        select(AuditEvent.action).where(AuditEvent.object_type == "exercise").order_by(AuditEvent.id)
    ).all()
    assert steps == [
        "exercise.plan",
        "exercise.speed",
        "exercise.start",
        "exercise.pause",
        "exercise.resume",
        "exercise.speed",
        "exercise.end",
        "exercise.archive",
    ]


def test_steps_out_of_order_speeds_out_of_range_and_other_people_are_refused(session):
    chair = who(session, SG_CHAIR)
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="Drill", now=T0)
    with pytest.raises(Conflict):
        service.pause(session=session, actor=chair, exercise=exercise, now=T0)
    with pytest.raises(Conflict):
        service.archive(session=session, actor=chair, exercise=exercise, now=T0)
    for speed in (0, 61, -1, True, 1.5):
        with pytest.raises(service.ExerciseError) as refused:
            service.set_speed(session=session, actor=chair, exercise=exercise, speed=speed, now=T0)
        assert refused.value.field == "speed"
    with pytest.raises(Forbidden):
        service.start(session=session, actor=who(session, AMBASSADOR_KINSHASA), exercise=exercise, now=T0)
    with pytest.raises(Forbidden):
        service.plan(
            session=session, actor=who(session, AMBASSADOR_KINSHASA), script_key=GREAT_LAKES, name="", now=T0
        )
    with pytest.raises(service.ExerciseError) as unknown:
        service.plan(
            session=session, actor=who(session, SG_SECRETARY), script_key="no-such-script", name="", now=T0
        )
    assert unknown.value.field == "script_key"
    second = service.plan(
        session=session, actor=who(session, SG_SECRETARY), script_key=GREAT_LAKES, name="Drill", now=T0
    )
    assert second.key == "2026-12-02-drill-2"
    assert exercise.status == ExerciseStatus.planned


def test_injects_fall_due_by_the_exercise_clock_once_each(session):
    chair = who(session, SG_CHAIR)
    script = scripts.library()[GREAT_LAKES]
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="", now=T0)
    assert service.due(session=session, exercise=exercise, now=T0) == []  # not started
    service.set_speed(session=session, actor=chair, exercise=exercise, speed=60, now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)
    first = service.due(session=session, exercise=exercise, now=T0)
    assert first and all(inject.at == timedelta(0) for inject in first)
    for inject in first:
        session.add(
            ExerciseInject(
                exercise_id=exercise.id,
                inject_key=inject.key,
                outcome=InjectOutcome.posted,
                at=T0,
                at_exercise_seconds=0,
            )
        )
    session.commit()
    two_hours = T0 + timedelta(minutes=2)  # at x60
    due = service.due(session=session, exercise=exercise, now=two_hours)
    assert [i.key for i in due] == [
        i.key for i in script.injects if timedelta(0) < i.at <= timedelta(hours=2)
    ]
    service.pause(session=session, actor=chair, exercise=exercise, now=two_hours)
    assert service.due(session=session, exercise=exercise, now=two_hours + timedelta(hours=9)) == []


def test_injects_are_posted_into_the_exercises_own_database_and_a_met_condition_skips_one(session, app):
    """Starting copies the organisation into the exercise's own database; due injects become field reports
    there (routed, from their mission), never in the real one; the second warning is skipped once a
    decision addressed to Kinshasa has been adopted in the exercise."""
    from sqlmodel import func

    from coordination.classification import NeedToKnow
    from coordination.decisions import service as decisions
    from coordination.reports.models import FieldReport

    policy = NeedToKnow.from_config(app.config)
    chair = who(session, SG_CHAIR)
    real_reports = session.exec(select(func.count(FieldReport.id))).one()
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="", now=T0)
    service.set_speed(session=session, actor=chair, exercise=exercise, speed=60, now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)

    first = service.post_due(session=session, exercise=exercise, now=T0, policy=policy)
    assert first and {r.outcome for r in first} == {InjectOutcome.posted}
    assert service.post_due(session=session, exercise=exercise, now=T0, policy=policy) == []  # once each
    with service.play_session(session=session, exercise=exercise) as play:
        assert structure.get_person_by_email(session=play, email=SG_CHAIR).id == chair.id  # the same people
        posted = play.exec(select(FieldReport).where(FieldReport.id.in_([r.report_id for r in first]))).all()
        assert {p.title for p in posted} == {
            i.title for i in scripts.library()[GREAT_LAKES].injects if i.at == timedelta(0)
        }
        assert play.exec(select(func.count(FieldReport.id))).one() == len(first)  # nothing real was copied
        decision = decisions.draft_decision(
            session=play,
            author=chair,
            issuing_body="steering-group",
            title="Démarche with the EU delegation",
            addressees=[("mission", "KINSHASA")],
            now=T0 + timedelta(seconds=30),
        )
        decisions.adopt(session=play, person=chair, decision=decision, now=T0 + timedelta(seconds=40))
    assert (
        session.exec(select(func.count(FieldReport.id))).one() == real_reports
    )  # the real record is untouched

    later = service.post_due(session=session, exercise=exercise, now=T0 + timedelta(minutes=2), policy=policy)
    conditional = [i.key for i in scripts.library()[GREAT_LAKES].injects if i.unless]
    outcomes = {r.inject_key: r.outcome for r in later}
    assert conditional and all(outcomes[key] == InjectOutcome.skipped for key in conditional), outcomes
    assert session.exec(select(func.count(FieldReport.id))).one() == real_reports


def test_the_schedulers_tick_posts_what_fell_due_in_running_exercises_only(app, session):
    from coordination.jobs import tasks
    from coordination.jobs.scheduler import run_job

    chair = who(session, SG_CHAIR)
    running = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="Running", now=T0)
    service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="Not started", now=T0)
    service.start(session=session, actor=chair, exercise=running, now=T0)
    assert (
        run_job(app, "post_exercise_injects", tasks.post_exercise_injects, now=T0 + timedelta(seconds=5)) > 0
    )
    assert (
        run_job(app, "post_exercise_injects", tasks.post_exercise_injects, now=T0 + timedelta(seconds=65))
        == 0
    )
    session.expire_all()
    assert session.exec(select(ExerciseInject.exercise_id).distinct()).all() == [running.id]


def test_the_evaluation_measures_triage_decision_and_acknowledgement_in_exercise_time(session, app):
    """At x60: triaged 20 minutes (of exercise time) after the first warning, a decision citing it an hour
    after, acknowledged by Kinshasa an hour and a half later: each measured against the script's targets."""
    from coordination.classification import NeedToKnow
    from coordination.decisions import service as decisions
    from coordination.exercises.evaluation import (
        DECISION_TO_LAST_ACKNOWLEDGEMENT,
        FIRST_TRIAGE,
        WARNING_TO_DECISION,
    )
    from coordination.reports import service as reports
    from coordination.reports.models import FieldReport

    script = scripts.library()[GREAT_LAKES]
    chair = who(session, SG_CHAIR)
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="", now=T0)
    service.set_speed(session=session, actor=chair, exercise=exercise, speed=60, now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)
    posted = service.post_due(
        session=session, exercise=exercise, now=T0, policy=NeedToKnow.from_config(app.config)
    )
    warning = next(r for r in posted if script.injects[0].key == r.inject_key)
    assert script.injects[0].early_warning
    with service.play_session(session=session, exercise=exercise) as play:
        report = play.get(FieldReport, warning.report_id)
        reports.triage(
            session=play,
            person=who(play, DGB_DIRECTOR),
            report=report,
            to_status="under_review",
            body=structure.find_body(session=play, slug="task-force-great-lakes"),
            now=T0 + timedelta(seconds=20),
        )
        decision = decisions.draft_decision(
            session=play,
            author=who(play, SG_CHAIR),
            issuing_body="steering-group",
            title="Démarche on the Goma front line",
            addressees=[("mission", "KINSHASA")],
            report_ids=[report.id],
            policy=NeedToKnow.from_config(app.config),
            now=T0 + timedelta(seconds=50),
        )
        decisions.adopt(
            session=play, person=who(play, SG_CHAIR), decision=decision, now=T0 + timedelta(seconds=60)
        )
        decisions.acknowledge(
            session=play,
            person=who(play, AMBASSADOR_KINSHASA),
            decision=decision,
            unit_kind="mission",
            unit_key="KINSHASA",
            now=T0 + timedelta(seconds=150),
        )
    result = service.evaluate(session=session, exercise=exercise)
    measured = {(m.what, m.subject): m for m in result.measures}
    triage = measured[(FIRST_TRIAGE, warning.inject_key)]
    assert (triage.took, triage.target, triage.met) == (timedelta(minutes=20), timedelta(minutes=30), True)
    answer = measured[(WARNING_TO_DECISION, warning.inject_key)]
    assert (answer.took, answer.met) == (timedelta(hours=1), True)
    acknowledged = measured[(DECISION_TO_LAST_ACKNOWLEDGEMENT, "Démarche on the Goma front line")]
    assert (acknowledged.took, acknowledged.target, acknowledged.met) == (
        timedelta(hours=1, minutes=30),
        timedelta(hours=3),
        True,
    )
    kinds = [event.kind for event in result.timeline]
    assert kinds.index("first_triage") < kinds.index("decision_adopted") < kinds.index("last_acknowledgement")
    assert [e.exercise_time for e in result.timeline if e.kind == "decision_adopted"] == [timedelta(hours=1)]


def test_an_exercises_reminders_and_escalations_reach_its_players_marked_as_exercise(
    app, session, smtp_server
):
    """The scheduler runs the reminders, escalations and e-mail in each running exercise's own database: an
    early warning left untriaged there is escalated to the steering group by e-mail whose subject says
    EXERCISE and whose link opens the exercise's page; nothing of it reaches the real database's jobs."""
    from coordination.classification import NeedToKnow
    from coordination.jobs import tasks
    from coordination.notifications.mail import Mailer

    policy = NeedToKnow.from_config(app.config)
    chair = who(session, SG_CHAIR)
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="Goma drill", now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)
    service.post_due(session=session, exercise=exercise, now=T0, policy=policy)
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    later = T0 + timedelta(hours=5)  # past the four hours an early warning may wait untriaged
    with app.app_context():
        for name, job in tasks.FREQUENT_JOBS.items():
            if name not in ("poll_alert_feeds", "post_exercise_injects", "run_exercise_jobs"):
                job(session=session, now=later, mailer=mailer, base_url="https://coordination.example")
        assert smtp_server.messages == []  # the real database has nothing to escalate
        assert (
            tasks.run_exercise_jobs(
                session=session, now=later, mailer=mailer, base_url="https://coordination.example"
            )
            > 0
        )
    assert smtp_server.messages
    for message in smtp_server.messages:
        assert message["Subject"].startswith("[EXERCISE Goma drill] "), message["Subject"]
        links = [w for w in message.get_content().split() if w.startswith("https://")]
        assert links and all(
            link.startswith(f"https://coordination.example/exercises/{exercise.key}/play/") for link in links
        ), links
    assert SG_CHAIR in {m["X-Envelope-To"] for m in smtp_server.messages}


def test_an_inject_that_cannot_be_posted_is_recorded_once_as_skipped_with_why(app, session):
    """Its author left the platform in the exercise: the inject is skipped, saying why, and the next tick
    does not try again (nor fail)."""
    from coordination.classification import NeedToKnow
    from coordination.structure import service as structure_service

    policy = NeedToKnow.from_config(app.config)
    chair = who(session, SG_CHAIR)
    exercise = service.plan(session=session, actor=chair, script_key=GREAT_LAKES, name="", now=T0)
    service.start(session=session, actor=chair, exercise=exercise, now=T0)
    with service.play_session(session=session, exercise=exercise, writing=True) as play:
        ambassador = structure.get_person_by_email(session=play, email=AMBASSADOR_KINSHASA)
        platform = structure.platform_of(
            session=play, mission=structure.get_mission(session=play, code="KINSHASA")
        )
        assert structure_service.unseat(session=play, body=platform, person_id=ambassador.id, now=T0)
        play.commit()
    done = {
        r.inject_key: r for r in service.post_due(session=session, exercise=exercise, now=T0, policy=policy)
    }
    assert done["gl-1"].outcome == InjectOutcome.skipped and done["gl-1"].note.startswith("not posted: ")
    assert all(r.outcome == InjectOutcome.posted for key, r in done.items() if key != "gl-1")
    assert (
        service.post_due(session=session, exercise=exercise, now=T0 + timedelta(seconds=30), policy=policy)
        == []
    )


def test_the_organisation_graph_cache_tells_an_exercises_schema_from_the_real_database():
    """On PostgreSQL an exercise's engine has the real URL and another schema: the cache key must differ,
    also for the engines derived from it (a job's write_lock), or the exercise would route by the real
    organisation (no connection is made)."""
    from sqlmodel import Session

    from coordination import db

    url = "postgresql+psycopg://someone:secret@127.0.0.1:5432/coordination"
    real, exercise = db.make_engine(url), db.make_engine(url, schema="exercise_drill")
    keys = {
        db.database_key(Session(engine)) for engine in (exercise, exercise.execution_options(write_lock=True))
    }
    assert len(keys) == 1 and db.database_key(Session(real)) not in keys
    assert db.database_key(Session(real.execution_options(write_lock=True))) == db.database_key(Session(real))
