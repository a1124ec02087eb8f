"""Browser: the place field suggests towns of the gazetteer as it is typed, and the report shows the place
picked with its coordinates."""

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA
from tests.e2e.test_browse import sign_in

pytestmark = pytest.mark.e2e


# The page's layout, focus and wording do not depend on the database; the server's side of it runs on
# both in the web tests. One backend keeps the browser journeys within CI's time.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_place_field_suggests_towns_and_the_report_shows_the_place(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    page.get_by_label("Title").fill("Market fire in Goma")
    page.get_by_label("Place", exact=True).press_sequentially("Gom")
    # the server reads the gazetteer on its first look-up: a second or more on a busy machine
    expect(page.locator('#place-suggestions option[value="Goma"]')).to_have_count(1, timeout=20_000)
    page.get_by_label("Place", exact=True).fill("Goma")
    page.get_by_role("button", name="Post report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Market fire in Goma", timeout=20_000)
    expect(page.locator(".coordinates")).to_have_text("-1.6741, 29.2284")
