"""The standby roster feeds the task force: an assignment seats the person as a member, its end ends the
seat; the daily job seats assignments that start later and ends seats whose planned end has passed."""

from datetime import UTC, date, datetime, timedelta

import pytest

from coordination.jobs import tasks
from coordination.planning import roster
from coordination.structure import queries as structure
from tests.demo import DGB_DIRECTOR, JUSTICE_MEMBER, SG_SECRETARY
from tests.factories import make_person

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
SLUG = "task-force-great-lakes"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def great_lakes(session):
    return structure.get_body(session=session, slug=SLUG)


def seat_of(session, person):
    return structure.role_in(session=session, person_id=person.id, body_id=great_lakes(session).id)


def assign(session, assignee, **fields):
    return roster.assign(
        session=session,
        person=who(session, DGB_DIRECTOR),
        assignee=assignee,
        task_force=great_lakes(session),
        **{"share": 50, "start_on": NOW.date(), "now": NOW, **fields},
    )


def test_an_assignment_that_has_started_seats_the_person_and_its_end_ends_the_seat(session):
    analyst = make_person(session, department="DEF", clearance="secret")
    assert seat_of(session, analyst) is None
    assignment = assign(session, analyst, end_on=date(2027, 3, 31))
    assert seat_of(session, analyst) == "member"
    seat = next(
        s
        for s in structure.seat_history(session=session, body_id=great_lakes(session).id)
        if s.person_id == analyst.id
    )
    assert seat.reason == "standby roster assignment (50%)" and seat.ends_on == date(2027, 3, 31)
    assert seat.seated_by_id == who(session, DGB_DIRECTOR).id
    with pytest.raises(roster.RosterError) as refused:
        roster.end_assignment(
            session=session, person=who(session, DGB_DIRECTOR), assignment=assignment, reason=" ", now=NOW
        )
    assert refused.value.field == "reason"
    roster.end_assignment(
        session=session,
        person=who(session, DGB_DIRECTOR),
        assignment=assignment,
        reason="back to headquarters",
        now=NOW + timedelta(days=10),
    )
    assert seat_of(session, analyst) is None
    ended = next(
        s
        for s in structure.seat_history(session=session, body_id=great_lakes(session).id)
        if s.person_id == analyst.id
    )
    assert ended.end_reason == "assignment ended: back to headquarters"
    assert assignment.end_on == (NOW + timedelta(days=10)).date()


def test_a_seat_given_otherwise_stays_when_the_assignment_ends(session):
    member = who(session, JUSTICE_MEMBER)  # already a member of the Great Lakes task force
    assignment = assign(session, member)
    roster.end_assignment(
        session=session, person=who(session, DGB_DIRECTOR), assignment=assignment, reason="done", now=NOW
    )
    assert seat_of(session, member) == "member"


def test_only_the_managers_end_an_assignment(session):
    assignment = assign(session, make_person(session))
    with pytest.raises(roster.Forbidden):
        roster.end_assignment(
            session=session, person=who(session, JUSTICE_MEMBER), assignment=assignment, reason="no", now=NOW
        )


def test_the_daily_job_seats_later_assignments_and_ends_seats_past_their_planned_end(session):
    newcomer = make_person(session, department="FA")
    assign(session, newcomer, start_on=NOW.date() + timedelta(days=7), end_on=NOW.date() + timedelta(days=30))
    assert seat_of(session, newcomer) is None
    run = lambda when: tasks.keep_seats_current(session=session, now=when, mailer=None, base_url="")  # noqa: E731
    assert run(NOW + timedelta(days=3)) == 0
    assert run(NOW + timedelta(days=7)) == 1 and seat_of(session, newcomer) == "member"
    assert run(NOW + timedelta(days=8)) == 0  # idempotent
    assert run(NOW + timedelta(days=31)) == 1 and seat_of(session, newcomer) is None
    assert run(NOW + timedelta(days=32)) == 0  # the assignment has ended: no new seat


def test_the_secretary_of_the_steering_group_may_assign_too(session):
    analyst = make_person(session, department="DEF")
    roster.assign(
        session=session,
        person=who(session, SG_SECRETARY),
        assignee=analyst,
        task_force=great_lakes(session),
        share=20,
        start_on=NOW.date(),
        now=NOW,
    )
    assert seat_of(session, analyst) == "member"


def test_a_deactivated_person_receives_no_more_e_mail_from_the_structure(session, smtp_server):
    from coordination.notifications import service as notifications
    from coordination.notifications.mail import Mailer
    from coordination.structure import service as structure_service

    leaving, staying = make_person(session), make_person(session)
    notifications.notify(
        session=session, person_ids={leaving.id, staying.id}, kind="decision", title="New decision", now=NOW
    )
    structure_service.deactivate_person(
        session=session, actor=who(session, SG_SECRETARY), person=leaving, reason="left the service", now=NOW
    )
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    assert notifications.send_pending(session=session, mailer=mailer, base_url="x", now=NOW) == 1
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [staying.email]
    assert notifications.send_pending(session=session, mailer=mailer, base_url="x", now=NOW) == 0
