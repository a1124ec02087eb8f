"""Budget lines and the virtual joint budget; the standby roster and its warnings."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from coordination.planning import budget, roster
from coordination.rules import Forbidden
from coordination.structure import service as structure
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
    body, _ = structure.upsert_body(
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
