"""Lessons and search through the pages and the API."""

import csv
import io
import re

from tests.demo import ADIV_ANALYST, AMBASSADOR_NIAMEY, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY

OBSERVATION = {
    "title": "Liaison officers arrived late",
    "observation": "Three departments designated liaison officers only after the first meeting.",
    "discussion": "",
    "conclusion": "",
    "recommendation": "",
    "classification": "unclassified",
    "effort": "Great Lakes 2026",
    "task_force": "task-force-great-lakes",
    "countries": "",
    "tags": "staffing, liaison",
    "report_ids": "",
    "decision_ids": "",
}


def submit(client, **fields):
    response = client.post("/lessons/new", data={**OBSERVATION, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/lessons/(\d+)", response.headers["Location"]).group(1))


def test_the_lesson_pages_walk_an_observation_to_endorsement(client, auth):
    auth.login(JUSTICE_MEMBER)
    form = client.get("/lessons/new?task_force=task-force-great-lakes").get_data(as_text=True)
    assert re.search(r'<option selected value="task-force-great-lakes">', form)
    lesson_id = submit(client)
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "Liaison officers arrived late" in page and 'aria-current="step"' in page
    assert "Accept as observation" not in page  # a plain member cannot accept
    auth.logout()

    auth.login(DGB_DIRECTOR)  # chair of the task force concerned
    client.post(f"/lessons/{lesson_id}/steps/accept", data={"note": ""})
    client.post(
        f"/lessons/{lesson_id}/edit",
        data={
            "title": OBSERVATION["title"],
            "observation": OBSERVATION["observation"],
            "discussion": "Designations are made when the task force exists.",
            "conclusion": "Designate in advance.",
            "recommendation": "Keep a standby roster per crisis country.",
        },
    )
    client.post(f"/lessons/{lesson_id}/steps/analyse", data={"note": ""})
    client.post(f"/lessons/{lesson_id}/steps/identify", data={"note": ""})
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert 'id="endorse"' not in page  # only the steering group endorses
    response = client.post(f"/lessons/{lesson_id}/endorse", data={"action_body": "task-force-great-lakes"})
    assert "only the steering group" in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.logout()

    auth.login(SG_CHAIR)
    assert 'id="endorse"' in client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    client.post(
        f"/lessons/{lesson_id}/endorse", data={"action_body": "task-force-great-lakes", "note": "Agreed."}
    )
    client.post(
        f"/lessons/{lesson_id}/actions",
        data={"title": "Set up the standby roster", "owner": "", "due_on": "2027-03-01"},
    )
    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "Set up the standby roster" in page and "Action body tasked" in page
    history = page[page.index('id="history"') :]
    assert history.count("<tr>") == 7  # header + submitted, accepted, analysed, identified, endorsed, tasked


def test_the_log_filters_charts_and_exports(client, auth):
    auth.login(JUSTICE_MEMBER)
    first = submit(client)
    submit(client, title="Sahel evacuation lessons", effort="Sahel 2025", task_force="", countries="MLI, NER")
    auth.logout()
    auth.login(SG_SECRETARY)
    client.post(f"/lessons/{first}/steps/accept", data={"note": ""})
    page = client.get("/lessons").get_data(as_text=True)
    assert 'class="lesson-chart"' in page and "Sahel evacuation lessons" in page
    assert "Sahel evacuation lessons" not in client.get("/lessons?stage=accepted").get_data(as_text=True)
    assert "Liaison officers" not in client.get("/lessons?country=MLI").get_data(as_text=True)
    exported = client.get("/lessons.csv?effort=Sahel+2025")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["title"] for r in rows] == ["Sahel evacuation lessons"] and rows[0]["countries"] == "MLI;NER"
    markdown = client.get("/lessons.md").get_data(as_text=True)
    assert "## " in markdown and "Liaison officers arrived late" in markdown


def test_bad_observations_get_form_errors(client, auth):
    auth.login(JUSTICE_MEMBER)
    response = client.post("/lessons/new", data={**OBSERVATION, "classification": "secret"})
    assert response.status_code == 400
    assert "above your own clearance" in response.get_data(as_text=True)
    response = client.post("/lessons/new", data={**OBSERVATION, "countries": "ZZZ"})
    assert response.status_code == 400 and "country name we know: ZZZ" in response.get_data(as_text=True)


def test_an_unaccepted_observation_is_hidden_from_outsiders(client, auth):
    auth.login(JUSTICE_MEMBER)
    lesson_id = submit(client)
    auth.logout()
    auth.login(AMBASSADOR_NIAMEY)
    assert client.get(f"/lessons/{lesson_id}").status_code == 404
    assert "Liaison officers" not in client.get("/lessons").get_data(as_text=True)
    assert "Liaison officers" not in client.get("/search?q=liaison").get_data(as_text=True)


def test_the_task_force_page_shows_earlier_lessons(client, auth, api_token):
    headers = api_token(SG_SECRETARY)
    lesson = client.post(
        "/api/v1/lessons",
        json={
            "title": "Border closures need consular planning",
            "observation": "Nationals were stuck at the Gisenyi crossing.",
            "discussion": "No consular plan.",
            "conclusion": "Plan.",
            "recommendation": "Consular contingency plan per border.",
            "effort": "Kivu 2024",
            "countries": ["RWA"],
        },
        headers=headers,
    ).json
    for step in ("accept", "analyse", "identify"):
        assert (
            client.post(
                f"/api/v1/lessons/{lesson['id']}/steps", json={"step": step}, headers=headers
            ).status_code
            == 200
        )
    auth.login(DGB_DIRECTOR)
    page = client.get("/task-forces/task-force-great-lakes").get_data(as_text=True)
    section = page[page.index('id="earlier-lessons"') :]
    assert "Border closures need consular planning" in section


def test_search_page_and_api(client, auth, api_token):
    analyst = api_token(ADIV_ANALYST)
    posted = client.post(
        "/api/v1/field-reports",
        json={
            "title": "Nightjar corridor resupply",
            "body": "Secret detail on the Nightjar corridor.",
            "country_code": "COD",
            "kind": "intelligence_brief",
            "intelligence_level": "tactical",
            "classification": "secret",
        },
        headers=analyst,
    )
    assert posted.status_code == 201, posted.json
    auth.login(ADIV_ANALYST)
    found = client.get("/api/v1/search?q=nightjar", headers=analyst).json
    assert [i["title"] for i in found["items"]] == ["Nightjar corridor resupply"]
    assert found["items"][0]["kind"] == "report" and "<mark>" not in found["items"][0]["snippet"]
    member = api_token(JUSTICE_MEMBER)  # in the task force, but cleared to confidential only
    assert client.get("/api/v1/search?q=Nightjar corridor resupply", headers=member).json["items"] == []
    assert client.get("/api/v1/search?q=", headers=member).status_code == 422
    assert client.get("/api/v1/search?q=x&kind=nothing", headers=member).status_code == 422
    assert client.get("/api/v1/search?q=nightjar").status_code == 401
    page = client.get("/search?q=nightjar").get_data(as_text=True)
    assert "Nightjar corridor resupply" in page and "<mark>" in page
    auth.logout()
    auth.login(JUSTICE_MEMBER)
    page = client.get("/search?q=nightjar").get_data(as_text=True)
    assert "Nightjar" not in page.replace('value="nightjar"', "") or 'id="no-results"' in page
    assert 'id="no-results"' in page


def test_lessons_api_refuses_unauthorised_and_skipped_steps(client, api_token):
    member = api_token(JUSTICE_MEMBER)
    lesson = client.post(
        "/api/v1/lessons", json={"title": "A late report", "observation": "It came late."}, headers=member
    )
    assert lesson.status_code == 201 and lesson.json["stage"] == "submitted"
    lesson_id = lesson.json["id"]
    refused = client.post(f"/api/v1/lessons/{lesson_id}/steps", json={"step": "accept"}, headers=member)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    secretary = api_token(SG_SECRETARY)
    skipped = client.post(f"/api/v1/lessons/{lesson_id}/steps", json={"step": "identify"}, headers=secretary)
    assert skipped.status_code == 422 and skipped.json["errors"][0]["field"] == "stage"
    not_endorsable = client.post(
        f"/api/v1/lessons/{lesson_id}/endorsement",
        json={"action_body": "task-force-great-lakes"},
        headers=secretary,
    )
    assert not_endorsable.status_code in (403, 422)
    assert client.get(f"/api/v1/lessons/{lesson_id}", headers=api_token(AMBASSADOR_NIAMEY)).status_code == 404
    assert (
        client.get("/api/v1/lessons?stage=submitted", headers=secretary).json["items"][0]["id"] == lesson_id
    )
