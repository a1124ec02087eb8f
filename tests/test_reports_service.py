"""Posting, routing into deliveries, triage and the thread, through the service layer."""

import pytest
from sqlmodel import select

from coordination.audit.models import AuditEvent
from coordination.reports import queries, service
from coordination.reports.enums import TriageStatus
from coordination.reports.models import Delivery
from coordination.structure import queries as structure
from tests.demo import ADIV_ANALYST, AMBASSADOR_KINSHASA, AMBASSADOR_NIAMEY, DGB_DIRECTOR, JUSTICE_MEMBER
from tests.factories import POLICY, make_person, post, triage_status


def person(session, email):
    return structure.get_person_by_email(session=session, email=email)


def test_a_kinshasa_report_defaults_to_the_host_country_and_is_routed_with_reasons(session):
    posted = post(
        session, person(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA", body="**Clashes** near Goma"
    )
    report = posted.report
    assert report.country_code == "COD"
    assert {d.status for d in posted.deliveries} == {TriageStatus.new}
    assert "<strong>Clashes</strong>" in report.body_html
    reasons = {d.rule: d.reason for d in posted.deliveries}
    assert reasons == {
        "mission_platform": "platform of the posting mission (KINSHASA)",
        "task_force_scope": "task force covers COD",
    }
    stored = session.exec(select(Delivery).where(Delivery.report_id == report.id)).all()
    assert len(stored) == 2 and all(d.delivered_at for d in stored)


def test_niamey_early_warning_lands_in_the_steering_group_queue(session):
    niamey = person(session, AMBASSADOR_NIAMEY)
    posted = post(
        session, niamey, mission_code="NIAMEY", early_warning=True, severity="high", title="Coup rumours"
    )
    sg = next(d for d in posted.deliveries if d.rule == "uncovered")
    assert "no active task force covers NER: steering group early-warning queue" in sg.reason
    chair = person(session, "annelies.vercammen@diplobel.example")
    queue = queries.early_warning_queue(session=session, viewer=chair, policy=POLICY)
    assert [r.id for r, _d in queue] == [posted.report.id]


def test_markdown_is_sanitised(session):
    body = (
        "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1)) "
        '<a href="https://ok.example" onclick="x()">ok</a>'
    )
    report = post(session, person(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA", body=body).report
    html = report.body_html.lower()
    assert (
        "<script" not in html
        and "onerror" not in html
        and "onclick" not in html
        and "javascript:" not in html
    )
    assert 'href="https://ok.example"' in html


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"mission_code": "NOWHERE"}, "mission_code"),
        ({"country_code": "XXX"}, "country_code"),
        ({}, "country_code"),
        ({"country_code": "COD", "classification": "top_secret"}, "classification"),
        ({"country_code": "COD", "intelligence_level": "tactical"}, "intelligence_level"),
        ({"country_code": "COD", "updates_report_id": 999999}, "updates_report_id"),
    ],
)
def test_bad_reports_are_refused_naming_the_field_and_nothing_is_written(session, fields, field):
    author = person(session, AMBASSADOR_KINSHASA)
    before = session.exec(select(AuditEvent)).all()
    with pytest.raises(service.ReportError) as refused:
        post(session, author, **fields)
    assert refused.value.field == field
    session.rollback()
    assert len(session.exec(select(AuditEvent)).all()) == len(before)
    assert queries.my_reports(session=session, viewer=author) == []


def test_only_platform_members_post_from_a_mission(session):
    with pytest.raises(service.NotAllowed):
        post(session, person(session, JUSTICE_MEMBER), mission_code="KINSHASA")


def test_only_the_intelligence_service_posts_briefs(session):
    with pytest.raises(service.NotAllowed):
        post(
            session,
            person(session, AMBASSADOR_KINSHASA),
            country_code="COD",
            kind="intelligence_brief",
            intelligence_level="tactical",
        )
    brief = post(
        session,
        person(session, ADIV_ANALYST),
        country_code="COD",
        kind="intelligence_brief",
        intelligence_level="strategic",
        classification="secret",
    )
    assert {d.rule for d in brief.deliveries} == {"strategic_intelligence"}


def test_the_same_idempotency_key_creates_one_report(session):
    author = person(session, AMBASSADOR_KINSHASA)
    first = post(session, author, idempotency_key="kin-2026-001", mission_code="KINSHASA")
    again = post(session, author, idempotency_key="kin-2026-001", mission_code="KINSHASA")
    assert first.created and not again.created
    assert again.report.id == first.report.id
    assert len(queries.my_reports(session=session, viewer=author)) == 1
    with pytest.raises(service.IdempotencyConflict):
        post(session, author, idempotency_key="kin-2026-001", mission_code="KINSHASA", title="Something else")


def test_an_idempotency_key_is_per_author(session):
    """The form's key and an API client's key share one rule: another author's equal key is not a replay."""
    kinshasa = person(session, AMBASSADOR_KINSHASA)
    niamey = person(session, AMBASSADOR_NIAMEY)
    first = post(session, kinshasa, idempotency_key="k1", mission_code="KINSHASA")
    second = post(session, niamey, idempotency_key="k1", mission_code="NIAMEY")
    assert first.created and second.created and second.report.id != first.report.id


def test_triage_walks_new_under_review_validated_archived_and_refuses_skips(session):
    report = post(session, person(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA").report
    chair = person(session, DGB_DIRECTOR)
    with pytest.raises(service.ReportError):
        service.triage(session=session, person=chair, report=report, to_status="validated")
    for status in ("under_review", "validated", "archived"):
        service.triage(session=session, person=chair, report=report, to_status=status, comment=f"to {status}")
    assert triage_status(session, report, "task-force-great-lakes") == TriageStatus.archived
    steps = [(c.from_status, c.to_status) for c, _who in queries.comments_of(session=session, report=report)]
    assert steps == [("new", "under_review"), ("under_review", "validated"), ("validated", "archived")]
    with pytest.raises(service.ReportError):
        service.triage(session=session, person=chair, report=report, to_status="new")


def test_platform_members_do_not_triage_but_task_force_members_do(session):
    report = post(session, person(session, AMBASSADOR_KINSHASA), mission_code="KINSHASA").report
    platform_only = make_person(session, clearance="secret", bodies=(("platform-kinshasa", "member"),))
    with pytest.raises(service.NotAllowed):
        service.triage(session=session, person=platform_only, report=report, to_status="under_review")
    observer = make_person(session, clearance="secret", bodies=(("task-force-great-lakes", "observer"),))
    with pytest.raises(service.NotAllowed):
        service.triage(session=session, person=observer, report=report, to_status="under_review")
    member = person(session, JUSTICE_MEMBER)
    service.triage(session=session, person=member, report=report, to_status="under_review")
    assert triage_status(session, report, "task-force-great-lakes") == "under_review"


def test_updates_form_a_thread(session):
    author = person(session, AMBASSADOR_KINSHASA)
    first = post(session, author, mission_code="KINSHASA", title="First").report
    second = post(session, author, mission_code="KINSHASA", title="Second", updates_report_id=first.id).report
    third = post(session, author, mission_code="KINSHASA", title="Third", updates_report_id=second.id).report
    for report in (first, second, third):
        thread = queries.thread_of(session=session, viewer=author, report=report, policy=POLICY)
        assert [r.title for r in thread] == ["First", "Second", "Third"]


def test_restricted_distribution_cannot_be_forwarded(session):
    author = person(session, AMBASSADOR_KINSHASA)
    chair = person(session, DGB_DIRECTOR)
    steering_group = structure.get_steering_group(session=session)
    restricted = post(session, author, mission_code="KINSHASA", restricted_distribution=True).report
    with pytest.raises(service.NotAllowed):
        service.forward(session=session, person=chair, report=restricted, body=steering_group, policy=POLICY)
    open_report = post(session, author, mission_code="KINSHASA").report
    delivery = service.forward(
        session=session, person=chair, report=open_report, body=steering_group, policy=POLICY
    )
    assert delivery.rule == "forwarded" and "Bart Heylen" in delivery.reason


def test_posting_routing_triage_and_opening_classified_items_are_audited(session):
    author = person(session, AMBASSADOR_KINSHASA)
    report = post(session, author, mission_code="KINSHASA", classification="confidential").report
    chair = person(session, DGB_DIRECTOR)
    service.open_report(session=session, person=chair, report=report)
    service.triage(session=session, person=chair, report=report, to_status="under_review")
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.object_type == "field_report", AuditEvent.object_id == str(report.id)
        )
    ).all()
    assert [e.action for e in events] == ["report.create", "report.route", "report.open", "report.triage"]
    assert events[1].detail["recipients"]["task-force-great-lakes"] == "task force covers COD"


def test_inbox_counts_unread_per_body_and_reading_clears_it(session):
    author = person(session, AMBASSADOR_KINSHASA)
    reader = person(session, DGB_DIRECTOR)
    post(session, author, mission_code="KINSHASA", severity="critical", title="Critical")
    second = post(session, author, mission_code="KINSHASA", title="Routine").report
    counts = queries.unread_counts(session=session, viewer=reader, policy=POLICY)
    assert counts[""] == 2 and counts["task-force-great-lakes"] == 2 and counts["steering-group"] == 1
    service.open_report(session=session, person=reader, report=second)
    assert queries.unread_counts(session=session, viewer=reader, policy=POLICY)[""] == 1
    critical = queries.inbox(session=session, viewer=reader, policy=POLICY, severity="critical")
    assert [i.report.title for i in critical] == ["Critical"]
    assert {b.slug for b in critical[0].via} == {"task-force-great-lakes", "steering-group"}
    unread = queries.inbox(session=session, viewer=reader, policy=POLICY, unread_only=True)
    assert [i.report.title for i in unread] == ["Critical"]


def test_preparing_a_report_reads_only_and_storing_it_writes_report_deliveries_and_audit(session):
    from coordination.reports.models import FieldReport, ReportCreate
    from coordination.structure.graph import organisation_graph

    def stored_rows():
        return [len(session.exec(select(model)).all()) for model in (FieldReport, Delivery, AuditEvent)]

    before = stored_rows()
    prepared = service.prepare_report(
        session=session,
        author=person(session, AMBASSADOR_KINSHASA),
        data=ReportCreate(title="Clashes near Goma", mission_code="kinshasa"),
        graph=organisation_graph(session=session),
        policy=POLICY,
    )
    assert not session.new and not session.dirty
    session.rollback()
    assert stored_rows() == before
    assert sorted(r.body for r in prepared.recipients) == sorted(prepared.bodies)
    posted = service.store_report(session=session, prepared=prepared)
    assert stored_rows() == [before[0] + 1, before[1] + len(posted.deliveries), before[2] + 2]
    assert posted.created and {d.report_id for d in posted.deliveries} == {posted.report.id}
