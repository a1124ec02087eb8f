"""No lost updates: an edit made on a version someone else has since replaced is refused and writes nothing.
The services refuse a stale `expected_version`; the API answers 412 to a stale If-Match and sends ETags; a
form shows the stored version beside the reader's own text, which it keeps."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from coordination.meetings import queries as meetings_queries
from coordination.meetings import service as meetings
from coordination.planning import budget, plans
from coordination.rules import StaleVersion
from coordination.sitreps import queries as sitreps_queries
from coordination.sitreps import service as sitreps
from coordination.structure import queries as structure
from tests.demo import DGB_DIRECTOR, SG_SECRETARY
from tests.factories import POLICY

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
GREAT_LAKES = "task-force-great-lakes"


def who(session, email):
    return structure.get_person_by_email(session=session, email=email)


def reread(session, row):
    """The row as stored now (a new transaction: the session's snapshot may be older)."""
    session.rollback()
    session.refresh(row)
    return row


def hidden_version(page: str) -> str:
    return re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)


def form_version(page: str, action: str) -> str:
    """The version carried by the form that posts to `action`."""
    form = page[page.index(f'action="{action}"') :]
    return re.search(r'name="version" value="([0-9a-f]+)"', form).group(1)


def etag(response) -> str:
    assert re.fullmatch(r'"[0-9a-f]{16}"', response.headers["ETag"]), response.headers.get("ETag")
    return response.headers["ETag"]


def assert_precondition_failed(response, current: str) -> None:
    assert response.status_code == 412 and response.mimetype == "application/problem+json"
    assert "changed since it was read" in response.json["detail"] and current in response.json["detail"]
    assert response.headers["ETag"] == current


def new_meeting(session, email=SG_SECRETARY, slug="steering-group"):
    body = structure.get_body(session=session, slug=slug)
    return meetings.schedule(
        session=session, person=who(session, email), body=body, title="Weekly", starts_at=NOW
    )[0]


def new_sitrep(session):
    return sitreps.compile_draft(
        session=session,
        person=who(session, DGB_DIRECTOR),
        policy=POLICY,
        task_force=structure.get_body(session=session, slug=GREAT_LAKES),
        period_start=NOW.date() - timedelta(days=14),
        period_end=NOW.date(),
        now=NOW,
    )


# --- services -----------------------------------------------------------------------------------------


def test_stale_minutes_are_refused_and_nothing_is_written(session):
    secretary = who(session, SG_SECRETARY)
    meeting = new_meeting(session)
    read = meetings_queries.minutes_version(session=session, meeting=meeting)
    meetings.record_minutes(
        session=session,
        person=secretary,
        meeting=meeting,
        minutes="First",
        present_ids=[secretary.id],
        expected_version=read,
    )
    saved = meetings_queries.minutes_version(session=session, meeting=meeting)
    assert saved != read
    with pytest.raises(StaleVersion) as refused:
        meetings.record_minutes(
            session=session,
            person=secretary,
            meeting=meeting,
            minutes="Second",
            present_ids=[],
            expected_version=read,
        )
    assert refused.value.current == saved and refused.value.status == 409
    reread(session, meeting)
    assert meeting.minutes == "First"
    assert meetings_queries.attendance(session=session, meeting=meeting)[secretary.id] is True


def test_stale_situation_report_edits_and_submissions_are_refused(session):
    chair = who(session, DGB_DIRECTOR)
    sitrep = new_sitrep(session)
    read = sitreps_queries.version(sitrep)
    sitreps.edit(session=session, person=chair, sitrep=sitrep, body="Mine", expected_version=read)
    with pytest.raises(StaleVersion):
        sitreps.edit(session=session, person=chair, sitrep=sitrep, body="Theirs", expected_version=read)
    with pytest.raises(StaleVersion):
        sitreps.submit(session=session, person=chair, sitrep=sitrep, now=NOW, expected_version=read)
    reread(session, sitrep)
    assert sitrep.body == "Mine" and sitrep.status == "draft"


# --- meeting minutes ----------------------------------------------------------------------------------


def test_minutes_api_sends_etags_and_refuses_a_stale_if_match(client, api_token):
    headers = api_token(DGB_DIRECTOR)
    created = client.post(
        f"/api/v1/bodies/{GREAT_LAKES}/meetings",
        headers=headers,
        json={"title": "Task force meeting", "starts_at": NOW.isoformat()},
    )
    url = f"/api/v1/meetings/{created.json['items'][0]['id']}"
    read = etag(client.get(url, headers=headers))
    saved = client.put(f"{url}/minutes", headers={**headers, "If-Match": read}, json={"minutes": "Agreed."})
    assert saved.status_code == 200 and etag(saved) != read
    stale = client.put(f"{url}/minutes", headers={**headers, "If-Match": read}, json={"minutes": "Lost?"})
    assert_precondition_failed(stale, etag(saved))
    assert client.get(url, headers=headers).json["minutes"] == "Agreed."
    again = client.put(f"{url}/minutes", headers={**headers, "If-Match": etag(saved)}, json={"minutes": "B"})
    assert again.status_code == 200 and etag(again) == etag(client.get(url, headers=headers))
    unconditional = client.put(f"{url}/minutes", headers=headers, json={"minutes": "Last wins"})
    assert unconditional.status_code == 200


def test_minutes_form_shows_both_versions_and_keeps_the_typed_text(client, auth, session):
    meeting = new_meeting(session)
    auth.login(SG_SECRETARY)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    read = hidden_version(page)
    first = client.post(
        f"/meetings/{meeting.id}/minutes", data={"minutes": "Stored by a colleague", "version": read}
    )
    assert first.status_code == 302
    refused = client.post(f"/meetings/{meeting.id}/minutes", data={"minutes": "Typed by me", "version": read})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved a newer version" in page
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*Stored by a colleague</textarea>", page)
    assert re.search(r'<textarea[^>]*name="minutes"[^>]*>\s*Typed by me</textarea>', page)
    reread(session, meeting)
    assert meeting.minutes == "Stored by a colleague"
    saved = client.post(
        f"/meetings/{meeting.id}/minutes", data={"minutes": "Typed by me", "version": hidden_version(page)}
    )
    assert saved.status_code == 302
    reread(session, meeting)
    assert meeting.minutes == "Typed by me"


# --- situation reports --------------------------------------------------------------------------------


def test_situation_report_api_sends_etags_and_refuses_a_stale_submission(client, api_token, session):
    headers = api_token(DGB_DIRECTOR)
    sitrep = new_sitrep(session)
    url = f"/api/v1/situation-reports/{sitrep.id}"
    read = etag(client.get(url, headers=headers))
    sitreps.edit(session=session, person=who(session, DGB_DIRECTOR), sitrep=sitrep, body="Changed")
    stale = client.post(f"{url}/submit", headers={**headers, "If-Match": read})
    current = etag(client.get(url, headers=headers))
    assert_precondition_failed(stale, current)
    assert client.get(url, headers=headers).json["status"] == "draft"
    submitted = client.post(f"{url}/submit", headers={**headers, "If-Match": current})
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert etag(submitted) == current


def test_situation_report_form_shows_both_versions_and_keeps_the_typed_text(client, auth, session):
    sitrep = new_sitrep(session)
    auth.login(DGB_DIRECTOR)
    url = f"/situation-reports/{sitrep.id}"
    read = hidden_version(client.get(url).get_data(as_text=True))
    form = {"classification": "unclassified", "version": read}
    assert client.post(url, data={**form, "body": "Stored by the co-chair"}).status_code == 302
    refused = client.post(url, data={**form, "body": "Typed by the chair", "submit_report": "1"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved a newer version" in page
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*Stored by the co-chair</textarea>", page)
    assert re.search(r'<textarea[^>]*name="body"[^>]*>\s*Typed by the chair</textarea>', page)
    reread(session, sitrep)
    assert sitrep.body == "Stored by the co-chair" and sitrep.status == "draft"
    resaved = client.post(url, data={**form, "body": "Typed by the chair", "version": hidden_version(page)})
    assert resaved.status_code == 302
    reread(session, sitrep)
    assert sitrep.body == "Typed by the chair"


# --- budget lines of a plan ---------------------------------------------------------------------------

PLAN = f"/task-forces/{GREAT_LAKES}"
LINE = {"department_code": "FA", "year": 2026, "pledged": "100", "committed": "50", "spent": "10"}


def test_a_stale_budget_line_is_refused_and_nothing_is_written(session):
    effort = structure.get_body(session=session, slug=GREAT_LAKES)
    chair = who(session, DGB_DIRECTOR)
    read = budget.version(session=session, effort_id=effort.id)
    budget.set_line(session=session, person=chair, effort=effort, now=NOW, expected_version=read, **LINE)
    with pytest.raises(StaleVersion):
        budget.set_line(
            session=session,
            person=chair,
            effort=effort,
            now=NOW,
            expected_version=read,
            **{**LINE, "pledged": "999"},
        )
    session.rollback()
    department = structure.get_department(session=session, code="FA")
    line = budget.get_line(session=session, effort_id=effort.id, department_id=department.id, year=2026)
    assert line.pledged == 100


def test_budget_api_sends_etags_and_refuses_a_stale_if_match(client, api_token):
    headers = api_token(DGB_DIRECTOR)
    url = f"/api/v1{PLAN}/budget"
    read = etag(client.get(url, headers=headers))
    saved = client.post(url, headers={**headers, "If-Match": read}, json=LINE)
    assert saved.status_code == 200 and etag(saved) not in (read, None)
    stale = client.post(url, headers={**headers, "If-Match": read}, json={**LINE, "pledged": "999"})
    assert_precondition_failed(stale, etag(saved))
    assert client.get(url, headers=headers).json["years"][0]["by_department"]["FA"]["pledged"] == "100.0"
    again = client.post(url, headers={**headers, "If-Match": etag(saved)}, json={**LINE, "pledged": "7"})
    assert again.status_code == 200 and etag(again) == etag(client.get(url, headers=headers))


def test_budget_form_shows_the_stored_line_and_keeps_the_typed_amounts(client, auth, session):
    auth.login(DGB_DIRECTOR)
    page = client.get(f"{PLAN}/plan?year=2026").get_data(as_text=True)
    read = form_version(page, f"{PLAN}/budget")
    form = {"department": "FA", "budget_year": "2026", "committed": "0", "spent": "0", "version": read}
    assert client.post(f"{PLAN}/budget", data={**form, "pledged": "100"}).status_code == 302
    refused = client.post(f"{PLAN}/budget", data={**form, "pledged": "4321"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved a newer version" in page
    assert re.search(r"<textarea[^>]*readonly[^>]*>\s*FA 2026: pledged 100.0, committed 0.0", page)
    assert 'name="pledged" value="4321"' in page
    current = form_version(page, f"{PLAN}/budget")
    assert (
        client.post(f"{PLAN}/budget", data={**form, "pledged": "4321", "version": current}).status_code == 302
    )
    effort = structure.get_body(session=session, slug=GREAT_LAKES)
    department = structure.get_department(session=session, code="FA")
    session.rollback()
    line = budget.get_line(session=session, effort_id=effort.id, department_id=department.id, year=2026)
    assert line.pledged == 4321


# --- measurements of a plan's objectives --------------------------------------------------------------


def new_objective(session):
    return plans.add_objective(
        session=session,
        person=who(session, DGB_DIRECTOR),
        effort=structure.get_body(session=session, slug=GREAT_LAKES),
        year=2026,
        statement="Train 40 magistrates in the region",
        indicator="magistrates trained",
        baseline=0,
        target=40,
        deadline=NOW.date(),
        department_code="FA",
    )


def test_a_stale_measurement_is_refused_and_nothing_is_written(session):
    objective = new_objective(session)
    chair = who(session, DGB_DIRECTOR)
    read = plans.version(session=session, effort_id=objective.effort_id)
    day = NOW.date()
    plans.record_measurement(
        session=session, person=chair, objective=objective, measured_on=day, value=12, expected_version=read
    )
    with pytest.raises(StaleVersion):
        plans.record_measurement(
            session=session,
            person=chair,
            objective=objective,
            measured_on=day,
            value=99,
            expected_version=read,
        )
    session.rollback()
    assert plans.get_measurement(session=session, objective_id=objective.id, measured_on=day).value == 12


def test_objectives_api_sends_etags_and_refuses_a_stale_measurement(client, api_token, session):
    headers = api_token(DGB_DIRECTOR)
    objective = new_objective(session)
    url = f"/api/v1/objectives/{objective.id}/measurements"
    read = etag(client.get(f"/api/v1{PLAN}/objectives", headers=headers))
    entry = {"measured_on": NOW.date().isoformat(), "value": 12}
    saved = client.post(url, headers={**headers, "If-Match": read}, json=entry)
    assert saved.status_code == 201 and etag(saved) != read
    stale = client.post(url, headers={**headers, "If-Match": read}, json={**entry, "value": 99})
    assert_precondition_failed(stale, etag(saved))
    listed = client.get(f"/api/v1{PLAN}/objectives", headers=headers)
    assert etag(listed) == etag(saved) and listed.json["items"][-1]["measurements"][0]["value"] == 12


def test_measurement_form_shows_the_stored_value_and_keeps_the_typed_one(client, auth, session):
    objective = new_objective(session)
    auth.login(DGB_DIRECTOR)
    page = client.get(f"{PLAN}/plan?year=2026").get_data(as_text=True)
    url = f"/objectives/{objective.id}/measurements"
    read = form_version(page, url)
    form = {"measured_on": NOW.date().isoformat(), "year": "2026", "version": read}
    assert client.post(url, data={**form, "value": "12"}).status_code == 302
    refused = client.post(url, data={**form, "value": "37"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Someone else saved a newer version" in page
    assert re.search(rf"<textarea[^>]*readonly[^>]*>\s*{NOW.date().isoformat()}: 12.0</textarea>", page)
    assert 'name="value" required value="37"' in page
    current = form_version(page, url)
    assert client.post(url, data={**form, "value": "37", "version": current}).status_code == 302
    session.rollback()
    assert (
        plans.get_measurement(session=session, objective_id=objective.id, measured_on=NOW.date()).value == 37
    )
