"""Browser journey on a phone: a photo with GPS metadata posted with a report is stored without it, and a
person who may not see the report gets nothing of it."""

import re

import pytest
from playwright.sync_api import expect

from coordination import db
from tests.conftest import make_app
from tests.demo import AMBASSADOR_KINSHASA, AMBASSADOR_NIAMEY
from tests.e2e.test_browse import sign_in
from tests.web.test_attachments import gps_of, photo_with_gps

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
TITLE = "Looting at the Matadi port warehouses"


@pytest.fixture
def app(database_url, tmp_path):
    application = make_app(database_url, ATTACHMENT_DIR=str(tmp_path / "attachments"))
    yield application
    db.engine_of(application).dispose()


def test_a_photo_loses_its_location_and_reaches_no_one_who_may_not_see_the_report(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    original = photo_with_gps()
    assert gps_of(original)
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Photos and documents", exact=True).set_input_files(
        {"name": "warehouse.jpg", "mimeType": "image/jpeg", "buffer": original}
    )
    page.get_by_role("button", name="Post report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    files = page.get_by_role("region", name="Photos and documents")
    expect(files.get_by_role("img", name="Photo: warehouse.jpg")).to_be_visible()
    link = files.get_by_role("link", name="warehouse.jpg", exact=True)
    file_url = live_server + re.sub(r"\?.*", "", link.get_attribute("href"))
    stored = page.request.get(file_url)
    assert stored.status == 200 and stored.headers["content-type"] == "image/jpeg"
    assert gps_of(stored.body()) == {}
    report_url = page.url

    sign_in(page, live_server, AMBASSADOR_NIAMEY)
    assert page.request.get(file_url).status == 404
    assert page.request.get(f"{file_url}/thumbnail").status == 404
    assert page.goto(report_url).status == 404
