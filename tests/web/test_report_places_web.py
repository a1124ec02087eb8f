"""Place and time of a report's event over HTTP: the form (with and without script), the suggestions, the
API and its OpenAPI document."""

import re
from datetime import UTC, datetime, timedelta

from coordination.i18n import BRUSSELS
from tests.demo import AMBASSADOR_KINSHASA

FORM_KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def _form(client, **fields) -> dict:
    key = FORM_KEY.search(client.get("/reports/new").get_data(as_text=True)).group(1)
    return {
        "mission_code": "KINSHASA",
        "kind": "field_report",
        "title": "Shelling near Sake",
        "severity": "high",
        "classification": "unclassified",
        "idempotency_key": key,
        **fields,
    }


def test_the_form_resolves_a_typed_place_and_shows_it_with_the_event_time(client, auth):
    auth.login(AMBASSADOR_KINSHASA)
    event = datetime.now(UTC).astimezone(BRUSSELS).replace(second=0, microsecond=0) - timedelta(hours=5)
    posted = client.post(
        "/reports/new", data=_form(client, place="sake", event_at=event.strftime("%Y-%m-%dT%H:%M"))
    )
    assert posted.status_code == 302, posted.get_data(as_text=True)
    page = client.get(posted.location).get_data(as_text=True)
    instant = event.astimezone(UTC).isoformat(timespec="seconds")
    assert "Sake" in page and "-1.5739, 29.0434" in page and f'<time datetime="{instant}"' in page

    unknown = client.post("/reports/new", data=_form(client, place="Goma", country_code="BEL"))
    assert unknown.status_code == 400 and "No place called Goma" in unknown.get_data(as_text=True)
    wrong = client.post("/reports/new", data=_form(client, place="Goma", coordinates="-1.68, 200"))
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "between -180 and 180" in page and 'value="Goma"' in page


def test_suggestions_for_the_place_field(client, auth):
    assert client.get("/places/search?country=COD&q=Go").status_code in (302, 401)
    auth.login(AMBASSADOR_KINSHASA)
    found = client.get("/places/search?country=COD&q=Go").json["places"]
    assert found[0]["label"] == "Goma" and found[0]["latitude"] == -1.67409
    by_mission = client.get("/places/search?mission=KINSHASA&q=nord kivu").json
    assert by_mission["country"] == "COD" and by_mission["places"][0]["id"] == "iso3166-2:CD-NK"
    assert client.get("/places/search?country=&q=Goma").json["places"] == []


def test_the_api_posts_and_reads_place_and_event_time(client, api_token):
    headers = api_token(AMBASSADOR_KINSHASA)
    event_at = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
    report = {"title": "Shelling near Goma", "mission_code": "KINSHASA", "event_at": event_at.isoformat()}
    created = client.post(
        "/api/v1/field-reports",
        json={**report, "place_name": "Goma", "latitude": -1.68, "longitude": 29.22},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    read = client.get(f"/api/v1/field-reports/{created.json['id']}", headers=headers).json
    assert (read["place_id"], read["place_name"]) == ("geonames:216281", "Goma")
    assert (read["latitude"], read["longitude"]) == (-1.68, 29.22)
    assert datetime.fromisoformat(read["event_at"]) == event_at

    for wrong, field in (
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"place_name": "Atlantis"}, "place_name"),
    ):
        refused = client.post("/api/v1/field-reports", json={**report, **wrong}, headers=headers)
        assert refused.status_code in (400, 422) and field in str(refused.json), refused.json
    future = {**report, "event_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    assert client.post("/api/v1/field-reports", json=future, headers=headers).status_code in (400, 422)

    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert {"place_id", "place_name", "latitude", "longitude", "event_at"} <= set(
        schema["ReportPublic"]["properties"]
    )
    assert schema["ReportCreate"]["properties"]["latitude"]["anyOf"][0]["maximum"] == 90
