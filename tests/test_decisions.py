"""Downstream through the services and the scheduler's jobs, with an injected clock and a real SMTP server."""

import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from coordination.decisions import flows, queries, service
from coordination.decisions.enums import AcknowledgementStatus
from coordination.jobs import tasks
from coordination.jobs.lock import acquire, job_lock
from coordination.notifications import service as notifications
from coordination.notifications.mail import Mailer
from coordination.notifications.models import Notification
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from tests.demo import (
    AMBASSADOR_KINSHASA,
    AMBASSADOR_NIAMEY,
    DGB_DIRECTOR,
    DGD_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)
from tests.factories import make_person

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KINSHASA_DEFENCE_ATTACHE = "michiel.willems@mil.example"
KINSHASA_DEPUTY_HEAD = "gauthier.renard@diplobel.example"  # the platform's secretary
DEFENCE_CHIEF_OF_STAFF = "stijn.raes@mil.example"  # seated in the steering group
CONFIG = {"BASE_URL": "http://coordination.test"}


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def draft(
    session,
    *,
    classification="unclassified",
    addressees=(("body", "task-force-great-lakes"), ("mission", "KINSHASA")),
):
    return service.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Reinforce humanitarian access in North Kivu",
        text="The task force and the embassy **coordinate** an EU démarche.",
        rationale="Field reports show access is cut.",
        classification=classification,
        addressees=list(addressees),
        now=T0,
    )


@pytest.fixture
def adopted(session):
    decision = draft(session)
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=T0, config=CONFIG
    )
    return decision


def test_only_the_chair_or_co_chair_adopts(session):
    decision = draft(session)
    with pytest.raises(service.NotAllowed):
        service.adopt(session=session, person=who(session, SG_SECRETARY), decision=decision, now=T0)
    service.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=T0)
    assert decision.status == "adopted" and decision.acknowledgement_due_at == T0 + timedelta(hours=48)
    with pytest.raises(service.DecisionError):
        service.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=T0)


def test_adopted_decision_reaches_the_task_force_and_embassy_members_and_nobody_else(session, adopted):
    for email in (JUSTICE_MEMBER, DGD_DIRECTOR, KINSHASA_DEFENCE_ATTACHE, AMBASSADOR_KINSHASA):
        person = who(session, email)
        assert queries.get_visible_decision(session=session, viewer=person, decision_id=adopted.id), email
        assert adopted.id in {d.id for d in queries.list_decisions(session=session, viewer=person)}
    assert (
        queries.get_visible_decision(
            session=session, viewer=who(session, AMBASSADOR_NIAMEY), decision_id=adopted.id
        )
        is None
    )
    bodies = {
        n.person_id: n.body
        for n in session.exec(select(Notification).where(Notification.kind == "decision.adopted"))
    }
    # the task force's members; of the embassy, the head of mission and the platform's secretary only
    assert bodies[who(session, JUSTICE_MEMBER).id].startswith("For your information")
    assert bodies[who(session, DGB_DIRECTOR).id].startswith("Please acknowledge by")  # task force chair
    assert bodies[who(session, AMBASSADOR_KINSHASA).id].startswith("Please acknowledge by")
    assert bodies[who(session, KINSHASA_DEPUTY_HEAD).id].startswith("Please acknowledge by")
    assert who(session, KINSHASA_DEFENCE_ATTACHE).id not in bodies
    assert who(session, AMBASSADOR_NIAMEY).id not in bodies


def test_a_decision_to_a_department_reaches_its_representative_and_its_people_in_concerned_bodies(session):
    unseated = make_person(session, department="DEF", clearance="secret")
    chief_of_staff = who(session, DEFENCE_CHIEF_OF_STAFF)
    structure_service.name_representative(
        session=session,
        actor=who(session, SG_CHAIR),
        department=structure.get_department(session=session, code="DEF"),
        person=chief_of_staff,
        now=T0,
    )
    decision = draft(session, addressees=(("department", "DEF"),))
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=T0, config=CONFIG
    )
    notified = session.exec(select(Notification).where(Notification.kind == "decision.adopted")).all()
    bodies = {n.person_id: n.body for n in notified}
    assert len(notified) == len(bodies)  # once each
    answering = {
        p.id
        for p in queries.answering_people(
            session=session, unit=service.resolve_unit(session=session, kind="department", key="DEF")
        )
    }
    assert answering == {chief_of_staff.id}
    assert {pid for pid, body in bodies.items() if body.startswith("Please acknowledge")} == answering
    seated_defence = {
        p.id
        for p, _role in structure.steering_group_people_of_department(
            session=session, department_id=unseated.department_id
        )
    }
    # the representative, and for information the other Defence members of the issuing body; nobody
    # without a seat
    assert len(seated_defence) > 1 and set(bodies) == seated_defence
    assert unseated.id not in bodies
    assert who(session, KINSHASA_DEFENCE_ATTACHE).id not in bodies


def test_drafts_are_seen_only_in_the_issuing_body(session):
    decision = draft(session)
    assert (
        queries.get_visible_decision(
            session=session, viewer=who(session, JUSTICE_MEMBER), decision_id=decision.id
        )
        is None
    )
    assert queries.get_visible_decision(
        session=session, viewer=who(session, SG_CHAIR), decision_id=decision.id
    )


def test_a_confidential_decision_skips_members_without_clearance(session):
    uncleared = make_person(
        session, department="FA", clearance="unclassified", bodies=(("task-force-great-lakes", "member"),)
    )
    decision = draft(session, classification="confidential")
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=T0, config=CONFIG
    )
    assert queries.get_visible_decision(session=session, viewer=uncleared, decision_id=decision.id) is None
    notified = {
        n.person_id for n in session.exec(select(Notification).where(Notification.kind == "decision.adopted"))
    }
    assert uncleared.id not in notified and who(session, JUSTICE_MEMBER).id in notified


def test_acknowledgements_are_counted_once_per_unit(session, adopted):
    service.acknowledge(
        session=session,
        person=who(session, DGB_DIRECTOR),
        decision=adopted,
        unit_kind="body",
        unit_key="task-force-great-lakes",
        now=T0 + timedelta(hours=1),
    )
    with pytest.raises(service.DecisionError, match="already answered"):
        service.acknowledge(
            session=session,
            person=who(session, DGD_DIRECTOR),
            decision=adopted,
            unit_kind="body",
            unit_key="task-force-great-lakes",
            now=T0 + timedelta(hours=2),
        )
    with pytest.raises(service.NotAllowed):
        service.acknowledge(
            session=session,
            person=who(session, KINSHASA_DEFENCE_ATTACHE),
            decision=adopted,
            unit_kind="mission",
            unit_key="KINSHASA",
            now=T0,
        )
    table = queries.acknowledgement_table(session=session, decision=adopted, now=T0 + timedelta(hours=3))
    assert [(row.unit.key, row.addressee.status) for row in table] == [
        ("task-force-great-lakes", "acknowledged"),
        ("KINSHASA", "pending"),
    ]
    assert table[0].answered_by.email == DGB_DIRECTOR


def test_half_the_deadline_sends_exactly_one_reminder_per_unacknowledged_unit(session, adopted, smtp_server):
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    service.acknowledge(
        session=session,
        person=who(session, DGB_DIRECTOR),
        decision=adopted,
        unit_kind="body",
        unit_key="task-force-great-lakes",
        now=T0 + timedelta(hours=1),
    )
    assert (
        tasks.remind_acknowledgements(
            session=session, now=T0 + timedelta(hours=23), mailer=mailer, base_url="x"
        )
        == 0
    )
    assert smtp_server.messages == []
    for _ in range(2):  # the job runs twice: still one reminder
        tasks.remind_acknowledgements(
            session=session, now=T0 + timedelta(hours=25), mailer=mailer, base_url="x"
        )
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert "Embassy of Belgium in Kinshasa has not yet acknowledged" in message["Subject"]
    assert AMBASSADOR_KINSHASA in message["X-Envelope-To"]
    # the in-app notification of the same reminder sends no second e-mail
    tasks.send_pending_email(session=session, now=T0 + timedelta(hours=25), mailer=mailer, base_url="x")
    reminded = [
        m
        for m in smtp_server.messages
        if AMBASSADOR_KINSHASA in m["X-Envelope-To"] and "Reminder" in m["Subject"]
    ]
    assert len(reminded) == 1


def test_past_the_deadline_the_chair_is_alerted_once(session, adopted, smtp_server):
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    assert (
        tasks.escalate_overdue_acknowledgements(
            session=session, now=T0 + timedelta(hours=47), mailer=mailer, base_url="x"
        )
        == 0
    )
    assert (
        tasks.escalate_overdue_acknowledgements(
            session=session, now=T0 + timedelta(hours=49), mailer=mailer, base_url="x"
        )
        == 1
    )
    assert (
        tasks.escalate_overdue_acknowledgements(
            session=session, now=T0 + timedelta(hours=50), mailer=mailer, base_url="x"
        )
        == 0
    )
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [SG_CHAIR]
    assert "Acknowledgement overdue" in smtp_server.messages[0]["Subject"]
    alert = session.exec(select(Notification).where(Notification.kind == "decision.escalation")).one()
    assert "Embassy of Belgium in Kinshasa" in alert.body and "Task Force Great Lakes" in alert.body


def test_cannot_comply_notifies_the_issuing_body_at_once(session, adopted, smtp_server):
    config = {**CONFIG, "SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port}
    flows.answer_and_notify(
        session=session,
        person=who(session, AMBASSADOR_KINSHASA),
        decision=adopted,
        unit_kind="mission",
        unit_key="KINSHASA",
        comply=False,
        comment="No access to Goma airport this week.",
        now=T0 + timedelta(hours=2),
        config=config,
    )
    alerts = session.exec(select(Notification).where(Notification.kind == "decision.cannot_comply")).all()
    assert {a.person_id for a in alerts} == {who(session, SG_CHAIR).id, who(session, SG_SECRETARY).id}
    assert sorted(m["X-Envelope-To"] for m in smtp_server.messages) == sorted([SG_CHAIR, SG_SECRETARY])
    assert "cannot comply" in smtp_server.messages[0]["Subject"]
    with pytest.raises(service.DecisionError, match="why"):
        service.acknowledge(
            session=session,
            person=who(session, DGB_DIRECTOR),
            decision=adopted,
            unit_kind="body",
            unit_key="task-force-great-lakes",
            comply=False,
            comment=" ",
            now=T0,
        )


def test_e_mail_follows_each_persons_preference(session, adopted, smtp_server):
    chair, secretary = who(session, SG_CHAIR), who(session, SG_SECRETARY)
    notifications.set_email_preference(session=session, person=chair, preference="daily_digest")
    notifications.set_email_preference(session=session, person=secretary, preference="off")
    config = {**CONFIG, "SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port}
    flows.answer_and_notify(
        session=session,
        person=who(session, AMBASSADOR_KINSHASA),
        decision=adopted,
        unit_kind="mission",
        unit_key="KINSHASA",
        comply=False,
        comment="No staff.",
        now=T0,
        config=config,
    )
    assert smtp_server.messages == []
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    assert (
        tasks.send_daily_digests(session=session, now=T0 + timedelta(days=1), mailer=mailer, base_url="x")
        == 1
    )
    assert (
        tasks.send_daily_digests(session=session, now=T0 + timedelta(days=1), mailer=mailer, base_url="x")
        == 0
    )
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [SG_CHAIR]
    assert "Daily digest" in smtp_server.messages[0]["Subject"]


def test_actions_flow_back_up_and_owners_are_reminded(session, adopted, smtp_server):
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    secretary = who(session, SG_SECRETARY)
    action = service.create_action(
        session=session,
        person=secretary,
        decision=adopted,
        title="Démarche with the EU",
        owner_kind="mission",
        owner_key="KINSHASA",
        due_on=date(2026, 11, 6),
        now=T0,
    )
    with pytest.raises(service.NotAllowed):
        service.create_action(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            decision=adopted,
            title="x y z",
            owner_kind="mission",
            owner_key="KINSHASA",
            due_on=date(2026, 11, 6),
            now=T0,
        )
    assert (
        tasks.remind_actions(
            session=session, now=datetime(2026, 11, 3, 9, tzinfo=UTC), mailer=mailer, base_url="x"
        )
        == 0
    )
    assert (
        tasks.remind_actions(
            session=session, now=datetime(2026, 11, 4, 9, tzinfo=UTC), mailer=mailer, base_url="x"
        )
        == 1
    )
    assert (
        tasks.remind_actions(
            session=session, now=datetime(2026, 11, 5, 9, tzinfo=UTC), mailer=mailer, base_url="x"
        )
        == 0
    )
    ambassador = who(session, AMBASSADOR_KINSHASA)
    service.update_action(
        session=session,
        person=ambassador,
        action=action,
        status="in_progress",
        body="Meeting with the EU delegation on **Thursday**.",
        now=T0 + timedelta(days=1),
    )
    with pytest.raises(service.NotAllowed):
        service.update_action(
            session=session, person=who(session, AMBASSADOR_NIAMEY), action=action, status="done", now=T0
        )
    late = datetime(2026, 11, 8, 9, tzinfo=UTC)
    assert tasks.remind_actions(session=session, now=late, mailer=mailer, base_url="x") == 1
    rows = queries.monitored_actions(session=session, viewer=who(session, SG_CHAIR), today=late.date())
    assert len(rows) == 1 and rows[0].late and rows[0].latest.status == "in_progress"
    assert "<strong>Thursday</strong>" in rows[0].latest.body_html
    subjects = smtp_server.subjects()
    assert any("Action due on 2026-11-06" in s for s in subjects) and any("overdue" in s for s in subjects)


def test_a_second_scheduler_cannot_take_a_held_lease(session):
    with job_lock(session=session, name="remind_acknowledgements", holder="first:1", now=T0) as got:
        assert got
        assert acquire(session=session, name="remind_acknowledgements", holder="second:2", now=T0) is False
    assert acquire(
        session=session, name="remind_acknowledgements", holder="second:2", now=T0 + timedelta(seconds=1)
    )


def test_an_expired_lease_can_be_taken_over(session):
    assert acquire(session=session, name="send_pending_email", holder="crashed:1", now=T0)
    assert (
        acquire(session=session, name="send_pending_email", holder="second:2", now=T0 + timedelta(minutes=1))
        is False
    )
    assert acquire(
        session=session, name="send_pending_email", holder="second:2", now=T0 + timedelta(minutes=3)
    )


def test_status_counts_for_the_acknowledgement_table(session, adopted):
    flows.answer_and_notify(
        session=session,
        person=who(session, AMBASSADOR_KINSHASA),
        decision=adopted,
        unit_kind="mission",
        unit_key="KINSHASA",
        comply=False,
        comment="No.",
        now=T0,
        config=CONFIG,
    )
    table = queries.acknowledgement_table(session=session, decision=adopted, now=T0 + timedelta(hours=60))
    statuses = {row.unit.key: (row.addressee.status, row.late) for row in table}
    assert statuses == {
        "task-force-great-lakes": (AcknowledgementStatus.pending, True),
        "KINSHASA": (AcknowledgementStatus.cannot_comply, False),
    }


def test_run_job_does_nothing_while_another_scheduler_holds_the_lease(app, session, adopted, smtp_server):
    from coordination.jobs.scheduler import build_scheduler, run_job

    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    late = T0 + timedelta(hours=49)
    assert acquire(
        session=session, name="escalate_overdue_acknowledgements", holder="other-host:99", now=late
    )
    assert (
        run_job(
            app,
            "escalate_overdue_acknowledgements",
            tasks.escalate_overdue_acknowledgements,
            now=late,
            lease_clock=late,
        )
        is None
    )
    assert smtp_server.messages == []
    after_lease = late + timedelta(minutes=11)
    assert (
        run_job(
            app,
            "escalate_overdue_acknowledgements",
            tasks.escalate_overdue_acknowledgements,
            now=after_lease,
            lease_clock=after_lease,
        )
        == 1
    )
    assert len(smtp_server.messages) == 1
    scheduler = build_scheduler(app)
    assert {job.id for job in scheduler.get_jobs()} == {*tasks.FREQUENT_JOBS, *tasks.DAILY_JOBS}


def test_two_schedulers_on_the_wall_clock_run_a_job_once_a_minute(app, session, monkeypatch):
    """A second scheduler process (started by mistake, or during a restart) skips the slots the first
    has run: the scheduler passes each run's minute as its slot."""
    from coordination.jobs import scheduler

    runs = []

    def job(*, session, now, mailer, base_url, config):
        runs.append(now)
        return 0

    if datetime.now(UTC).second >= 58:  # both runs below fall in one minute
        time.sleep(3)
    scheduler._scheduled(app, "remind_actions", job)
    monkeypatch.setattr(scheduler, "holder_name", lambda: "other-host:2")
    scheduler._scheduled(app, "remind_actions", job)  # the other scheduler, in the same minute
    assert len(runs) == 1
    next_minute = scheduler.wall_clock_slot(datetime.now(UTC)) + timedelta(minutes=1)
    assert scheduler.run_job(app, "remind_actions", job, slot=next_minute) == 0  # its next slot: runs
    assert len(runs) == 2
    fired = {job.id: job.trigger for job in scheduler.build_scheduler(app).get_jobs()}
    assert fired["remind_actions"].start_date.second == 0  # on whole minutes, in every scheduler alike


def test_a_run_as_of_a_future_time_leaves_no_lease_held(app, session):
    from coordination.jobs.scheduler import run_job

    future = datetime.now(UTC) + timedelta(days=30)
    assert run_job(app, "remind_actions", tasks.remind_actions, now=future) is not None
    assert run_job(app, "remind_actions", tasks.remind_actions) is not None  # not "held by another scheduler"


def test_awaiting_my_answer_gives_the_soonest_due_first_and_counts_them_all(session):
    ambassador = who(session, AMBASSADOR_KINSHASA)  # answers for the KINSHASA platform
    before = len(queries.awaiting_my_answer(session=session, viewer=ambassador))
    decisions = [draft(session) for _ in range(3)]
    for hours, decision in zip((2, 0, 1), decisions, strict=True):
        adopted_at = T0 + timedelta(hours=hours)
        service.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=adopted_at)
    session.commit()
    ours = {d.id for d in decisions}
    awaiting = queries.awaiting_my_answer(session=session, viewer=ambassador)
    assert [d.id for d, _a in awaiting if d.id in ours] == [decisions[1].id, decisions[2].id, decisions[0].id]
    assert len(awaiting) == before + 3
    assert queries.awaiting_my_answer(session=session, viewer=ambassador, limit=2) == awaiting[:2]
    assert queries.soonest_awaiting_my_answer(session=session, viewer=ambassador, limit=2) == (
        awaiting[:2],
        len(awaiting),
    )


def test_an_email_claimed_by_one_sender_goes_once_and_a_dead_senders_claim_expires(session, smtp_server):
    """Two senders at once (the minute's e-mail job and a job sending what it just created, or a second
    scheduler) each claim an e-mail before sending it: it goes out once. A claim left by a sender killed
    mid-send lapses after SENDING_CLAIM, and the e-mail goes late rather than never."""
    mailer = Mailer(host=smtp_server.host, port=smtp_server.port)
    chair = who(session, SG_CHAIR)
    (created,) = notifications.notify(
        session=session, person_ids=[chair.id], kind="test", title="Checkpoint closed", now=T0
    )
    send = dict(session=session, mailer=mailer, base_url="x")

    first, second = session.get(Notification, created.id), Notification(**asdict(created))
    assert notifications._claim(session, first, claimable=Notification.email_state == "pending", now=T0)
    assert not notifications._claim(session, second, claimable=Notification.email_state == "pending", now=T0)
    assert notifications.send_pending(**send, now=T0 + timedelta(minutes=1)) == 0
    assert smtp_server.messages == []

    late = T0 + notifications.SENDING_CLAIM + timedelta(seconds=1)
    assert notifications.send_pending(**send, now=late) == 1
    assert notifications.send_pending(**send, now=late) == 0
    assert [m["Subject"] for m in smtp_server.messages] == ["[Coordination] Checkpoint closed"]
