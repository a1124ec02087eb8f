"""The audit log is a hash chain: every writer's events join it in order, and `coordination audit verify`
names an event edited or deleted around the application."""

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from coordination import db
from coordination.audit import service as audit
from coordination.audit.chain import GENESIS, AuditLogIsAppendOnly, Verification, verify
from coordination.audit.models import AuditEvent
from coordination.cli import main


def chain(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))


def assert_linear(events: list[AuditEvent]) -> None:
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.prev_hash for e in events] == [GENESIS] + [e.hash for e in events[:-1]]


def audit_verify(app):
    return app.test_cli_runner().invoke(main, ["audit", "verify"])


def test_events_of_every_kind_of_transaction_join_one_chain_that_verifies(app, session):
    seeded = len(chain(session))
    assert seeded > 0
    result = audit_verify(app)
    assert result.exit_code == 0, result.stderr
    assert f"audit log verified: {seeded} events, chain intact" in result.stdout

    audit.record(session, actor_id=None, action="test.one", object_type="test", object_id=1, n=1)
    session.commit()
    audit.record(session, actor_id=None, action="test.flushed", object_type="test", object_id=2, n=(1, 2))
    session.flush()  # linked when the transaction commits, by one UPDATE
    audit.record(session, actor_id=None, action="test.pending", object_type="test", object_id=3, n={4: 5})
    session.commit()
    savepoint = session.begin_nested()
    audit.record(session, actor_id=None, action="test.undone", object_type="test", object_id=4)
    session.flush()
    savepoint.rollback()
    session.commit()
    db.write_soon(
        session,
        lambda write: audit.record(write, actor_id=None, action="test.soon", object_type="test", object_id=5),
        what="test event",
    )

    events = chain(session)
    assert_linear(events)
    assert [e.action for e in events[seeded:]] == ["test.one", "test.flushed", "test.pending", "test.soon"]
    result = audit_verify(app)
    assert result.exit_code == 0, result.stderr
    assert f"{seeded + 4} events, chain intact" in result.stdout

    events[0].detail = {"x": 1}  # never through the ORM
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()
    session.rollback()
    session.delete(chain(session)[0])
    with pytest.raises(AuditLogIsAppendOnly):
        session.flush()


def test_verify_names_an_event_edited_and_one_deleted_with_raw_sql(app, session):
    for n in range(5):
        audit.record(session, actor_id=None, action="test.write", object_type="test", object_id=n, n=n)
        session.commit()
    events = chain(session)
    head = audit_verify(app).stdout.splitlines()[1].split()[1]
    assert head == f"{events[-1].seq}:{events[-1].hash}"
    edited, deleted, after_deleted, last = events[-5], events[-3], events[-2], events[-1]
    with db.engine_of(app).begin() as connection:
        connection.execute(text(f"UPDATE auditevent SET detail = '{{\"x\": 1}}' WHERE id = {edited.id}"))
        connection.execute(text(f"DELETE FROM auditevent WHERE id IN ({deleted.id}, {last.id})"))

    result = audit_verify(app)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"event {edited.id} at {edited.at.isoformat()}: edited")
    assert lines[1].startswith(f"event {after_deleted.id} at {after_deleted.at.isoformat()}: ")
    assert f"missing (seq {deleted.seq})" in lines[1]
    assert lines[2] == f"audit log NOT intact: 2 problem(s) in {len(events) - 2} events"
    assert result.stdout == ""
    # only the head written down before shows that the last event went too
    result = app.test_cli_runner().invoke(main, ["audit", "verify", "--head", head])
    assert f"the recorded head, seq {last.seq}, is missing" in result.stderr.splitlines()[2]
    assert "3 problem(s)" in result.stderr.splitlines()[3]


def test_two_postgresql_transactions_writing_at_once_keep_one_linear_chain(backend, request):
    """Both transactions have inserted their events before either commits: the chain's lock makes the
    second read the head only after the first committed."""
    if backend != "postgresql":
        pytest.skip("SQLite's write lock lets only one writer in at a time")
    app, session = request.getfixturevalue("app"), request.getfixturevalue("session")
    seeded = len(chain(session))
    engine, rounds, writers = db.engine_of(app), 3, 4
    both_flushed = threading.Barrier(writers)
    failures = []

    def write() -> None:
        try:
            for _round in range(rounds):
                with Session(engine) as own:
                    for n in range(2):
                        audit.record(own, actor_id=None, action="test.race", object_type="test", object_id=n)
                    own.flush()
                    both_flushed.wait(timeout=10)
                    own.commit()
        except Exception as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    events = chain(session)
    assert len(events) == seeded + rounds * writers * 2
    assert_linear(events)
    result = Verification()
    assert list(verify(session, result)) == [] and result.events == len(events)


def test_a_postgresql_writer_that_waits_for_a_row_never_holds_the_chain_meanwhile(backend, request):
    """A commits an event flushed early and a change to a row B has locked; B then commits its own event.
    Were A to take the chain's lock before writing the row, each would wait for the other (deadlock)."""
    if backend != "postgresql":
        pytest.skip("SQLite's write lock lets only one writer in at a time")
    app, session = request.getfixturevalue("app"), request.getfixturevalue("session")
    from coordination.structure.models import Person

    engine, outcome = db.engine_of(app), []
    person_id = session.exec(select(Person.id).order_by(Person.id)).first()
    with Session(engine) as a, Session(engine) as b:
        b.execute(text("UPDATE person SET function = 'B' WHERE id = :id"), {"id": person_id})
        audit.record(b, actor_id=None, action="test.b", object_type="person", object_id=person_id)
        audit.record(a, actor_id=None, action="test.a", object_type="person", object_id=person_id)
        a.flush()
        a_backend = a.execute(text("SELECT pg_backend_pid()")).scalar_one()
        a.get(Person, person_id).function = "A"

        def commit_a() -> None:
            try:
                a.commit()
                outcome.append("committed")
            except Exception as error:  # reported by the assertion below
                outcome.append(error)

        thread = threading.Thread(target=commit_a)
        thread.start()
        with engine.connect() as watch:  # until A waits for B's row lock
            waiting = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"
            while watch.execute(text(waiting), {"pid": a_backend}).scalar_one() != "Lock":
                watch.rollback()
        b.commit()
        thread.join(timeout=30)
    assert outcome == ["committed"]
    events = chain(session)
    assert [e.action for e in events[-2:]] == ["test.b", "test.a"]
    assert_linear(events)
