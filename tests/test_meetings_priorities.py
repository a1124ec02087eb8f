"""Priorities with history, the agenda drafted from exactly what is due (injected clock), minutes,
invitations and situation reports."""

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from coordination.decisions import service as decisions
from coordination.meetings import queries as meetings_queries
from coordination.meetings import service as meetings
from coordination.rules import Forbidden
from coordination.sitreps import queries as sitreps_queries
from coordination.sitreps import service as sitreps
from coordination.steering import queries as priorities_queries
from coordination.steering import service as priorities
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_NIAMEY, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, post

NOW = datetime.now(UTC).replace(microsecond=0)
MEETING = NOW + timedelta(days=1)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def test_priority_changes_keep_history_and_need_a_reason(session):
    secretary = who(session, SG_SECRETARY)
    priority = priorities.set_priority(
        session=session,
        person=secretary,
        subject_kind="country",
        subject="bdi",
        tier=2,
        rationale="Electoral cycle",
        now=NOW,
    )
    assert priority.subject == "BDI" and priority.next_review_on == priorities.add_months(NOW.date(), 6)
    with pytest.raises(priorities.PriorityError, match="why"):
        priorities.set_priority(
            session=session, person=secretary, subject_kind="country", subject="BDI", tier=1, now=NOW
        )
    later = NOW + timedelta(days=3)
    priorities.set_priority(
        session=session,
        person=who(session, SG_CHAIR),
        subject_kind="country",
        subject="BDI",
        tier=1,
        reason="Violence after the elections",
        now=later,
    )
    changes = [
        (c.kind, c.old_tier, c.new_tier, c.reason, p.name)
        for c, p in priorities_queries.history(session=session, priority=priority)
    ]
    assert changes == [
        ("created", None, 2, "Electoral cycle", "Thomas Delvaux"),
        ("tier", 2, 1, "Violence after the elections", "Annelies Vercammen"),
    ]
    since = [
        c.kind
        for c, _p, _who in priorities_queries.changes_since(session=session, since=NOW + timedelta(days=1))
    ]
    assert since == ["tier"]
    with pytest.raises(Forbidden):
        priorities.set_priority(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            subject_kind="theme",
            subject="law",
            tier=3,
            now=NOW,
        )
    with pytest.raises(priorities.PriorityError):
        priorities.set_priority(
            session=session, person=secretary, subject_kind="theme", subject="gardening", tier=3, now=NOW
        )


def test_review_moves_the_next_review_on(session):
    priority = priorities.set_priority(
        session=session,
        person=who(session, SG_SECRETARY),
        subject_kind="theme",
        subject="humanitarian",
        tier=3,
        review_every_months=3,
        now=NOW,
    )
    reviewed = priorities.review_priority(
        session=session,
        person=who(session, SG_CHAIR),
        priority=priority,
        reason="Still relevant",
        now=NOW + timedelta(days=80),
    )
    assert reviewed.next_review_on == priorities.add_months((NOW + timedelta(days=80)).date(), 3)


def test_add_months_clamps_the_day():
    assert priorities.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert priorities.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


@pytest.fixture
def weekly(session):
    series = meetings.schedule(
        session=session,
        person=who(session, SG_SECRETARY),
        body=structure.get_steering_group(session=session),
        title="Weekly coordination meeting",
        starts_at=MEETING - timedelta(weeks=1),
        weekly_occurrences=3,
        location="Egmont",
    )
    return series[1]  # the previous one is a week before, the next one a week after


def _backdate(session, report, when):
    report.created_at = report.updated_at = when
    session.add(report)
    session.commit()


def test_the_drafted_agenda_contains_exactly_the_items_due(session, weekly):
    secretary, chair = who(session, SG_SECRETARY), who(session, SG_CHAIR)
    due = priorities.set_priority(
        session=session, person=secretary, subject_kind="country", subject="NER", tier=1, now=NOW
    )
    later = priorities.set_priority(
        session=session, person=secretary, subject_kind="country", subject="MLI", tier=2, now=NOW
    )
    due.next_review_on = (MEETING + timedelta(days=3)).date()  # before the next meeting: on the agenda
    later.next_review_on = (MEETING + timedelta(days=30)).date()  # after it: not yet
    session.add_all([due, later])
    niamey = who(session, AMBASSADOR_NIAMEY)
    warning = post(session, niamey, mission_code="NIAMEY", early_warning=True, title="Coup rumours").report
    _backdate(session, warning, MEETING - timedelta(days=2))
    old = post(session, niamey, mission_code="NIAMEY", early_warning=True, title="Old warning").report
    _backdate(session, old, MEETING - timedelta(days=9))  # before the previous meeting
    critical = post(
        session,
        who(session, "catherine.lemmens@diplobel.example"),
        mission_code="KINSHASA",
        severity="critical",
        title="Clashes in Goma",
    ).report
    for status in ("under_review", "validated"):
        from coordination.reports import service as reports

        reports.triage(session=session, person=chair, report=critical, to_status=status)
    _backdate(session, critical, MEETING - timedelta(days=1))
    waiting = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Evacuation planning",
        addressees=[("mission", "NIAMEY")],
        now=NOW,
    )
    decisions.adopt(session=session, person=chair, decision=waiting, now=NOW)
    answered = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Answered one",
        addressees=[("mission", "NIAMEY")],
        now=NOW,
    )
    decisions.adopt(session=session, person=chair, decision=answered, now=NOW)
    decisions.acknowledge(
        session=session, person=niamey, decision=answered, unit_kind="mission", unit_key="NIAMEY", now=NOW
    )
    overdue = decisions.create_action(
        session=session,
        person=secretary,
        decision=waiting,
        title="Update wardens",
        owner_kind="mission",
        owner_key="NIAMEY",
        due_on=MEETING.date() - timedelta(days=1),
        now=NOW,
    )
    decisions.create_action(
        session=session,
        person=secretary,
        decision=waiting,
        title="Not yet due",
        owner_kind="mission",
        owner_key="NIAMEY",
        due_on=MEETING.date() + timedelta(days=5),
        now=NOW,
    )
    great_lakes = structure.get_body(session=session, slug="task-force-great-lakes")
    great_lakes.sitrep_every_days = 1  # due within the horizon
    session.add(great_lakes)
    session.commit()

    meetings.draft_agenda(session=session, person=secretary, meeting=weekly, now=NOW)
    items = meetings_queries.agenda(session=session, viewer=secretary, policy=POLICY, meeting=weekly)
    assert [(i.kind, i.reference_id) for i in items] == [
        ("priority_review", due.id),
        ("early_warning", warning.id),
        ("validated_report", critical.id),
        ("pending_acknowledgement", waiting.id),
        ("overdue_action", overdue.id),
        ("situation_report_due", great_lakes.id),
    ]
    assert items[0].title.startswith("Review priority: Niger (NER) (tier 1")
    # the secretary's own items survive a redraft
    meetings.add_item(session=session, person=secretary, meeting=weekly, title="Any other business")
    meetings.draft_agenda(session=session, person=secretary, meeting=weekly, now=NOW)
    redrafted = meetings_queries.agenda(session=session, viewer=secretary, policy=POLICY, meeting=weekly)
    assert [i.title for i in redrafted][-1] == "Any other business" and len(redrafted) == 7
    with pytest.raises(Forbidden):
        meetings.draft_agenda(session=session, person=who(session, JUSTICE_MEMBER), meeting=weekly, now=NOW)


def test_minutes_attendance_and_invitation(session, weekly):
    secretary = who(session, SG_SECRETARY)
    steering_group = structure.get_steering_group(session=session)
    present = [m.person_id for m in steering_group.memberships][:5]
    meetings.record_minutes(
        session=session, person=secretary, meeting=weekly, minutes="Agreed on **Niger**.", present_ids=present
    )
    assert "<strong>Niger</strong>" in weekly.minutes_html
    assert sum(meetings_queries.attendance(session=session, meeting=weekly).values()) == 5
    with pytest.raises(meetings.MeetingError):
        meetings.record_minutes(
            session=session,
            person=secretary,
            meeting=weekly,
            minutes="x",
            present_ids=[who(session, AMBASSADOR_NIAMEY).id],
        )
    ics = meetings_queries.invitation(
        session=session, viewer=secretary, policy=POLICY, meeting=weekly, base_url="http://x"
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert "Weekly coordination meeting" in str(event["summary"]) and str(event["location"]) == "Egmont"
    assert len(event["attendee"]) == len(steering_group.memberships)


def test_situation_report_is_compiled_edited_and_submitted(session):
    chair = who(session, DGB_DIRECTOR)
    great_lakes = structure.get_body(session=session, slug="task-force-great-lakes")
    report = post(
        session,
        who(session, "catherine.lemmens@diplobel.example"),
        mission_code="KINSHASA",
        title="Ceasefire holds in Masisi",
    ).report
    from coordination.reports import service as reports

    for status in ("under_review", "validated"):
        reports.triage(session=session, person=chair, report=report, to_status=status)
    sitrep = sitreps.compile_draft(
        session=session,
        policy=POLICY,
        person=chair,
        task_force=great_lakes,
        period_start=NOW.date() - timedelta(days=14),
        period_end=NOW.date(),
        now=NOW,
    )
    assert "Ceasefire holds in Masisi" in sitrep.body and "### Validated field reports" in sitrep.body
    sitreps.edit(session=session, person=chair, sitrep=sitrep, body=sitrep.body + "\n\nOutlook: **stable**.")
    with pytest.raises(Forbidden):
        sitreps.submit(session=session, person=who(session, JUSTICE_MEMBER), sitrep=sitrep, now=NOW)
    sitreps.submit(session=session, person=chair, sitrep=sitrep, now=NOW)
    assert sitreps_queries.latest(session=session, viewer=chair, policy=POLICY)[0][0].id == sitrep.id
    assert sitreps_queries.next_due_on(session=session, task_force=great_lakes) == NOW.date() + timedelta(
        days=14
    )
    with pytest.raises(sitreps.SitrepError):
        sitreps.edit(session=session, person=chair, sitrep=sitrep, body="changed")
