"""Task force lifecycle and the chair rules, through the service layer."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from coordination.decisions import service as decisions
from coordination.reports import queries as report_queries
from coordination.reports.models import Delivery
from coordination.routing.rules import ReportFacts, route_report
from coordination.rules import Forbidden
from coordination.structure import queries as structure
from coordination.structure.graph import organisation_graph
from coordination.taskforces import service
from tests.demo import AMBASSADOR_NIAMEY, DGB_DIRECTOR, DGD_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.factories import POLICY, post

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def goals_decision(session, *, adopt=True):
    decision = decisions.draft_decision(
        session=session,
        author=who(session, SG_SECRETARY),
        issuing_body="steering-group",
        title="Set up a comprehensive effort",
        text="Goals: stabilisation, rule of law.",
        addressees=[("department", "FA")],
        now=NOW,
    )
    if adopt:
        decisions.adopt(session=session, person=who(session, SG_CHAIR), decision=decision, now=NOW)
    return decision


def create(session, **fields):
    defaults = {
        "goals_decision_id": goals_decision(session).id,
        "name": "Task Force Burundi",
        "countries": ["BDI"],
        "overlap_reason": "the elections in Burundi need a task force of their own",
    }
    return service.create_task_force(
        session=session, person=who(session, SG_SECRETARY), now=NOW, **{**defaults, **fields}
    )


def test_burundi_proposes_dgb_chair_and_dgd_co_chair_with_reasons(session):
    body, proposals = create(session)
    assert body.status == "proposed"
    assert [(p.role, p.person.email, p.reason) for p in proposals] == [
        ("chair", DGB_DIRECTOR, "the director of DGB chairs task forces"),
        ("co_chair", DGD_DIRECTOR, "BDI is a partner country of development cooperation: DGD co-chairs"),
    ]
    assert {m.code for m in structure.get_body(session=session, slug=body.slug).missions} >= {"BUJUMBURA"}


def test_a_non_partner_country_gets_only_the_dgb_chair(session):
    _body, proposals = create(session, name="Task Force Lebanon", countries=["LBN"])
    assert [(p.role, p.person.email) for p in proposals] == [("chair", DGB_DIRECTOR)]


def test_flagging_defence_adds_a_defence_co_chair(session):
    _body, proposals = create(
        session, name="Task Force Sahel", countries=["MLI", "NER"], major_departments=["DEF"]
    )
    roles = [(p.role, p.person.department.code, p.reason) for p in proposals]
    assert roles[0][:2] == ("chair", "FA")
    assert roles[1] == (
        "co_chair",
        "FA",
        "MLI, NER are partner countries of development cooperation: DGD co-chairs",
    )
    assert roles[2][:2] == ("co_chair", "DEF") and "major for Defence" in roles[2][2]


def test_an_expert_director_can_chair_instead_of_dgb(session):
    expert = who(session, "dries.schepens@diplobel.example")
    _body, proposals = create(
        session, name="Task Force Great Lakes II", countries=["COD"], expert_director_id=expert.id
    )
    assert proposals[0].person.id == expert.id and "expertise" in proposals[0].reason


@pytest.mark.parametrize("goals", ["missing", "draft", "task-force-decision"])
def test_a_task_force_without_an_adopted_steering_group_decision_is_refused(session, goals):
    if goals == "missing":
        decision_id = None
    elif goals == "draft":
        decision_id = goals_decision(session, adopt=False).id
    else:
        decision = decisions.draft_decision(
            session=session,
            author=who(session, DGB_DIRECTOR),
            issuing_body="task-force-great-lakes",
            title="Our own goals",
            addressees=[("mission", "KINSHASA")],
            now=NOW,
        )
        decisions.adopt(session=session, person=who(session, DGB_DIRECTOR), decision=decision, now=NOW)
        decision_id = decision.id
    with pytest.raises(service.TaskForceError) as refused:
        create(session, goals_decision_id=decision_id)
    assert refused.value.field == "goals_decision_id"
    assert "adopted steering-group decision" in str(refused.value)


def test_only_the_steering_group_sets_up_task_forces(session):
    with pytest.raises(Forbidden):
        service.create_task_force(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            goals_decision_id=goals_decision(session).id,
            name="TF X",
            countries=["BDI"],
            now=NOW,
        )


def test_confirming_activates_records_who_decided_and_starts_routing(session):
    body, _ = create(session, name="Task Force Niger", countries=["NER"])
    facts = ReportFacts(country="NER", mission="NIAMEY")
    assert body.slug not in {r.body for r in route_report(facts, organisation_graph(session=session))}
    chair = who(session, SG_CHAIR)
    service.confirm_chairs(session=session, person=chair, task_force=body, now=NOW)
    assert body.status == "active" and body.chairs_decided_by_id == chair.id and body.chairs_decided_at == NOW
    assert body.slug in {r.body for r in route_report(facts, organisation_graph(session=session))}


def test_the_steering_group_can_override_the_proposed_chairs(session):
    body, _ = create(session)
    expert = who(session, "dries.schepens@diplobel.example")
    service.confirm_chairs(
        session=session,
        person=who(session, SG_CHAIR),
        task_force=body,
        chair_id=expert.id,
        co_chair_ids=[],
        reason="a director who knows the region",
        now=NOW,
    )
    roles = {
        m.person.email: (m.role, m.reason)
        for m in structure.get_body(session=session, slug=body.slug).memberships
    }
    assert roles == {
        expert.email: (
            "chair",
            "chosen by the steering group (Annelies Vercammen): a director who knows the region",
        )
    }


def test_standing_down_needs_a_closing_report_and_stops_routing(session):
    body, _ = create(session)
    service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=body, now=NOW)
    with pytest.raises(service.TaskForceError):
        service.stand_down(
            session=session, person=who(session, SG_CHAIR), task_force=body, closing_report=" ", now=NOW
        )
    service.stand_down(
        session=session,
        person=who(session, SG_CHAIR),
        task_force=body,
        closing_report="Elections held; handed over to the embassy.",
        now=NOW,
    )
    assert body.status == "stood_down"
    recipients = {
        r.body for r in route_report(ReportFacts(country="BDI"), organisation_graph(session=session))
    }
    assert body.slug not in recipients and "task-force-great-lakes" in recipients


def test_several_task_forces_can_be_active_at_once(session):
    first, _ = create(session, name="Task Force Lebanon", countries=["LBN"])
    second, _ = create(session, name="Task Force Mali", countries=["MLI"])
    for body in (first, second):
        service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=body, now=NOW)
    assert {
        b.slug for b in structure.list_bodies(session=session, kind="task_force") if b.status == "active"
    } >= {first.slug, second.slug, "task-force-great-lakes"}


# --- overriding the chairs keeps the record ---------------------------------------------------------


def test_an_override_needs_a_reason_and_the_record_keeps_proposed_and_confirmed_chairs(session):
    body, proposals = create(session)
    dgd = who(session, DGD_DIRECTOR)
    expert = who(session, "dries.schepens@diplobel.example")
    with pytest.raises(service.TaskForceError) as refused:
        service.confirm_chairs(
            session=session, person=who(session, SG_CHAIR), task_force=body, co_chair_ids=[expert.id], now=NOW
        )
    assert refused.value.field == "reason"
    session.rollback()
    service.confirm_chairs(
        session=session,
        person=who(session, SG_CHAIR),
        task_force=body,
        co_chair_ids=[expert.id],
        reason="Burundi needs a regional specialist",
        now=NOW,
    )
    history = structure.seat_history(session=session, body_id=body.id)
    ended = {(s.person_id, s.role): s for s in history if s.ended_at is not None}
    current = {(s.person_id, s.role): s for s in history if s.ended_at is None}
    assert ended[(dgd.id, "co_chair")].end_reason == (
        "proposal overridden by the steering group: Burundi needs a regional specialist"
    )
    assert "Burundi needs a regional specialist" in current[(expert.id, "co_chair")].reason
    assert (who(session, DGB_DIRECTOR).id, "chair") in current  # the chair was confirmed as proposed
    assert body.chairs_override_reason == "Burundi needs a regional specialist"


def test_an_unknown_or_deactivated_chair_is_refused_naming_the_field(session):
    body, _ = create(session)
    with pytest.raises(service.TaskForceError) as refused:
        service.confirm_chairs(
            session=session,
            person=who(session, SG_CHAIR),
            task_force=body,
            chair_id=99_999,
            reason="x",
            now=NOW,
        )
    assert refused.value.field == "chair_id" and body.status == "proposed"


# --- one task force per country ---------------------------------------------------------------------


def test_a_country_already_covered_is_refused_unless_the_steering_group_gives_a_reason(session):
    with pytest.raises(service.TaskForceError) as refused:
        create(session, name="Task Force Rwanda", countries=["RWA"], overlap_reason="")
    assert refused.value.field == "countries"
    assert "RWA by Task Force Great Lakes" in str(refused.value)
    session.rollback()
    body, _ = create(session, name="Task Force Rwanda", countries=["RWA"], overlap_reason="genocide archives")
    service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=body, now=NOW)
    recipients = {
        r.body: r.reason
        for r in route_report(ReportFacts(country="RWA"), organisation_graph(session=session))
    }
    assert recipients["task-force-great-lakes"] == "task force covers RWA"
    assert recipients[body.slug] == (
        "task force covers RWA (with another task force, by steering-group override: genocide archives)"
    )


def test_confirming_a_second_task_force_on_a_country_needs_the_override_recorded_at_set_up(session):
    first, _ = create(session, name="Task Force Niger", countries=["NER"])
    with pytest.raises(service.TaskForceError):
        create(session, name="Task Force Niger 2", countries=["NER"], overlap_reason="")
    session.rollback()
    second, _ = create(session, name="Task Force Niger 2", countries=["NER"], overlap_reason="a second front")
    service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=first, now=NOW)
    service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=second, now=NOW)
    recipients = {
        r.body for r in route_report(ReportFacts(country="NER"), organisation_graph(session=session))
    }
    assert {first.slug, second.slug} <= recipients


# --- set-up hands over ------------------------------------------------------------------------------


def test_set_up_hands_over_the_open_reports_of_the_last_90_days(session):
    ambassador = who(session, "elodie.leclercq@diplobel.example")
    warning = post(session, ambassador, title="Attack near Mopti", mission_code="BAMAKO", early_warning=True)
    routine = post(session, ambassador, title="Weekly Bamako update", mission_code="BAMAKO")
    old = post(session, ambassador, title="Old Bamako update", mission_code="BAMAKO")
    dismissed = post(session, ambassador, title="Rumour in Gao", mission_code="BAMAKO")
    niger = post(session, who(session, AMBASSADOR_NIAMEY), title="Niamey update", mission_code="NIAMEY")
    old.report.created_at = NOW - timedelta(days=120)
    session.add(old.report)
    session.exec(update(Delivery).where(Delivery.report_id == dismissed.report.id).values(status="dismissed"))
    session.commit()
    body, _ = create(session, name="Task Force Mali", countries=["MLI"])
    service.confirm_chairs(session=session, person=who(session, SG_CHAIR), task_force=body, now=NOW)
    deliveries = {d.report_id: d for d in session.exec(select(Delivery).where(Delivery.body_id == body.id))}
    assert set(deliveries) == {warning.report.id, routine.report.id}
    assert niger.report.id not in deliveries
    assert deliveries[warning.report.id].reason == "handed over at set-up: task force covers MLI"
    assert deliveries[warning.report.id].rule == "handed_over"
    # the early warning stays in the steering group's queue too
    assert warning.report.id in {
        d.report_id
        for d in session.exec(select(Delivery).where(Delivery.report_id == warning.report.id))
        if d.body_id == structure.steering_group_id(session=session)
    }
    inbox = report_queries.inbox(
        session=session, viewer=who(session, DGB_DIRECTOR), policy=POLICY, body_slug=body.slug
    )
    assert {item.report.id for item in inbox} == {warning.report.id, routine.report.id}
