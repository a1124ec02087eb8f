"""Pages and documents that combine areas are written for their reader: agendas and invitations, situation
reports (which carry the marking of what they quote), the dashboard's figures, task force descriptions,
the annual review, notifications and the audit of openings. The full matrix over every route is in
tests/need_to_know; these show each rule on its own."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.decisions import flows
from coordination.decisions import queries as decision_queries
from coordination.decisions import service as decisions
from coordination.jobs import tasks
from coordination.lessons import service as lessons
from coordination.meetings import queries as meeting_queries
from coordination.meetings import service as meetings
from coordination.notifications.mail import Mailer
from coordination.notifications.models import Notification
from coordination.planning import plans
from coordination.reports import queries as report_queries
from coordination.reports import service as reports
from coordination.sitreps import queries as sitrep_queries
from coordination.sitreps import service as sitreps
from coordination.structure import queries as structure
from coordination.taskforces import service as taskforces
from tests.demo import ADIV_ANALYST, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, make_person, post

NOW = datetime.now(UTC).replace(microsecond=0)
GREAT_LAKES = "task-force-great-lakes"
CONFIG = {"BASE_URL": "http://coordination.test"}


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def validated(session, author, **fields):
    report = post(session, author, **fields).report
    for status in ("under_review", "validated"):
        reports.triage(session=session, person=who(session, DGB_DIRECTOR), report=report, to_status=status)
    return report


def adopted_decision(session, *, classification, addressees, title="Open the border crossings"):
    decision = decisions.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title=title,
        classification=classification,
        addressees=addressees,
        now=NOW,
    )
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=NOW, config=CONFIG
    )
    return decision


# --- situation reports ------------------------------------------------------------------------------


def test_a_situation_report_quotes_what_its_compiler_may_see_and_carries_its_marking(session):
    analyst = who(session, ADIV_ANALYST)  # top secret, Defence: posts tactical briefs to the task force
    brief = validated(
        session,
        analyst,
        title="Armed group moves south of Goma",
        country_code="COD",
        kind="intelligence_brief",
        intelligence_level="tactical",
        classification="secret",
    )
    great_lakes = structure.get_body(session=session, slug=GREAT_LAKES)
    period = {"period_start": NOW.date() - timedelta(days=7), "period_end": NOW.date()}
    chair = who(session, DGB_DIRECTOR)  # secret, Foreign Affairs
    by_chair = sitreps.compile_draft(
        session=session, person=chair, policy=POLICY, task_force=great_lakes, now=NOW, **period
    )
    assert brief.title in by_chair.body
    assert by_chair.classification == "secret" and by_chair.origins == ["DEF"]

    confidential_member = make_person(
        session, department="FA", clearance="confidential", bodies=((GREAT_LAKES, "secretary"),)
    )
    by_member = sitreps.compile_draft(
        session=session, person=confidential_member, policy=POLICY, task_force=great_lakes, now=NOW, **period
    )
    assert brief.title not in by_member.body and by_member.classification == "unclassified"

    justice = who(session, JUSTICE_MEMBER)  # confidential, Justice: outside the sharing group
    secret_justice = make_person(
        session, department="JUST", clearance="secret", bodies=((GREAT_LAKES, "member"),)
    )
    for reader, sees in (
        (chair, True),
        (confidential_member, False),
        (justice, False),
        (secret_justice, False),
    ):
        found = sitrep_queries.get_visible_sitrep(
            session=session, viewer=reader, policy=POLICY, sitrep_id=by_chair.id
        )
        assert (found is not None) is sees, reader.name
    assert sitrep_queries.get_visible_sitrep(
        session=session, viewer=justice, policy=POLICY, sitrep_id=by_member.id
    )

    # The chair may mark a report higher, never lower than what it quotes nor above their clearance.
    with pytest.raises(sitreps.SitrepError, match="cannot be marked lower"):
        sitreps.edit(
            session=session, person=chair, sitrep=by_chair, body=by_chair.body, classification="confidential"
        )
    with pytest.raises(sitreps.SitrepError, match="above your own clearance"):
        sitreps.edit(
            session=session, person=chair, sitrep=by_chair, body=by_chair.body, classification="top_secret"
        )
    sitreps.edit(
        session=session,
        person=confidential_member,
        sitrep=by_member,
        body="Our view",
        classification="confidential",
    )
    assert by_member.classification == "confidential" and by_member.quoted_classification == "unclassified"
    assert not sitrep_queries.get_visible_sitrep(
        session=session,
        viewer=make_person(session, clearance="unclassified", bodies=((GREAT_LAKES, "member"),)),
        policy=POLICY,
        sitrep_id=by_member.id,
    )


# --- agendas and invitations ------------------------------------------------------------------------


def test_an_agenda_shows_each_reader_only_the_lines_about_what_they_may_see(session):
    secret_warning = post(
        session,
        who(session, "catherine.lemmens@diplobel.example"),
        mission_code="KINSHASA",
        title="Militia gathers near Bukavu",
        early_warning=True,
        classification="secret",
    ).report
    open_warning = post(
        session,
        who(session, "catherine.lemmens@diplobel.example"),
        mission_code="KINSHASA",
        title="Roads to Uvira closed",
        early_warning=True,
    ).report
    chair = who(session, DGB_DIRECTOR)
    (meeting,) = meetings.schedule(
        session=session,
        person=chair,
        body=structure.get_body(session=session, slug=GREAT_LAKES),
        title="Weekly task force",
        starts_at=NOW + timedelta(days=1),
    )
    meetings.draft_agenda(session=session, person=chair, meeting=meeting, now=NOW)
    meetings.add_item(session=session, person=chair, meeting=meeting, title="Any other business")
    justice = who(session, JUSTICE_MEMBER)  # confidential

    def lines(reader):
        return [
            (line.number, line.title)
            for line in meeting_queries.agenda(session=session, viewer=reader, policy=POLICY, meeting=meeting)
        ]

    for_chair, for_justice = lines(chair), lines(justice)
    assert any(secret_warning.title in title for _n, title in for_chair)
    assert not any(
        secret_warning.title in title or f"#{secret_warning.id}" in title for _n, title in for_justice
    )
    assert any(open_warning.title in title for _n, title in for_justice)
    # numbered among the lines shown: nothing betrays the missing one
    assert [n for n, _t in for_justice] == list(range(1, len(for_justice) + 1))
    assert len(for_justice) == len(for_chair) - 1 and for_justice[-1][1] == "Any other business"

    ics = meeting_queries.invitation(
        session=session, viewer=justice, policy=POLICY, meeting=meeting, base_url="http://x"
    )
    description = str(Calendar.from_ical(ics).walk("VEVENT")[0]["description"])
    assert open_warning.title in description and secret_warning.title not in description


def test_decisions_taken_in_a_meeting_are_listed_for_their_reader(session):
    chair, secretary = who(session, SG_CHAIR), who(session, SG_SECRETARY)
    (meeting,) = meetings.schedule(
        session=session,
        person=secretary,
        body=structure.get_steering_group(session=session),
        title="Extraordinary meeting",
        starts_at=NOW + timedelta(hours=2),
    )
    secret = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Evacuation plan Bravo",
        classification="secret",
        addressees=[("body", GREAT_LAKES)],
        meeting_id=meeting.id,
        now=NOW,
    )
    confidential_member = make_person(
        session, clearance="confidential", bodies=(("steering-group", "member"),)
    )
    assert [d.id for d in meeting_queries.decisions_of(session=session, viewer=chair, meeting=meeting)] == [
        secret.id
    ]
    assert meeting_queries.decisions_of(session=session, viewer=confidential_member, meeting=meeting) == []


# --- the dashboard ----------------------------------------------------------------------------------


def test_task_force_signals_count_only_what_the_reader_may_see(session):
    attaché = who(session, "catherine.lemmens@diplobel.example")
    post(
        session,
        attaché,
        mission_code="KINSHASA",
        early_warning=True,
        severity="critical",
        classification="secret",
    )
    post(session, attaché, mission_code="KINSHASA", early_warning=True, severity="medium")
    decision = adopted_decision(session, classification="secret", addressees=[("body", GREAT_LAKES)])
    decisions.create_action(
        session=session,
        person=who(session, SG_SECRETARY),
        decision=decision,
        title="Brief the partners",
        owner_kind="body",
        owner_key=GREAT_LAKES,
        due_on=NOW.date() - timedelta(days=2),
        now=NOW,
    )
    great_lakes = structure.get_body(session=session, slug=GREAT_LAKES)
    cleared, uncleared = who(session, SG_CHAIR), make_person(session, clearance="confidential")

    def signals(reader):
        warnings = report_queries.early_warnings_by_body(
            session=session,
            viewer=reader,
            policy=POLICY,
            body_ids=[great_lakes.id],
            since=NOW - timedelta(days=14),
        )[great_lakes.id]
        counts = decision_queries.signals_by_body(
            session=session, viewer=reader, body_ids=[great_lakes.id], now=NOW
        )
        return warnings, counts[great_lakes.id]["overdue"]

    warnings, overdue = signals(cleared)
    assert warnings.get("critical") == 1 and warnings.get("medium", 0) >= 1 and overdue == 1
    warnings, overdue = signals(uncleared)
    assert "critical" not in warnings and overdue == 0


def test_a_task_force_counts_the_warnings_it_received_that_the_reader_saw_by_another_body(session):
    """The reader sits in the steering group only; the warning reached it and Great Lakes. Great Lakes'
    count includes it: the reader's routing check is on the report's deliveries, not on the delivery
    being counted (reports.queries.visible_condition correlates to the report alone)."""
    attaché = who(session, "catherine.lemmens@diplobel.example")
    posted = post(session, attaché, mission_code="KINSHASA", early_warning=True, severity="critical")
    great_lakes = structure.get_body(session=session, slug=GREAT_LAKES)
    steering_group = structure.get_body(session=session, slug="steering-group")
    assert {great_lakes.id, steering_group.id} <= {d.body_id for d in posted.deliveries}
    reader = make_person(session, clearance="secret", bodies=(("steering-group", "member"),))
    warnings = report_queries.early_warnings_by_body(
        session=session,
        viewer=reader,
        policy=POLICY,
        body_ids=[great_lakes.id, steering_group.id],
        since=NOW - timedelta(days=14),
    )
    assert warnings[great_lakes.id].get("critical") == 1 and warnings[steering_group.id].get("critical") == 1
    outsider = make_person(session, clearance="secret")
    warnings = report_queries.early_warnings_by_body(
        session=session,
        viewer=outsider,
        policy=POLICY,
        body_ids=[great_lakes.id],
        since=NOW - timedelta(days=14),
    )
    assert warnings[great_lakes.id] == {}


def test_on_sqlite_the_dashboard_counts_read_decisions_from_their_narrow_index(session):
    """SQLite's planner would read each decision's row (with its texts) for every overdue action; the
    counts name ix_decision_visibility (`with_hint`, rendered by db.py) and it exists (migration 0030).
    So does the inbox's list of acknowledgements awaited, ix_addressee_unit_status."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("an SQLite planner hint")
    from sqlalchemy import event

    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        great_lakes = structure.get_body(session=session, slug=GREAT_LAKES)
        decision_queries.signals_by_body(
            session=session, viewer=who(session, SG_CHAIR), body_ids=[great_lakes.id], now=NOW
        )
        decision_queries.awaiting_my_answer(session=session, viewer=who(session, DGB_DIRECTOR), limit=10)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    hinted = [s for s in statements if "INDEXED BY ix_decision_visibility" in s]
    assert len(hinted) == 2  # the overdue actions and the pending acknowledgements
    # an inbox reads its reader's units' pending acknowledgements, not every pending one
    assert any("INDEXED BY ix_addressee_unit_status" in s for s in statements)


# --- task forces and the annual review --------------------------------------------------------------


def test_a_task_force_is_described_by_people_not_by_its_classified_decision(session):
    decision = adopted_decision(
        session, classification="secret", addressees=[("department", "FA")], title="Operation Nightingale"
    )
    body, _ = taskforces.create_task_force(
        session=session,
        person=who(session, SG_SECRETARY),
        goals_decision_id=decision.id,
        name="Task force Niger",
        description="Coordinates the Belgian response in Niger.",
        goals="Stability and the rule of law.",
        countries=["NER"],
        now=NOW,
    )
    assert body.description == "Coordinates the Belgian response in Niger."
    assert decision.title not in body.description + body.goals


def test_the_annual_review_lists_only_the_actions_its_reader_may_see(session):
    decision = adopted_decision(session, classification="secret", addressees=[("body", GREAT_LAKES)])
    decisions.create_action(
        session=session,
        person=who(session, SG_SECRETARY),
        decision=decision,
        title="Prepare the extraction of staff",
        owner_kind="body",
        owner_key=GREAT_LAKES,
        due_on=NOW.date() + timedelta(days=5),
        now=NOW,
    )
    effort = structure.get_body(session=session, slug=GREAT_LAKES)

    def review(reader):
        return plans.annual_review(
            session=session, viewer=reader, effort=effort, year=NOW.year, today=NOW.date()
        )

    assert "Prepare the extraction of staff" in review(who(session, DGB_DIRECTOR))
    assert "Prepare the extraction of staff" not in review(who(session, JUSTICE_MEMBER))


# --- notifications ----------------------------------------------------------------------------------


def test_nobody_is_notified_of_a_decision_they_may_not_see(session, smtp_server):
    config = {**CONFIG, "SMTP_HOST": smtp_server.host, "SMTP_PORT": smtp_server.port}
    confidential_chair = make_person(
        session, clearance="confidential", bodies=(("steering-group", "co_chair"),)
    )
    decision = decisions.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Withdraw the liaison officers",
        classification="secret",
        addressees=[("department", "JUST"), ("body", GREAT_LAKES)],
        now=NOW,
    )
    flows.adopt_and_notify(
        session=session, person=who(session, SG_CHAIR), decision=decision, now=NOW, config=config
    )
    flows.answer_and_notify(
        session=session,
        person=who(session, DGB_DIRECTOR),
        decision=decision,
        unit_kind="body",
        unit_key=GREAT_LAKES,
        comply=False,
        comment="Not without a mandate.",
        now=NOW,
        config=config,
    )
    mailer = Mailer.from_config(config)
    tasks.remind_acknowledgements(
        session=session, now=NOW + timedelta(hours=25), mailer=mailer, base_url="http://x"
    )
    tasks.escalate_overdue_acknowledgements(
        session=session, now=NOW + timedelta(hours=49), mailer=mailer, base_url="http://x"
    )
    told = set(
        session.exec(select(Notification.person_id).where(Notification.title.contains(decision.title)))
    )
    readers = decision_queries.readers_among(session=session, decision=decision, person_ids=told)
    assert told and told == readers
    assert confidential_chair.id not in told
    assert who(session, JUSTICE_MEMBER).id not in told  # confidential, though Justice is addressed
    for message in smtp_server.messages:
        recipients = {a.strip() for a in message["X-Envelope-To"].split(",")}
        if decision.title in message["Subject"] + message.get_content():
            assert confidential_chair.email not in recipients
            assert who(session, JUSTICE_MEMBER).email not in recipients


# --- the audit of openings --------------------------------------------------------------------------


def test_opening_a_classified_decision_lesson_or_situation_report_is_audited(client, auth, session):
    decision = adopted_decision(session, classification="secret", addressees=[("body", GREAT_LAKES)])
    great_lakes = structure.get_body(session=session, slug=GREAT_LAKES)
    sitrep = sitreps.compile_draft(
        session=session,
        person=who(session, DGB_DIRECTOR),
        policy=POLICY,
        task_force=great_lakes,
        period_start=NOW.date() - timedelta(days=7),
        period_end=NOW.date(),
        now=NOW,
    )
    sitreps.edit(
        session=session, person=who(session, DGB_DIRECTOR), sitrep=sitrep, body="x", classification="secret"
    )
    lesson = lessons.submit_observation(
        session=session,
        person=who(session, DGB_DIRECTOR),
        title="Liaison lines failed",
        observation="Nobody answered the satellite phone.",
        classification="confidential",
        task_force=GREAT_LAKES,
        policy=POLICY,
        now=NOW,
    )
    auth.login(DGB_DIRECTOR)
    assert client.get(f"/decisions/{decision.id}").status_code == 200
    assert client.get(f"/situation-reports/{sitrep.id}").status_code == 200
    assert client.get(f"/lessons/{lesson.id}").status_code == 200
    opened = {
        (e.action, e.object_id)
        for e in session.exec(select(AuditEvent).where(AuditEvent.action.endswith(".open")))
    }
    assert {
        ("decision.open", str(decision.id)),
        ("sitrep.open", str(sitrep.id)),
        ("lesson.open", str(lesson.id)),
    } <= opened


def test_an_update_names_the_report_it_updates_only_to_those_who_may_see_it(session, client, api_token):
    attaché = who(session, "catherine.lemmens@diplobel.example")  # secret, the Kinshasa platform
    first = post(
        session, attaché, mission_code="KINSHASA", title="Clashes in Rutshuru", classification="secret"
    )
    update = post(
        session,
        attaché,
        mission_code="KINSHASA",
        title="Calm again in Rutshuru",
        updates_report_id=first.report.id,
    ).report
    for email, named in ((DGB_DIRECTOR, first.report.id), (JUSTICE_MEMBER, None)):
        response = client.get(f"/api/v1/field-reports/{update.id}", headers=api_token(email))
        assert response.status_code == 200 and response.json["updates_report_id"] == named, email
