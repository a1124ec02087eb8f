# ruff: noqa: E501
"""The plans-and-resources page of an effort, its CSV exports, and the press clearing queue."""

from datetime import UTC, datetime

from tests.demo import ADIV_ANALYST, DGB_DIRECTOR, JUSTICE_MEMBER

YEAR = datetime.now(UTC).year
URL = "/task-forces/task-force-great-lakes"


def test_plan_page_budget_roster_and_csv(client, auth):
    auth.login(DGB_DIRECTOR)
    client.post(
        f"{URL}/objectives",
        data={
            "year": YEAR,
            "statement": "Train police officers in human rights",
            "indicator": "Officers trained",
            "baseline": "0",
            "target": "600",
            "deadline": f"{YEAR}-12-31",
            "department": "FA",
        },
    )
    client.post(
        f"{URL}/budget",
        data={"department": "FA", "budget_year": YEAR, "pledged": "1200", "committed": "900", "spent": "450"},
    )
    client.post(
        f"{URL}/assignments", data={"email": ADIV_ANALYST, "share": "60", "start_on": f"{YEAR}-01-01"}
    )
    page = client.get(f"{URL}/plan").get_data(as_text=True)
    assert "Train police officers in human rights" in page and 'class="target"' in page
    assert '<tr data-department="FA">' in page and "1200.0 / 900.0 / 450.0" in page
    assert 'data-department="JUST"' in page and "no line" in page
    objective_id = page.split('data-objective="')[1].split('"')[0]
    client.post(
        f"/objectives/{objective_id}/measurements", data={"measured_on": f"{YEAR}-06-30", "value": "250"}
    )
    assert 'class="measurement"' in client.get(f"{URL}/plan").get_data(as_text=True)
    budget_csv = client.get(f"{URL}/budget.csv")
    assert (
        budget_csv.mimetype == "text/csv"
        and f"task-force-great-lakes,{YEAR},FA,1200.0,900.0,450.0" in budget_csv.get_data(as_text=True)
    )
    objectives_csv = client.get(f"{URL}/objectives.csv").get_data(as_text=True)
    assert "Officers trained" in objectives_csv and f"{YEAR}-06-30,250.0" in objectives_csv


def test_press_item_goes_through_the_queue(client, auth):
    auth.login(DGB_DIRECTOR)
    client.post(f"{URL}/press", data={"title": "Belgium and the EU in North Kivu", "body": "Statement."})
    page = client.get(f"{URL}/plan").get_data(as_text=True)
    item_id = page.split('data-press="')[1].split('"')[0]
    client.post(f"/press/{item_id}", data={"to": "released"})
    assert '<td class="press-status">draft</td>' in client.get(f"{URL}/plan").get_data(as_text=True)
    client.post(f"/press/{item_id}", data={"to": "submitted"})
    auth.logout()
    auth.login("camille.noel@diplobel.example")
    queue = client.get("/press").get_data(as_text=True)
    assert "Belgium and the EU in North Kivu" in queue and 'value="cleared"' in queue
    client.post(f"/press/{item_id}", data={"to": "cleared", "from_queue": "1"})
    auth.logout()
    auth.login(DGB_DIRECTOR)
    client.post(f"/press/{item_id}", data={"to": "released"})
    assert '<td class="press-status">released</td>' in client.get(f"{URL}/plan").get_data(as_text=True)


def test_only_a_departments_own_people_record_its_line(client, auth):
    auth.login(JUSTICE_MEMBER)
    response = client.post(f"{URL}/budget", data={"department": "FA", "budget_year": YEAR, "pledged": "1"})
    assert response.status_code == 403


def test_standby_roster_designation_and_needs(client, auth):
    auth.login(ADIV_ANALYST)
    client.post(
        "/roster",
        data={
            "email": ADIV_ANALYST,
            "skills": "Intelligence analysis, Swahili briefing",
            "available_from": f"{YEAR}-01-01",
        },
    )
    page = client.get("/roster").get_data(as_text=True)
    assert f'data-person="{ADIV_ANALYST}"' in page and "intelligence analysis" in page
    assert "JUST" in page  # Justice has designated nobody
    auth.logout()
    auth.login(DGB_DIRECTOR)
    client.post(f"{URL}/needs", data={"skills": "mediation", "languages": "sw"})
    page = client.get(f"{URL}/plan").get_data(as_text=True)
    assert "Needed skills nobody assigned has: mediation" in page
    assert client.post("/roster", data={"email": ADIV_ANALYST, "skills": "x"}).status_code == 403


def test_risk_owner_outside_the_task_force_is_named(client, auth, session):
    from datetime import date

    from coordination.planning import registers
    from coordination.structure import queries as structure

    effort = structure.get_body(session=session, slug="task-force-great-lakes")
    chair = structure.get_person_by_email(session=session, email=DGB_DIRECTOR)
    owner = structure.get_person_by_email(session=session, email="olivier.brasseur@diplobel.example")
    registers.add_risk(
        session=session,
        person=chair,
        effort=effort,
        risk="Regional spill-over into Niger",
        likelihood=2,
        impact=3,
        owner=owner,
        mitigation="Watch",
        review_on=date(YEAR, 12, 1),
    )
    auth.login(DGB_DIRECTOR)
    page = client.get(f"{URL}/plan").get_data(as_text=True)
    assert "Regional spill-over into Niger" in page and "Olivier Brasseur" in page
