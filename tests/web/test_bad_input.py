"""No input gives a 500: ids beyond the database's integers, deep or non-finite JSON, and a wrong method
get problem details, and the OpenAPI document says what is sent."""

import pytest

from coordination.inputs import json_depth_within
from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_SECRETARY


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ("[]", True),
        ("[" * 64 + "]" * 64, True),
        ("[" * 65 + "]" * 65, False),
        ('["' + "[" * 100 + '"]', True),
        ('{"a": "\\"[[[["}', True),
    ],
)
def test_json_depth_is_measured_outside_strings(text, within):
    assert json_depth_within(text, 64) is within


HUGE = str(2**63)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/field-reports/{HUGE}",
        f"/api/v1/decisions/{HUGE}",
        f"/reports/{HUGE}",
        f"/decisions/{HUGE}",
        f"/api/v1/field-reports/{2**31}",
    ],
)
def test_an_id_beyond_the_databases_integers_is_not_found(client, auth, api_token, path):
    headers = api_token(AMBASSADOR_KINSHASA) if path.startswith("/api/") else {}
    if not headers:
        auth.login(AMBASSADOR_KINSHASA)
    assert client.get(path, headers=headers).status_code == 404


def test_an_id_beyond_the_databases_integers_is_not_found_whatever_the_method(client, api_token):
    """werkzeug checks the method before the id: without care this PATCH was a 405 naming GET."""
    response = client.patch(f"/api/v1/people/{2**31}", json={}, headers=api_token(SG_SECRETARY))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.delete("/api/v1/people/1", headers=api_token(SG_SECRETARY)).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"title": "Checkpoint", "mission_code": "KINSHASA", "updates_report_id": NaN}',
        '{"title": "Checkpoint", "mission_code": "KINSHASA", "severity": 1e400}',
        '{"title": "Checkpoint", "mission_code": "KINSHASA", "updates_report_id": ' + HUGE + "}",
    ],
)
def test_deep_non_finite_or_out_of_range_json_is_refused_with_a_problem(client, api_token, body):
    response = client.post(
        "/api/v1/field-reports",
        data=body,
        content_type="application/json",
        headers=api_token(AMBASSADOR_KINSHASA),
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_a_body_over_the_size_limit_is_refused(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/auth/token", data="x" * 4096, content_type="application/json")
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_wrong_method_names_the_allowed_ones(client):
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert response.mimetype == "application/problem+json"


IMPORT = "/api/v1/people/import"


def test_the_openapi_document_describes_problems_as_sent(client):
    spec = client.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if int(status) >= 400:
                    # Only an answer of the operation's own shape (the people import's row errors) is JSON.
                    own = {"application/json"} if (path, status) == (IMPORT, "422") else set()
                    media = set(response["content"])
                    assert media == {"application/problem+json"} | own, (path, method, status)
                if status == "422":
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ValidationProblem"}, (path, method)


TASK_FORCE = "/api/v1/task-forces/task-force-great-lakes"
MEETINGS = "/api/v1/bodies/task-force-great-lakes/meetings"
REPORTS = "/api/v1/field-reports"
OBJECTIVE = {
    "year": 2026,
    "statement": "Train police officers in human rights",
    "indicator": "Officers trained",
    "baseline": 0,
    "target": 600,
    "deadline": "2026-12-31",
    "department_code": "FA",
}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (MEETINGS, {"title": "Year one", "starts_at": "0001-01-01T10:00:00+05:00"}, "starts_at"),
        (MEETINGS, {"title": "Year 9999", "starts_at": "9999-12-31T23:00:00-05:00"}, "starts_at"),
        (MEETINGS, {"title": "A number", "starts_at": 12345}, "starts_at"),
        (MEETINGS, {"title": "No zone", "starts_at": "2026-12-01T10:00:00"}, "starts_at"),
        (MEETINGS, {"title": "   ", "starts_at": "2026-12-01T10:00:00Z"}, "title"),
        (MEETINGS, {"title": "Extra", "starts_at": "2026-12-01T10:00:00Z", "colour": "red"}, "colour"),
        (REPORTS, {"title": "    ", "mission_code": "KINSHASA"}, "title"),
        (REPORTS, {"title": "Checkpoint", "mission_code": "KINSHASA", "author_id": 1}, "author_id"),
        (REPORTS, {"title": "Check\u0000point", "mission_code": "KINSHASA"}, "title"),
        (REPORTS, {"title": "Checkpoint", "mission_code": "KINSHASA", "themes": ["x\u0000"]}, "themes.0"),
        (f"{TASK_FORCE}/objectives", {**OBJECTIVE, "baseline": "NaN"}, "baseline"),
        (f"{TASK_FORCE}/objectives", {**OBJECTIVE, "target": "1e400"}, "target"),
        (f"{TASK_FORCE}/objectives", {**OBJECTIVE, "department_code": "NOPE"}, "department_code"),
        (
            f"{TASK_FORCE}/budget",
            {"department_code": "NOPE", "year": 2026, "pledged": 1, "committed": 0, "spent": 0},
            "department_code",
        ),
        (
            f"{TASK_FORCE}/budget",
            {"department_code": "FA", "year": 2026, "pledged": 10**20, "committed": 0, "spent": 0},
            "pledged",
        ),
        (f"{TASK_FORCE}/press", {"title": "  "}, "title"),
        ("/api/v1/task-forces", {"name": "   "}, "name"),
    ],
)
def test_bad_api_input_is_refused_naming_the_field(client, api_token, path, body, field):
    response = client.post(path, json=body, headers=api_token(DGB_DIRECTOR))
    assert response.status_code in (400, 422), response.json
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.json.get("errors", [])], response.json


def test_a_nul_in_a_query_or_a_form_is_refused(client, auth, api_token):
    response = client.get("/api/v1/search?q=a%00b", headers=api_token(DGB_DIRECTOR))
    assert response.status_code == 422 and response.json["errors"][0]["field"] == "q"
    auth.login(DGB_DIRECTOR)
    page = client.post("/bodies/task-force-great-lakes/meetings", data={"title": "a\x00b"})
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)


def test_a_plan_year_out_of_range_is_a_bad_request(client, auth, api_token):
    assert client.get(f"{TASK_FORCE}/objectives?year=99999", headers=api_token(DGB_DIRECTOR)).status_code in (
        400,
        422,
    )
    auth.login(DGB_DIRECTOR)
    assert client.get("/task-forces/task-force-great-lakes/plan?year=99999").status_code == 400


@pytest.mark.parametrize("baseline", ["nan", "inf", "1e400"])
def test_a_non_finite_objective_from_the_page_is_not_stored(client, auth, baseline):
    auth.login(DGB_DIRECTOR)
    form = {**OBJECTIVE, "department": "FA", "baseline": baseline, "year": "2026", "deadline": "2026-12-31"}
    refused = client.post("/task-forces/task-force-great-lakes/objectives", data=form)
    assert refused.status_code == 422 and "finite" in refused.get_data(as_text=True)
    plan = client.get("/task-forces/task-force-great-lakes/plan?year=2026").get_data(as_text=True)
    assert "Train police officers" not in plan


@pytest.mark.parametrize(
    "data",
    [
        {
            "title": "Year one",
            "starts_at": "0001-01-01T10:00",
            "duration_minutes": "90",
            "weekly_occurrences": "1",
        },
        {
            "title": "Year 9999",
            "starts_at": "9999-12-31T23:00",
            "duration_minutes": "90",
            "weekly_occurrences": "1",
        },
        {
            "title": "   ",
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": "90",
            "weekly_occurrences": "1",
        },
        {"title": "Bad", "starts_at": "not a date", "duration_minutes": "90", "weekly_occurrences": "1"},
    ],
)
def test_an_invalid_meeting_form_is_a_bad_request_showing_its_errors(client, auth, data):
    auth.login(SG_SECRETARY)
    response = client.post("/bodies/steering-group/meetings", data=data)
    assert response.status_code == 400
    assert 'name="title"' in response.get_data(as_text=True)


def test_minutes_over_the_limit_are_refused_on_the_page(client, auth, api_token):
    starts = "2026-12-01T10:00:00+01:00"
    created = client.post(
        MEETINGS, json={"title": "Minutes", "starts_at": starts}, headers=api_token(DGB_DIRECTOR)
    )
    meeting_id = created.json["items"][0]["id"]
    auth.login(DGB_DIRECTOR)
    response = client.post(f"/meetings/{meeting_id}/minutes", data={"minutes": "x" * 100_001})
    assert response.status_code == 400
    stored = client.get(f"/api/v1/meetings/{meeting_id}", headers=api_token(DGB_DIRECTOR)).json["minutes"]
    assert stored == ""


def test_every_forms_one_line_text_is_trimmed_before_it_is_checked(client, auth):
    """A title of spaces is empty and a padded title is stored trimmed, on every form (formchecks.Form)."""
    auth.login(AMBASSADOR_KINSHASA)
    form = {
        "mission_code": "KINSHASA",
        "kind": "field_report",
        "severity": "info",
        "classification": "unclassified",
        "intelligence_level": "",
        "country_code": "",
        "source_reliability": "",
        "information_credibility": "",
    }
    refused = client.post("/reports/new", data={**form, "title": "  a  "})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    stored = client.post("/reports/new", data={**form, "title": "   Bridge at Rusizi closed   "})
    assert stored.status_code == 302
    assert "<h1>Bridge at Rusizi closed</h1>" in " ".join(
        client.get(stored.location).get_data(as_text=True).split()
    )


@pytest.mark.parametrize(
    "body, names",
    [
        ('{"email": ', "line 1 column 11"),
        ("not json", "Expecting value"),
        ('{"email": "a@b.example" "password": "x"}', "Expecting ',' delimiter"),
    ],
)
def test_malformed_json_is_a_bad_request_that_says_where(client, body, names):
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json["title"] == "Malformed JSON" and names in response.json["detail"]
