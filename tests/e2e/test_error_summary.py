"""Browser: a refused form moves focus to the summary of its errors, whose links lead to the fields."""

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA
from tests.e2e.test_browse import sign_in

pytestmark = pytest.mark.e2e


# The page's layout, focus and wording do not depend on the database; the server's side of it runs on
# both in the web tests. One backend keeps the browser journeys within CI's time.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_refused_report_focuses_the_error_summary_and_its_link_reaches_the_field(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    page.get_by_label("Report (Markdown)").fill("Typed before the title was forgotten.")
    page.get_by_role("button", name="Post report").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Report (Markdown)")).to_have_value("Typed before the title was forgotten.")
    summary.get_by_role("link", name="Title").click()
    expect(page.get_by_label("Title")).to_be_focused()
