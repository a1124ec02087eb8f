"""Budget lines and the virtual joint budget; the standby roster and its warnings."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coordination.planning import budget, roster
from coordination.rules import Forbidden
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from tests.demo import ADIV_ANALYST, DGB_DIRECTOR, JUSTICE_MEMBER, SG_SECRETARY
from tests.factories import make_person

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def great_lakes(session):
    return structure.get_body(session=session, slug="task-force-great-lakes")


def test_joint_budget_sums_departmental_lines_per_year_and_flags_missing_departments(session):
    effort = great_lakes(session)
    fa, defence = who(session, DGB_DIRECTOR), who(session, ADIV_ANALYST)
    budget.set_line(
        session=session,
        person=fa,
        effort=effort,
        department_code="FA",
        year=2026,
        pledged=1200,
        committed=900,
        spent=450.5,
        now=NOW,
    )
    budget.set_line(
        session=session,
        person=defence,
        effort=effort,
        department_code="DEF",
        year=2026,
        pledged=800,
        committed=800,
        spent=300,
        now=NOW,
    )
    budget.set_line(
        session=session,
        person=fa,
        effort=effort,
        department_code="FA",
        year=2027,
        pledged=1500,
        committed=0,
        spent=0,
        now=NOW,
    )
    joint = budget.joint_budget(session=session, effort=effort)
    assert joint.years == [2026, 2027]
    assert joint.totals[2026] == {
        "pledged": Decimal("2000.0"),
        "committed": Decimal("1700.0"),
        "spent": Decimal("750.5"),
    }
    assert joint.totals[2027]["pledged"] == Decimal("1500.0")
    assert joint.grand_total["pledged"] == Decimal("3500.0")
    missing_2026 = {d.code for d in joint.missing[2026]}
    assert "JUST" in missing_2026 and "FA" not in missing_2026 and "DEF" not in missing_2026
    assert "DEF" in {d.code for d in joint.missing[2027]}
    csv_text = budget.lines_csv(session=session, effort=effort)
    assert "task-force-great-lakes,2026,DEF,800.0,800.0,300.0," in csv_text


def test_each_department_records_only_its_own_line_and_amounts_are_checked(session):
    effort = great_lakes(session)
    with pytest.raises(Forbidden):
        budget.set_line(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            effort=effort,
            department_code="FA",
            year=2026,
            pledged=1,
            committed=0,
            spent=0,
            now=NOW,
        )
    with pytest.raises(budget.BudgetError) as refused:
        budget.set_line(
            session=session,
            person=who(session, DGB_DIRECTOR),
            effort=effort,
            department_code="FA",
            year=2026,
            pledged=-5,
            committed=0,
            spent=0,
            now=NOW,
        )
    assert refused.value.field == "pledged"
    line = budget.set_line(
        session=session,
        person=who(session, SG_SECRETARY),
        effort=effort,
        department_code="FA",
        year=2026,
        pledged=10,
        committed=5,
        spent=1,
        now=NOW,
    )
    again = budget.set_line(
        session=session,
        person=who(session, SG_SECRETARY),
        effort=effort,
        department_code="FA",
        year=2026,
        pledged=12,
        committed=5,
        spent=1,
        now=NOW,
    )
    assert again.id == line.id and again.pledged == Decimal("12.0")


def second_task_force(session):
    body, _ = structure_service.upsert_body(
        session=session,
        slug="task-force-sahel-test",
        kind="task_force",
        name="Task Force Sahel (test)",
        countries=["MLI"],
    )
    session.commit()
    return body


def test_sixty_percent_to_two_concurrent_task_forces_is_over_commitment(session):
    analyst = who(session, ADIV_ANALYST)
    secretary = who(session, SG_SECRETARY)
    roster.assign(
        session=session,
        person=secretary,
        assignee=analyst,
        task_force=great_lakes(session),
        share=60,
        start_on=date(2026, 11, 1),
        now=NOW,
    )
    assert roster.overcommitted(session=session, on=date(2026, 11, 23)) == []
    roster.assign(
        session=session,
        person=secretary,
        assignee=analyst,
        task_force=second_task_force(session),
        share=60,
        start_on=date(2026, 11, 15),
        end_on=date(2026, 12, 31),
        now=NOW,
    )
    warnings = roster.overcommitted(session=session, on=date(2026, 11, 23))
    assert [(w.person.email, w.total) for w in warnings] == [(ADIV_ANALYST, 120)]
    assert roster.overcommitted(session=session, on=date(2027, 1, 5)) == []  # the second one has ended
    assert roster.overcommitted(session=session, on=date(2026, 11, 10)) == []  # the second one had not begun
    with pytest.raises(roster.RosterError):
        roster.assign(
            session=session,
            person=secretary,
            assignee=analyst,
            task_force=great_lakes(session),
            share=120,
            start_on=date(2026, 11, 1),
            now=NOW,
        )
    with pytest.raises(Forbidden):
        roster.assign(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            assignee=analyst,
            task_force=second_task_force(session),
            share=10,
            start_on=date(2026, 11, 1),
            now=NOW,
        )


def test_missing_skills_languages_and_departments_without_designations(session):
    chair, effort = who(session, DGB_DIRECTOR), great_lakes(session)
    roster.set_needs(
        session=session,
        person=chair,
        task_force=effort,
        skills=["Security sector reform", "mediation"],
        languages=["fr", "sw"],
    )
    assert roster.missing_needs(session=session, task_force=effort, on=date(2026, 11, 23)) == {
        "skill": ["mediation", "security sector reform"],
        "language": ["fr", "sw"],
    }
    expert = make_person(session, department="DEF", clearance="secret")
    expert.languages = ["fr", "nl"]
    session.add(expert)
    session.commit()
    roster.designate(
        session=session,
        person=expert,
        designee=expert,
        skills=["Security sector reform"],
        available_from=date(2026, 1, 1),
        now=NOW,
    )
    roster.assign(
        session=session,
        person=chair,
        assignee=expert,
        task_force=effort,
        share=50,
        start_on=date(2026, 11, 1),
        now=NOW,
    )
    assert roster.missing_needs(session=session, task_force=effort, on=date(2026, 11, 23)) == {
        "skill": ["mediation"],
        "language": ["sw"],
    }
    without = {d.code for d in roster.departments_without_designations(session=session)}
    assert (
        "DEF" not in without and "JUST" in without and "FLA" not in without
    )  # opt-in governments are not asked
    with pytest.raises(Forbidden):
        roster.designate(
            session=session,
            person=who(session, JUSTICE_MEMBER),
            designee=expert,
            skills=[],
            available_from=date(2026, 1, 1),
            now=NOW,
        )


# --- operational plans, annual review, press clearing, registers -------------------------------------

from coordination.planning import plans, press, registers  # noqa: E402


def test_indicator_chart_has_target_line_measurements_and_trend(session):
    chair, effort = who(session, DGB_DIRECTOR), great_lakes(session)
    objective = plans.add_objective(
        session=session,
        person=chair,
        effort=effort,
        year=2026,
        statement="Train police officers in eastern DR Congo in human rights",
        indicator="Officers trained",
        baseline=0,
        target=600,
        deadline=date(2026, 12, 31),
        department_code="POL",
        unit="officers",
    )
    with pytest.raises(Forbidden):  # measurements come from the responsible service (Federal Police)
        plans.record_measurement(
            session=session, person=chair, objective=objective, measured_on=date(2026, 3, 31), value=100
        )
    police = make_person(session, department="POL", clearance="confidential")
    for day, value in ((date(2026, 3, 31), 120), (date(2026, 6, 30), 260), (date(2026, 9, 30), 410)):
        plans.record_measurement(
            session=session, person=police, objective=objective, measured_on=day, value=value
        )
    series = plans.measurements(session=session, objective_ids=[objective.id])[objective.id]
    chart = plans.indicator_chart(objective, series)
    assert [m.value for _x, _y, m in chart.points] == [120, 260, 410]
    assert (
        chart.target_y < chart.points[-1][1] < chart.baseline_y
    )  # target above the last point, baseline below
    assert chart.trend is not None and chart.trend[3] < chart.trend[1]  # rising
    assert plans.achievement(objective, series) == pytest.approx(410 / 600)
    with pytest.raises(plans.PlanError):
        plans.add_objective(
            session=session,
            person=chair,
            effort=effort,
            year=2026,
            statement="A vague objective here",
            indicator="x y",
            baseline=0,
            target=1,
            deadline=date(2027, 3, 1),
            department_code="FA",
        )


def test_annual_review_keeps_each_partys_position(session):
    chair, effort = who(session, DGB_DIRECTOR), great_lakes(session)
    plans.add_objective(
        session=session,
        person=chair,
        effort=effort,
        year=2026,
        statement="Support the electoral commission in Burundi",
        indicator="Polling stations equipped",
        baseline=0,
        target=100,
        deadline=date(2026, 10, 31),
        department_code="FA",
        directorate_code="DGD",
    )
    budget.set_line(
        session=session,
        person=chair,
        effort=effort,
        department_code="FA",
        year=2026,
        pledged=1000,
        committed=800,
        spent=400,
        now=NOW,
    )
    plans.add_position(
        session=session,
        person=chair,
        effort=effort,
        year=2026,
        point="Pace of security sector reform",
        position="Diplomatic conditions were not met; slow down.",
        now=NOW,
    )
    plans.add_position(
        session=session,
        person=who(session, ADIV_ANALYST),
        effort=effort,
        year=2026,
        point="Pace of security sector reform",
        position="Operational need is urgent; keep the pace.",
        now=NOW,
    )
    text = plans.annual_review(
        session=session, viewer=chair, effort=effort, year=2026, today=date(2026, 12, 31)
    )
    assert "Support the electoral commission in Burundi" in text and "not measured" in text
    assert (
        "Pledged 1000.0, committed 800.0, spent 400.0" in text and "Spent 50% of what was committed" in text
    )
    assert "  - FA: Diplomatic conditions were not met; slow down." in text
    assert "  - DEF: Operational need is urgent; keep the pace." in text
    with pytest.raises(Forbidden):
        plans.add_position(
            session=session,
            person=who(session, "olivier.brasseur@diplobel.example"),
            effort=effort,
            year=2026,
            point="x y z",
            position="a b c",
            now=NOW,
        )


def test_press_item_cannot_be_released_before_clearance(session):
    chair, effort = who(session, DGB_DIRECTOR), great_lakes(session)
    assert press.needs_clearance(session, effort)
    item = press.draft(
        session=session,
        person=chair,
        effort=effort,
        title="Belgium supports MONUSCO's mandate",
        body="Joint statement of FA and Defence.",
        now=NOW,
    )
    with pytest.raises(press.PressError, match="clears it before release"):
        press.move(session=session, person=chair, item=item, to_status="released", now=NOW)
    press.move(session=session, person=chair, item=item, to_status="submitted", now=NOW)
    with pytest.raises(press.PressError):
        press.move(session=session, person=chair, item=item, to_status="released", now=NOW)
    with pytest.raises(Forbidden):
        press.move(session=session, person=chair, item=item, to_status="cleared", now=NOW)
    reviewer = who(session, "camille.noel@diplobel.example")
    assert press.is_press_reviewer(structure.get_person(session=session, person_id=reviewer.id))
    reviewer = structure.get_person(session=session, person_id=reviewer.id)
    with pytest.raises(press.PressError, match="why"):
        press.move(session=session, person=reviewer, item=item, to_status="returned", now=NOW)
    press.move(
        session=session,
        person=reviewer,
        item=item,
        to_status="returned",
        comment="Align with NATO line",
        now=NOW,
    )
    press.move(session=session, person=chair, item=item, to_status="submitted", now=NOW)
    press.move(session=session, person=reviewer, item=item, to_status="cleared", now=NOW)
    press.move(session=session, person=chair, item=item, to_status="released", now=NOW)
    assert [s.to_status for s, _who in press.steps(session=session, item=item)] == [
        "submitted",
        "returned",
        "submitted",
        "cleared",
        "released",
    ]


def test_partners_and_risks(session):
    chair, effort = who(session, DGB_DIRECTOR), great_lakes(session)
    registers.add_partner(
        session=session,
        person=chair,
        effort=effort,
        actor="MONUSCO",
        actor_kind="UN",
        what="Protection of civilians; shared situational awareness",
        contact="Civil affairs",
        status="active",
    )
    with pytest.raises(registers.RegisterError):
        registers.add_partner(
            session=session, person=chair, effort=effort, actor="X", actor_kind="club", what="xyz"
        )
    registers.add_risk(
        session=session,
        person=chair,
        effort=effort,
        risk="Lack of budget for the second year",
        likelihood=3,
        impact=4,
        owner=chair,
        mitigation="Ask each department early",
        review_on=date(2027, 3, 1),
    )
    registers.add_risk(
        session=session,
        person=chair,
        effort=effort,
        risk="Late political decisions",
        likelihood=4,
        impact=5,
        owner=chair,
        mitigation="Written procedure",
        review_on=date(2027, 1, 1),
    )
    assert [r.risk for r in registers.risks(session=session, effort=effort)][0] == "Late political decisions"
    assert [p.actor for p in registers.partners(session=session, effort=effort)] == ["MONUSCO"]
    with pytest.raises(registers.RegisterError):
        registers.add_risk(
            session=session,
            person=chair,
            effort=effort,
            risk="Something bad",
            likelihood=6,
            impact=1,
            owner=chair,
            mitigation="",
            review_on=date(2027, 1, 1),
        )
