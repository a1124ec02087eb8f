"""One winner when two people take the same step at the same moment, on SQLite and on PostgreSQL.

Each contestant has its own session from the app's engine, as two requests would. Both read what the step
depends on before either writes: the object as the page or endpoint loaded it, and on PostgreSQL also the
row a service reads itself (`both_read_first` holds each contestant right after that read until the other
has read it too). Without the service's row lock both would then pass the rule and both write; with it the
second waits, sees the first one's step and is refused with a Conflict (409). On SQLite the write lock
that a writing request takes as its transaction begins already serialises them (a contestant cannot read
while the other holds it), so only the outcome is checked there.
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from coordination import db
from coordination.audit.models import AuditEvent
from coordination.auth import service as auth_service
from coordination.decisions import queries as decision_queries
from coordination.decisions import service as decisions
from coordination.decisions.models import Addressee
from coordination.reports import queries as report_queries
from coordination.reports import service as reports
from coordination.rules import Conflict
from coordination.sitreps import service as sitreps
from coordination.sitreps.models import SituationReport
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.taskforces import service as taskforces
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, DGD_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, make_person, post
from tests.test_taskforces import goals_decision

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WAIT_S = 10  # a contestant stuck longer than this is a deadlock: the test fails instead of hanging


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


@contextmanager
def request_session(engine):
    """A session like a writing request's: on SQLite each transaction takes the write lock as it begins."""
    with engine.connect() as connection:
        connection.execution_options(write_lock=True)
        with Session(connection, expire_on_commit=False) as session:
            yield session


def race(engine, contestants: list[Callable[[Session], Callable[[], object]]]) -> list[object]:
    """Run the contestants at once, each in its own thread and session. A contestant loads what its step
    needs (the page's read) and returns the step; the steps start together once every contestant has
    loaded. Returns what each step returned, or the exception it raised."""
    start = threading.Barrier(len(contestants), timeout=WAIT_S)
    outcomes: list[object] = [None] * len(contestants)

    def run(index: int) -> None:
        with request_session(engine) as session:
            try:
                step = contestants[index](session)
                session.commit()  # ends the read, as a request's page read ends before another one writes
                start.wait()
                outcomes[index] = step()
            except Exception as error:  # noqa: BLE001  (the outcome under test)
                session.rollback()
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(contestants))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 2)
    assert not any(t.is_alive() for t in threads), "a contestant is stuck"
    return outcomes


@pytest.fixture
def both_read_first(monkeypatch, backend):
    """On PostgreSQL, hold each contestant right after `module.name` (a read) returns until the other has
    read too; on SQLite a contestant holding the write lock would wait for one that cannot read, so the
    read is left alone there."""

    def hold(module, name: str, contestants: int = 2) -> None:
        if backend == "sqlite":
            return
        barrier = threading.Barrier(contestants, timeout=WAIT_S)
        read = getattr(module, name)

        def read_then_wait(*args, **kwargs):
            result = read(*args, **kwargs)
            barrier.wait()
            return result

        monkeypatch.setattr(module, name, read_then_wait)

    return hold


def one_winner(outcomes: list[object]) -> Conflict:
    """Exactly one step succeeded and the other was refused with a Conflict; returns the refusal."""
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict) and errors[0].status == 409, repr(errors[0])
    return errors[0]


def audit_actions(session, action: str, object_id) -> int:
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
    )
    return len(list(events))


def draft(session):
    return decisions.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Reinforce humanitarian access in North Kivu",
        addressees=[("body", "task-force-great-lakes"), ("mission", "KINSHASA")],
        now=T0,
    )


def test_two_chairs_adopting_the_same_draft_adopt_it_once(app, session):
    engine = db.engine_of(app)
    decision_id = draft(session).id
    co_chair = make_person(session, bodies=(("steering-group", "co_chair"),))

    def adopting(email: str):
        def contestant(s: Session):
            decision = decision_queries.decision_by_id(session=s, decision_id=decision_id)
            person = who(s, email)
            return lambda: decisions.adopt(session=s, person=person, decision=decision, now=T0)

        return contestant

    refusal = one_winner(race(engine, [adopting(SG_CHAIR), adopting(co_chair.email)]))
    assert refusal.field == "status" and "already been adopted" in str(refusal)
    session.rollback()  # a fresh look, after the contestants' commits
    assert decision_queries.decision_by_id(session=session, decision_id=decision_id).status == "adopted"
    assert audit_actions(session, "decision.adopt", decision_id) == 1


def test_two_people_answering_for_one_body_at_once_record_one_answer(app, session, both_read_first):
    engine = db.engine_of(app)
    decision = draft(session)
    decisions.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=T0)
    both_read_first(decisions, "addressee_of")

    def answering(email: str, comply: bool):
        def contestant(s: Session):
            found = decision_queries.decision_by_id(session=s, decision_id=decision.id)
            person = who(s, email)
            return lambda: decisions.acknowledge(
                session=s,
                person=person,
                decision=found,
                unit_kind="body",
                unit_key="task-force-great-lakes",
                comply=comply,
                comment="" if comply else "No staff",
                now=T0,
            )

        return contestant

    refusal = one_winner(race(engine, [answering(DGB_DIRECTOR, True), answering(DGD_DIRECTOR, False)]))
    assert refusal.field == "unit" and "already answered" in str(refusal)
    session.rollback()
    answers = session.exec(
        select(Addressee).where(Addressee.decision_id == decision.id, Addressee.answered_at.is_not(None))
    ).all()
    assert len(answers) == 1
    events = audit_actions(session, "decision.acknowledged", decision.id)
    events += audit_actions(session, "decision.cannot_comply", decision.id)
    assert events == 1


def test_two_members_triaging_a_report_for_one_body_at_once_move_it_once(app, session, both_read_first):
    engine = db.engine_of(app)
    report_id = post(session, who(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA").report.id
    both_read_first(report_queries, "delivery_to")

    def triaging(email: str):
        def contestant(s: Session):
            person = who(s, email)
            report = report_queries.get_visible_report(
                session=s, viewer=person, report_id=report_id, policy=POLICY
            )
            return lambda: reports.triage(
                session=s, person=person, report=report, to_status="under_review", now=T0
            )

        return contestant

    refusal = one_winner(race(engine, [triaging(DGB_DIRECTOR), triaging(JUSTICE_MEMBER)]))
    assert refusal.field == "status"
    session.rollback()
    assert audit_actions(session, "report.triage", report_id) == 1


def test_two_officers_ending_the_same_seat_at_once_end_it_once(app, session, both_read_first):
    engine = db.engine_of(app)
    member = make_person(session, bodies=(("task-force-great-lakes", "member"),))
    secretary = make_person(session, bodies=(("task-force-great-lakes", "secretary"),))
    both_read_first(structure_service, "current_seat")

    def ending(email: str):
        def contestant(s: Session):
            body = structure.get_body(session=s, slug="task-force-great-lakes")
            actor = who(s, email)
            return lambda: structure_service.end_seat(
                session=s, actor=actor, body=body, person_id=member.id, reason="Posted abroad", now=T0
            )

        return contestant

    refusal = one_winner(race(engine, [ending(DGB_DIRECTOR), ending(secretary.email)]))
    assert refusal.field == "person_id" and "already ended" in str(refusal)
    session.rollback()
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "seat.ended")).all()
    assert [e.detail["person"] for e in events].count(member.id) == 1


def test_two_chairs_submitting_the_same_situation_report_at_once_submit_it_once(app, session):
    engine = db.engine_of(app)
    great_lakes = structure.get_body(session=session, slug="task-force-great-lakes")
    sitrep_id = sitreps.compile_draft(
        session=session,
        policy=POLICY,
        person=who(session, DGB_DIRECTOR),
        task_force=great_lakes,
        period_start=T0.date(),
        period_end=T0.date(),
        now=T0,
    ).id
    co_chair = make_person(session, bodies=(("task-force-great-lakes", "co_chair"),))

    def submitting(email: str):
        def contestant(s: Session):
            sitrep = s.get(SituationReport, sitrep_id)
            person = who(s, email)
            return lambda: sitreps.submit(session=s, person=person, sitrep=sitrep, now=T0)

        return contestant

    refusal = one_winner(race(engine, [submitting(DGB_DIRECTOR), submitting(co_chair.email)]))
    assert refusal.field == "status" and "already been submitted" in str(refusal)
    session.rollback()
    assert audit_actions(session, "sitrep.submit", sitrep_id) == 1


def bearer(session, email: str) -> dict:
    """An API token made directly, without the password check's deliberate slowness."""
    token, _row = auth_service.issue_token(
        session=session, person=who(session, email), lifetime=timedelta(hours=1)
    )
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_loser_gets_a_409_problem_from_the_api_and_a_message_on_the_page(client, auth, session):
    chair = bearer(session, SG_CHAIR)
    created = client.post(
        "/api/v1/decisions",
        json={
            "issuing_body": "steering-group",
            "title": "Reinforce humanitarian access in North Kivu",
            "addressees": [{"kind": "body", "key": "task-force-great-lakes"}],
        },
        headers=chair,
    )
    decision_id = created.json["id"]
    assert client.post(f"/api/v1/decisions/{decision_id}/adopt", headers=chair).status_code == 200
    again = client.post(f"/api/v1/decisions/{decision_id}/adopt", headers=chair)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["errors"][0]["field"] == "status"
    url = f"/api/v1/decisions/{decision_id}/acknowledgements"
    answer = {"unit": {"kind": "body", "key": "task-force-great-lakes"}}
    director = bearer(session, DGB_DIRECTOR)
    assert client.post(url, json=answer, headers=director).status_code == 201
    late = client.post(url, json=answer, headers=director)
    assert late.status_code == 409 and late.mimetype == "application/problem+json"
    assert "already answered" in late.json["detail"]
    auth.login(SG_CHAIR)
    page = client.post(f"/decisions/{decision_id}/adopt", follow_redirects=True)
    assert page.status_code == 200
    assert "This decision has already been adopted." in page.get_data(as_text=True)


def test_two_task_forces_proposed_on_one_country_at_once_leave_one(app, session, both_read_first):
    """One task force per country: of two proposals on a country at the same moment, the second is
    refused as it would be a minute later (both read what they check against before either writes)."""
    engine = db.engine_of(app)
    goals = [goals_decision(session).id, goals_decision(session).id]
    both_read_first(structure, "known_countries")

    def proposing(name: str, goals_id: int):
        def contestant(s: Session):
            person = who(s, SG_CHAIR)
            return lambda: taskforces.create_task_force(
                session=s, person=person, goals_decision_id=goals_id, name=name, countries=["LBN"], now=T0
            )

        return contestant

    outcomes = race(
        engine, [proposing("Task Force Lebanon", goals[0]), proposing("Task Force Beirut", goals[1])]
    )
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], taskforces.TaskForceError), outcomes
    assert refused[0].field == "countries" and "one task force per country" in str(refused[0])
    session.rollback()
    assert len(structure.task_forces_covering_countries(session=session, countries=["LBN"])["LBN"]) == 1
