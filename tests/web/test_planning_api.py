"""The planning API: joint budget with missing departments, over-commitment, press clearing, objectives."""

from datetime import UTC, datetime

from tests.demo import ADIV_ANALYST, DGB_DIRECTOR

YEAR = datetime.now(UTC).year
URL = "/api/v1/task-forces/task-force-great-lakes"


def test_budget_objectives_roster_press_and_registers_over_the_api(client, api_token):
    chair = api_token(DGB_DIRECTOR)
    line = {"department_code": "FA", "year": YEAR, "pledged": 1200, "committed": 900, "spent": 450}
    joint = client.post(f"{URL}/budget", headers=chair, json=line)
    assert joint.status_code == 200, joint.json
    year = joint.json["years"][0]
    assert float(year["pledged"]) == 1200 and "JUST" in year["departments_without_a_line"]
    negative = client.post(f"{URL}/budget", headers=chair, json={**line, "spent": -1})
    assert negative.status_code == 422 and negative.json["errors"][0]["field"] == "spent"
    assert client.post(f"{URL}/budget", headers=api_token(ADIV_ANALYST), json=line).status_code == 403

    objective = client.post(
        f"{URL}/objectives",
        headers=chair,
        json={
            "year": YEAR,
            "statement": "Train police officers in human rights",
            "indicator": "Officers trained",
            "baseline": 0,
            "target": 600,
            "deadline": f"{YEAR}-12-31",
            "department_code": "FA",
        },
    )
    assert objective.status_code == 201, objective.json
    measured = client.post(
        f"/api/v1/objectives/{objective.json['id']}/measurements",
        headers=chair,
        json={"measured_on": f"{YEAR}-06-30", "value": 300},
    )
    assert measured.json["achievement"] == 0.5
    assert "Officers trained" in client.get(f"{URL}/objectives.csv", headers=chair).get_data(as_text=True)

    people = client.get("/api/v1/people", headers=chair).json["items"]
    analyst = next(p["id"] for p in people if p["email"] == ADIV_ANALYST)
    client.post(
        f"{URL}/assignments",
        headers=chair,
        json={"person_id": analyst, "share": 60, "start_on": f"{YEAR}-01-01"},
    )
    warnings = client.post(
        f"{URL}/assignments",
        headers=chair,
        json={"person_id": analyst, "share": 60, "start_on": f"{YEAR}-01-01"},
    ).json
    assert warnings["overcommitted"] == {ADIV_ANALYST: 120}

    item = client.post(f"{URL}/press", headers=chair, json={"title": "Joint statement"}).json
    early = client.post(f"/api/v1/press/{item['id']}", headers=chair, json={"to": "released"})
    assert early.status_code == 422 and "clears it before release" in early.json["detail"]

    risk = client.post(
        f"{URL}/risks",
        headers=chair,
        json={"risk": "Late political decisions", "likelihood": 4, "impact": 5, "review_on": f"{YEAR}-12-01"},
    )
    assert risk.status_code == 201 and risk.json["risks"][0]["likelihood"] == 4
