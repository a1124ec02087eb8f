"""Early warning that alerts people, triage that each receiving body owns, and the reporter told of both:
the Great Lakes walk of issue 15, through the services, the scheduler's jobs and a real SMTP server."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from coordination.jobs import tasks
from coordination.jobs.scheduler import run_job
from coordination.notifications.models import Notification
from coordination.notifications.service import set_email_preference
from coordination.reports import queries, service
from coordination.reports.models import ReportCreate
from coordination.structure import queries as structure
from tests.demo import DGB_DIRECTOR, DGD_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, triage_status

REPORTER = "nicolas.lejeune@diplobel.example"  # development attaché, Bujumbura platform
TF_SECRETARY = "lotte.baert@diplobel.example"
HEAD_OF_MISSION = "christophe.dumont@diplobel.example"
TASK_FORCE, STEERING_GROUP = "task-force-great-lakes", "steering-group"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def post_early_warning(app, session, now, **fields):
    with app.app_context():
        prepared = service.prepare_report(
            session=session,
            author=who(session, REPORTER),
            data=ReportCreate(
                title="Armed groups massing near Gatumba",
                mission_code="BUJUMBURA",
                early_warning=True,
                severity="high",
                **fields,
            ),
            graph=structure.organisation_graph(session=session),
            policy=POLICY,
        )
        prepared.report.created_at = now
        return service.store_report(session=session, prepared=prepared).report


def notified(session, kind, report) -> list[str]:
    rows = session.exec(
        select(Notification).where(Notification.kind == kind, Notification.link == f"/reports/{report.id}")
    ).all()
    people = structure.people_by_id(session=session, ids={n.person_id for n in rows})
    return sorted(people[n.person_id].email for n in rows)


def recipients(smtp_server) -> list[str]:
    return sorted(m["X-Envelope-To"] for m in smtp_server.messages)


@pytest.fixture
def mailing_app(app, smtp_server):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    return app


def test_an_early_warning_alerts_those_who_run_each_receiving_body_once_within_one_tick(
    mailing_app, session, smtp_server
):
    now = datetime.now(UTC)
    # a daily digest does not delay an alert; "off" means no e-mail at all
    set_email_preference(session=session, person=who(session, DGB_DIRECTOR), preference="daily_digest")
    set_email_preference(session=session, person=who(session, DGD_DIRECTOR), preference="off")
    report = post_early_warning(mailing_app, session, now)
    alerted = notified(session, "report.alert", report)
    for manager in (DGB_DIRECTOR, DGD_DIRECTOR, TF_SECRETARY, SG_CHAIR, SG_SECRETARY, HEAD_OF_MISSION):
        assert manager in alerted
    assert REPORTER not in alerted and JUSTICE_MEMBER not in alerted  # the author; a plain member
    assert len(alerted) == len(set(alerted))  # once each, whatever the number of their bodies

    assert run_job(mailing_app, "send_pending_email", tasks.send_pending_email, now=now) == len(alerted) - 1
    mailed = recipients(smtp_server)
    assert mailed == sorted(set(alerted) - {DGD_DIRECTOR})
    assert all("Armed groups massing near Gatumba" in m["Subject"] for m in smtp_server.messages)
    run_job(mailing_app, "send_pending_email", tasks.send_pending_email, now=now + timedelta(minutes=1))
    assert len(smtp_server.messages) == len(mailed)


def test_an_untriaged_early_warning_escalates_once_after_four_hours(
    mailing_app, session, smtp_server, client, auth
):
    posted_at = datetime.now(UTC) - timedelta(minutes=1)
    report = post_early_warning(mailing_app, session, posted_at)
    run_job(mailing_app, "send_pending_email", tasks.send_pending_email, now=posted_at)
    alerts = len(smtp_server.messages)

    def tick(at):
        done = run_job(mailing_app, "escalate", tasks.escalate_untriaged_early_warnings, now=at)
        run_job(mailing_app, "send_pending_email", tasks.send_pending_email, now=at)
        return done

    assert tick(posted_at + timedelta(hours=3, minutes=59)) == 0
    assert tick(posted_at + timedelta(hours=4)) == 1
    assert tick(posted_at + timedelta(hours=4, minutes=1)) == 0
    assert notified(session, "report.escalation", report) == sorted([SG_CHAIR, SG_SECRETARY])
    escalations = smtp_server.messages[alerts:]
    assert sorted(m["X-Envelope-To"] for m in escalations) == sorted([SG_CHAIR, SG_SECRETARY])

    auth.login(SG_CHAIR)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Escalated to the chair and secretary of" in page and "within 4 hours" in page


def test_a_triaged_early_warning_does_not_escalate(mailing_app, session):
    posted_at = datetime.now(UTC) - timedelta(minutes=1)
    report = post_early_warning(mailing_app, session, posted_at)
    with mailing_app.app_context():
        service.triage(
            session=session,
            person=who(session, TF_SECRETARY),
            report=report,
            to_status="under_review",
            now=posted_at + timedelta(hours=1),
        )
    later = posted_at + timedelta(hours=5)
    assert run_job(mailing_app, "escalate", tasks.escalate_untriaged_early_warnings, now=later) == 0


def test_each_body_triages_its_own_delivery_and_the_reporter_hears_both_outcomes(mailing_app, session):
    now = datetime.now(UTC)
    report = post_early_warning(mailing_app, session, now)
    chair, secretary = who(session, DGB_DIRECTOR), who(session, SG_SECRETARY)
    task_force = structure.get_body(session=session, slug=TASK_FORCE)
    with mailing_app.app_context():
        for step, status in enumerate(("under_review", "validated"), start=1):
            service.triage(
                session=session,
                person=chair,
                report=report,
                body=task_force,
                to_status=status,
                comment="Confirmed by the EU delegation" if status == "validated" else "",
                now=now + timedelta(minutes=step),
            )
        for step, status in enumerate(("under_review", "dismissed"), start=1):
            service.triage(
                session=session,
                person=secretary,
                report=report,
                to_status=status,
                now=now + timedelta(hours=step),
            )
    assert triage_status(session, report, TASK_FORCE) == "validated"
    assert triage_status(session, report, STEERING_GROUP) == "dismissed"
    [tf_slot] = [
        s
        for s in queries.triage_slots(session=session, viewer=chair, report=report)
        if s.body.slug == TASK_FORCE
    ]
    [sg_slot] = queries.triage_slots(session=session, viewer=secretary, report=report)
    assert tf_slot.delivery.status == "validated" and tf_slot.transitions == ["archived"]
    assert sg_slot.delivery.status == "dismissed" and sg_slot.delivery.holder_id == secretary.id

    reporter = who(session, REPORTER)
    feedback = session.exec(
        select(Notification)
        .where(Notification.person_id == reporter.id, Notification.kind == "report.feedback")
        .order_by(Notification.created_at)
    ).all()
    assert len(feedback) == 4  # every status change of both bodies
    # in the reporter's language (French comes first among theirs)
    assert "Validé" in feedback[1].title and "Task Force Great Lakes" in feedback[1].title
    assert "Écarté" in feedback[3].title and "Steering Group" in feedback[3].title
    assert feedback[1].body == "Confirmed by the EU delegation"

    # the early-warning board shows the steering group's own status and who holds it
    board = queries.early_warning_queue(session=session, viewer=who(session, SG_CHAIR), policy=POLICY)
    row = next(delivery for found, delivery in board if found.id == report.id)
    assert row.status == "dismissed" and row.holder_id == secretary.id


def test_a_second_body_that_triages_for_a_person_in_both_must_be_named(mailing_app, session):
    report = post_early_warning(mailing_app, session, datetime.now(UTC))
    chair = who(session, DGB_DIRECTOR)
    if len(queries.triage_bodies(session=session, viewer=chair, report=report)) < 2:
        pytest.skip("the DGB director does not sit in the steering group in this seed")
    with mailing_app.app_context(), pytest.raises(service.ReportError, match="say for which body"):
        service.triage(session=session, person=chair, report=report, to_status="under_review")


def test_the_header_counts_untriaged_early_warnings_live(mailing_app, session, client, auth):
    auth.login(SG_SECRETARY)
    before = client.get("/early-warning/untriaged.json").json["count"]
    report = post_early_warning(mailing_app, session, datetime.now(UTC))
    assert client.get("/early-warning/untriaged.json").json["count"] == before + 1
    page = client.get("/inbox").get_data(as_text=True)
    assert "Untriaged early warnings" in page and "data-untriaged-count" in page
    with mailing_app.app_context():
        service.triage(
            session=session, person=who(session, SG_SECRETARY), report=report, to_status="under_review"
        )
    assert client.get("/early-warning/untriaged.json").json["count"] == before
    auth.logout()
    auth.login(REPORTER)  # triages nowhere: no count at all
    assert client.get("/early-warning/untriaged.json").json["count"] is None
    assert "data-untriaged-count" not in client.get("/inbox").get_data(as_text=True)


def test_per_body_triage_on_the_page(mailing_app, session, client, auth):
    report = post_early_warning(mailing_app, session, datetime.now(UTC))
    auth.login(TF_SECRETARY)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Triage for Task Force Great Lakes" in page
    response = client.post(
        f"/reports/{report.id}/triage",
        data={
            "body": TASK_FORCE,
            f"{TASK_FORCE}-status": "under_review",
            f"{TASK_FORCE}-comment": "Checking",
        },
    )
    assert response.status_code == 302
    assert triage_status(session, report, TASK_FORCE) == "under_review"
    assert triage_status(session, report, STEERING_GROUP) == "new"
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Lotte Baert" in page  # holds it for the task force
    refused = client.post(
        f"/reports/{report.id}/triage",
        data={"body": STEERING_GROUP, f"{STEERING_GROUP}-status": "under_review"},
        follow_redirects=True,
    )
    assert refused.status_code == 403
    assert triage_status(session, report, STEERING_GROUP) == "new"


def test_the_scheduler_sends_one_message_per_person_per_event(mailing_app, session, smtp_server):
    """Ticks of every job with an injected clock: the alert goes at once, the escalation once after four
    hours, the reminder of a decision at half its deadline, the reporter's feedback waits for their daily
    digest; nobody gets anything twice."""
    from coordination.decisions import flows
    from coordination.jobs.scheduler import run_all
    from tests.test_decisions import CONFIG, draft

    posted_at = datetime.now(UTC) - timedelta(minutes=5)
    reporter = who(session, REPORTER)
    set_email_preference(session=session, person=reporter, preference="daily_digest")
    report = post_early_warning(mailing_app, session, posted_at)
    decision = draft(session)
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=posted_at, config=CONFIG
    )
    with mailing_app.app_context():
        service.add_comment(
            session=session,
            person=who(session, SG_CHAIR),
            report=report,
            body="Which armed group?",
            now=posted_at + timedelta(minutes=1),
        )
    for minutes in (1, 2, 239, 240, 241, 242):
        run_all(mailing_app, now=posted_at + timedelta(minutes=minutes))
    run_all(mailing_app, now=posted_at + timedelta(hours=20), daily=True)
    run_all(mailing_app, now=posted_at + timedelta(hours=20, minutes=1), daily=True)
    for hours in (24, 25):
        run_all(mailing_app, now=posted_at + timedelta(hours=hours))

    events = [(to, m["Subject"]) for m in smtp_server.messages for to in m["X-Envelope-To"].split(", ")]
    assert len(events) == len(set(events))  # one message per person per event
    # the reminder in each one's language
    reminder = ("Reminder:", "Herinnering:", "Rappel :")
    reminders = [to for to, s in events if any(r in s for r in reminder) and decision.title in s]
    adopted = [to for to, subject in events if "Decision of" in subject and decision.title in subject]
    all_subjects = "\n".join(sorted({s for _to, s in events}))
    assert reminders and adopted and len(reminders) == len(set(reminders)), all_subjects
    assert notified(session, "report.escalation", report) == sorted([SG_CHAIR, SG_SECRETARY])
    escalations = session.exec(select(Notification).where(Notification.kind == "report.escalation")).all()
    assert all(n.emailed_at is not None for n in escalations)
    # written in each one's language: Dutch for the chair, French for the secretary
    subjects = {to: subject for to, subject in events if report.title in subject}
    assert "Niet-getrieerde vroegtijdige waarschuwing" in subjects[SG_CHAIR]
    assert "Alerte précoce non triée" in subjects[SG_SECRETARY]
    digests = [m for m in smtp_server.messages if m["X-Envelope-To"] == REPORTER]
    assert len(digests) == 1 and "Résumé quotidien : 1 élément" in digests[0]["Subject"]  # French first
    assert "Which armed group?" in digests[0].get_content()
