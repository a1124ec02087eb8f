"""Decisions over HTTP: the API's acknowledgement table, pages, feeds behind a token, the scheduler CLI."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from coordination.cli import main
from tests.demo import (
    AMBASSADOR_KINSHASA,
    AMBASSADOR_NIAMEY,
    DGB_DIRECTOR,
    JUSTICE_MEMBER,
    SG_CHAIR,
    SG_SECRETARY,
)

DECISION = {
    "issuing_body": "steering-group",
    "title": "Reinforce humanitarian access in North Kivu",
    "text": "Coordinate an **EU démarche**.",
    "addressees": [{"kind": "body", "key": "task-force-great-lakes"}, {"kind": "mission", "key": "KINSHASA"}],
}


@pytest.fixture
def adopted(client, api_token):
    created = client.post("/api/v1/decisions", json=DECISION, headers=api_token(SG_SECRETARY))
    assert created.status_code == 201, created.json
    decision_id = created.json["id"]
    assert (
        client.post(f"/api/v1/decisions/{decision_id}/adopt", headers=api_token(SG_SECRETARY)).status_code
        == 403
    )
    adopted = client.post(f"/api/v1/decisions/{decision_id}/adopt", headers=api_token(SG_CHAIR))
    assert adopted.status_code == 200 and adopted.json["status"] == "adopted"
    return adopted.json


def test_api_acknowledgement_table_counts_per_unit(client, api_token, adopted):
    url = f"/api/v1/decisions/{adopted['id']}/acknowledgements"
    tf = {"unit": {"kind": "body", "key": "task-force-great-lakes"}}
    assert client.post(url, json=tf, headers=api_token(DGB_DIRECTOR)).status_code == 201
    again = client.post(url, json=tf, headers=api_token(DGB_DIRECTOR))
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    no_reason = client.post(
        url,
        json={"unit": {"kind": "mission", "key": "KINSHASA"}, "comply": False},
        headers=api_token(AMBASSADOR_KINSHASA),
    )
    assert no_reason.status_code == 422 and no_reason.json["errors"][0]["field"] == "comment"
    cannot = client.post(
        url,
        json={"unit": {"kind": "mission", "key": "KINSHASA"}, "comply": False, "comment": "Airport closed"},
        headers=api_token(AMBASSADOR_KINSHASA),
    )
    assert cannot.status_code == 201
    table = client.get(f"/api/v1/decisions/{adopted['id']}", headers=api_token(SG_CHAIR)).json
    assert table["counts"] == {"pending": 0, "acknowledged": 1, "cannot_comply": 1}
    assert {a["unit"]["key"]: a["status"] for a in table["acknowledgements"]} == {
        "task-force-great-lakes": "acknowledged",
        "KINSHASA": "cannot_comply",
    }


def test_decision_is_404_for_someone_it_does_not_reach(client, api_token, adopted):
    response = client.get(f"/api/v1/decisions/{adopted['id']}", headers=api_token(AMBASSADOR_NIAMEY))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"addressees": []}, "addressees"),
        ({"issuing_body": "platform-kinshasa"}, "issuing_body"),
        ({"addressees": [{"kind": "mission", "key": "ATLANTIS"}]}, "addressees"),
        ({"title": "x"}, "title"),
        ({"acknowledgement_hours": 0}, "acknowledgement_hours"),
        ({"classification": "top_secret"}, "classification"),
    ],
)
def test_bad_decisions_are_422_naming_the_field(client, api_token, change, field):
    response = client.post("/api/v1/decisions", json={**DECISION, **change}, headers=api_token(SG_SECRETARY))
    assert response.status_code == 422, response.json
    assert field in {e["field"] for e in response.json["errors"]}


def test_actions_over_the_api(client, api_token, adopted):
    created = client.post(
        f"/api/v1/decisions/{adopted['id']}/actions",
        json={
            "title": "Démarche with the EU delegation",
            "owner": {"kind": "mission", "key": "KINSHASA"},
            "due_on": "2020-01-10",
        },
        headers=api_token(SG_SECRETARY),
    )
    assert created.status_code == 201 and created.json["late"] is True
    update = client.post(
        f"/api/v1/actions/{created.json['id']}/updates",
        json={"status": "done", "body": "Done."},
        headers=api_token(AMBASSADOR_KINSHASA),
    )
    assert update.status_code == 201 and update.json["status"] == "done" and update.json["late"] is False
    assert client.get("/api/v1/actions", headers=api_token(SG_CHAIR)).json["items"] == []
    done = client.get("/api/v1/actions?include_done=true", headers=api_token(SG_CHAIR)).json["items"]
    assert [a["latest_update"] for a in done] == ["Done."]


def test_decision_appears_in_the_members_inbox_page_and_the_chair_sees_the_table(client, auth, adopted):
    login = auth.login(JUSTICE_MEMBER)
    assert login.status_code == 302, login.get_data(as_text=True)[-1500:]
    assert DECISION["title"] in client.get("/inbox").get_data(as_text=True)
    auth.logout()
    auth.login(AMBASSADOR_KINSHASA)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Awaiting your acknowledgement" in inbox and DECISION["title"] in inbox
    client.post(
        f"/decisions/{adopted['id']}/acknowledge", data={"unit": "mission:KINSHASA", "answer": "acknowledged"}
    )
    auth.logout()
    auth.login(SG_CHAIR)
    page = client.get(f"/decisions/{adopted['id']}").get_data(as_text=True)
    assert (
        'data-unit="mission:KINSHASA"' in page and "ack-acknowledged" in page and "Catherine Lemmens" in page
    )
    due = datetime.fromisoformat(adopted["acknowledgement_due_at"]).astimezone(UTC)
    assert f'<time datetime="{due.isoformat(timespec="seconds")}" title="Brussels time">' in page
    assert "Times are Brussels time (CET/CEST)." in page


def test_drafting_adopting_and_creating_actions_through_the_pages(client, auth):
    auth.login(SG_SECRETARY)
    response = client.post(
        "/decisions/new",
        data={
            "issuing_body": "steering-group",
            "title": "Evacuation planning for Bamako",
            "text": "Plan.",
            "rationale": "",
            "procedure": "written",
            "classification": "confidential",
            "acknowledgement_hours": "24",
            "missions": ["mission:BAMAKO"],
            "departments": ["department:DEF"],
            "report_ids": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.location
    assert "Adopt decision" not in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(SG_CHAIR)
    assert "Adopt decision" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/adopt")
    client.post(
        f"{url}/actions",
        data={"title": "Update the consular crisis plan", "owner": "mission:BAMAKO", "due_on": "2030-01-31"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "Adopted" in page and "Update the consular crisis plan" in page
    assert "Update the consular crisis plan" in client.get("/actions").get_data(as_text=True)


def test_new_decision_form_refuses_without_addressees(client, auth):
    auth.login(SG_SECRETARY)
    response = client.post(
        "/decisions/new",
        data={
            "issuing_body": "steering-group",
            "title": "Something",
            "procedure": "meeting",
            "classification": "unclassified",
            "acknowledgement_hours": "48",
        },
    )
    assert response.status_code == 400 and "at least one" in response.get_data(as_text=True)


def test_people_outside_issuing_bodies_cannot_draft(client, auth):
    auth.login(AMBASSADOR_NIAMEY)
    assert client.get("/decisions/new").status_code == 403


def test_feeds_behind_a_personal_token(client, auth, adopted):
    assert client.get("/feeds/not-a-token/decisions.atom").status_code == 404
    auth.login(AMBASSADOR_KINSHASA)
    page = client.post("/settings", data={"email": "immediately", "new_feed_token": "1"}).get_data(
        as_text=True
    )
    token = page.split("/feeds/")[1].split("/")[0]
    auth.logout()
    atom = client.get(f"/feeds/{token}/decisions.atom")
    assert atom.mimetype == "application/atom+xml"
    titles = [e.text for e in ET.fromstring(atom.data).iter("{http://www.w3.org/2005/Atom}title")]
    assert DECISION["title"] in titles
    ics = client.get(f"/feeds/{token}/deadlines.ics")
    assert ics.mimetype == "text/calendar"
    events = [str(e["summary"]) for e in Calendar.from_ical(ics.data).walk("VEVENT")]
    assert events == [f"Acknowledge: {DECISION['title']}"]


def test_email_preference_is_saved(client, auth):
    auth.login(DGB_DIRECTOR)
    client.post("/settings", data={"email": "daily_digest"})
    assert '<option selected value="daily_digest">' in client.get("/settings").get_data(as_text=True)


def test_jobs_run_command_and_scheduler_leases(app, adopted, smtp_server):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    runner = app.test_cli_runner()
    later = date.today().replace(year=date.today().year + 1).isoformat() + "T09:00+00:00"
    result = runner.invoke(main, ["jobs", "run", "--now", later])
    assert result.exit_code == 0, result.output
    assert "escalate_overdue_acknowledgements: 1" in result.output
    again = runner.invoke(main, ["jobs", "run", "--now", later])
    assert "escalate_overdue_acknowledgements: 0" in again.output
    assert runner.invoke(main, ["jobs", "run", "--now", "2026-01-01T09:00"]).exit_code != 0
