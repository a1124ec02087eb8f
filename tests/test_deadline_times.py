"""A deadline reads the same in a notification, its e-mail and on the page: Brussels time, labelled."""

from datetime import UTC, datetime, timedelta

from flask import render_template_string
from sqlmodel import select

from coordination.decisions import flows, service
from coordination.jobs import tasks
from coordination.notifications.mail import Mailer
from coordination.notifications.models import Notification
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, SG_CHAIR, SG_SECRETARY

# Adopted on the last Saturday of summer time (11:00 in Brussels); due 48 hours later, after the clocks went
# back: 09:00 UTC, 10:00 in Brussels.
ADOPTED = datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
DUE_ON_THE_PAGE = "2026-10-26 10:00"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def test_a_deadline_across_the_change_to_winter_time_reads_the_same_everywhere(app, session, smtp_server):
    config = {
        "BASE_URL": "http://coordination.test",
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": smtp_server.port,
    }
    decision = service.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Evacuation flight from Kinshasa",
        text="The embassy prepares the flight.",
        rationale="The airport may close.",
        classification="unclassified",
        addressees=[("mission", "KINSHASA")],
        now=ADOPTED,
    )
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=ADOPTED, config=config
    )
    assert decision.acknowledgement_due_at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)

    ambassador = who(session, AMBASSADOR_KINSHASA)
    asked = session.exec(
        select(Notification).where(
            Notification.person_id == ambassador.id, Notification.kind == "decision.adopted"
        )
    ).one()
    assert asked.body == f"Please acknowledge by {DUE_ON_THE_PAGE} Brussels time."
    mailed = [m for m in smtp_server.messages if AMBASSADOR_KINSHASA in m["X-Envelope-To"]]
    assert f"{DUE_ON_THE_PAGE} Brussels time" in mailed[0].get_content()

    tasks.remind_acknowledgements(
        session=session, now=ADOPTED + timedelta(hours=25), mailer=Mailer.from_config(config), base_url="x"
    )
    reminder = next(m for m in smtp_server.messages if "Reminder" in m["Subject"])
    assert f"Due {DUE_ON_THE_PAGE} Brussels time." in reminder.get_content()

    with app.test_request_context():  # the filter the decision page shows the deadline with
        on_the_page = render_template_string("{{ due|time }}", due=decision.acknowledgement_due_at)
    assert on_the_page == (
        f'<time datetime="2026-10-26T09:00:00+00:00" title="Brussels time">{DUE_ON_THE_PAGE}</time>'
    )
