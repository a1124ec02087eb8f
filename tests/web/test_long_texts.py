"""A text over its limit is refused with the limit named, never cut: the form keeps it whole for the
writer to shorten (no `maxlength` on a text area, which a browser cuts a paste to), the API answers 422
naming the field."""

from tests.demo import AMBASSADOR_KINSHASA

LONG_BODY = "Convoys observed. " * 3_334  # 60,012 characters, over the 50,000 a report body holds
REPORT = {
    "mission_code": "KINSHASA",
    "kind": "field_report",
    "title": "Road to Matadi blocked",
    "severity": "low",
    "classification": "unclassified",
    "country_code": "COD",
}


def test_an_over_long_report_body_is_refused_on_the_form_and_kept_whole(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    form = client.get("/reports/new").get_data(as_text=True)
    assert 'maxlength="50000"' not in form

    refused = client.post("/reports/new", data={**REPORT, "body": LONG_BODY})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert page.count('class="error"') == 1 and "cannot be longer than 50000 characters" in page
    assert LONG_BODY.strip() in page
    assert "Road to Matadi blocked" not in client.get("/reports/mine").get_data(as_text=True)


def test_an_over_long_report_body_is_422_naming_the_field_on_the_api(client, api_token):
    response = client.post(
        "/api/v1/field-reports", json={**REPORT, "body": LONG_BODY}, headers=api_token(AMBASSADOR_KINSHASA)
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "body" in {e["field"] for e in response.json["errors"]}
