"""Maps on the pages: drawn on the server from what the reader may see, with nothing fetched elsewhere."""

import re

from coordination import db
from tests.conftest import Auth, make_app
from tests.demo import ADIV_ANALYST, AMBASSADOR_KINSHASA, DGB_DIRECTOR, JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY

SECRET_WARNING = {
    "title": "Armed group massing west of Goma",
    "country_code": "COD",
    "kind": "intelligence_brief",
    "intelligence_level": "tactical",
    "classification": "secret",
    "severity": "critical",
    "early_warning": True,
    "latitude": -1.65,
    "longitude": 29.05,
}
OPEN_WARNING = {
    "title": "Roadblocks on the Bukavu road",
    "mission_code": "KINSHASA",
    "severity": "medium",
    "early_warning": True,
    "latitude": -2.49,
    "longitude": 28.86,
}
TILES = "https://{s}.tiles.example/{z}/{x}/{y}.png"
MAP = re.compile(r'<figure class="world-map.*?</table>', re.S)


def _map_of(page: str) -> str:
    found = MAP.search(page)
    assert found, "no map on the page"
    return found.group(0)


def _country(world_map: str, code: str) -> tuple[str, str] | None:
    """The class and title of a shaded country."""
    found = re.search(rf'class="([^"]*)" data-country="{code}" d="[^"]*"><title>([^<]*)</title>', world_map)
    return found.groups() if found else None


def _points(world_map: str) -> set[int]:
    return {int(n) for n in re.findall(r'class="pin report [^"]*" data-report="(\d+)"', world_map)}


def test_a_hidden_report_leaves_no_trace_on_the_maps(client, auth, api_token):
    secret = client.post("/api/v1/field-reports", json=SECRET_WARNING, headers=api_token(ADIV_ANALYST))
    shared = client.post("/api/v1/field-reports", json=OPEN_WARNING, headers=api_token(AMBASSADOR_KINSHASA))
    assert secret.status_code == shared.status_code == 201, (secret.json, shared.json)
    secret_id, shared_id = secret.json["id"], shared.json["id"]

    auth.login(DGB_DIRECTOR)  # chairs the Great Lakes task force: sees both
    page = client.get("/dashboard")
    dashboard = _map_of(page.get_data(as_text=True))
    assert "http" not in dashboard and "data-tile-url" not in dashboard  # nothing from another server
    assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]
    classes, title = _country(dashboard, "COD")
    assert "ew-2" in classes and "worst-critical" in classes and "2 early warnings" in title
    assert _points(dashboard) == {secret_id, shared_id} and SECRET_WARNING["title"] in dashboard
    task_force = _map_of(client.get("/task-forces/task-force-great-lakes").get_data(as_text=True))
    assert _points(task_force) == {secret_id, shared_id} and 'class="land focus' in task_force
    report = client.get(f"/reports/{secret_id}").get_data(as_text=True)
    assert f'data-report="{secret_id}"' not in report and "pin report sev-critical" in report
    auth.logout()

    auth.login(JUSTICE_MEMBER)  # a Great Lakes member with confidential clearance, outside the sharing group
    dashboard = _map_of(client.get("/dashboard").get_data(as_text=True))
    classes, title = _country(dashboard, "COD")
    assert "ew-1" in classes and "worst" not in classes and "1 early warning," in title
    assert _points(dashboard) == {shared_id} and SECRET_WARNING["title"] not in dashboard
    task_force = _map_of(client.get("/task-forces/task-force-great-lakes").get_data(as_text=True))
    assert _points(task_force) == {shared_id} and SECRET_WARNING["title"] not in task_force


def test_a_tile_server_is_used_only_when_one_is_set(database_url):
    tiled = make_app(database_url, MAP_TILE_URL=TILES)
    try:
        tiled_client = tiled.test_client()
        Auth(tiled_client).login(SG_CHAIR)
        page = tiled_client.get("/early-warning")
        text = page.get_data(as_text=True)
        world_map = _map_of(text)
        assert 'viewBox="0 ' in world_map and f'data-tile-url="{TILES}"' in world_map
        assert re.search(r'<script src="/static/map_tiles.js" nonce="[\w-]+" defer>', text)
        assert "img-src 'self' data: https://*.tiles.example;" in page.headers["Content-Security-Policy"]
    finally:
        db.engine_of(tiled).dispose()


def test_the_dashboard_places_missions_at_their_cities_without_reading_the_gazetteer(client, auth, api_token):
    """Missions keep where their city is, found when they open: drawing them must not load the gazetteer
    (30 MB that a worker keeps), not even for a city the seed did not look up in advance."""
    from coordination.places import queries as places

    goma = {"code": "GOMA", "kind": "consulate", "name": "Consulate of Belgium in Goma", "city": "Goma"}
    opened = client.post(
        "/api/v1/missions", json={**goma, "host_country_code": "COD"}, headers=api_token(SG_SECRETARY)
    )
    assert opened.status_code == 201, opened.json
    places._towns.cache_clear()
    auth.login(SG_CHAIR)
    dashboard = _map_of(client.get("/dashboard").get_data(as_text=True))
    assert places._towns.cache_info().currsize == 0
    missions = re.findall(r'<rect class="pin mission"[^>]*><title>([^<]*)</title>', dashboard)
    assert {"Consulate of Belgium in Goma", "Embassy of Belgium in Kinshasa"} <= set(missions), missions
