"""Browser: the report form keeps a draft through a reload and drops it once the report is posted, and
signing out drops every draft the browser kept."""

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA
from tests.e2e.test_browse import sign_in

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
TITLE = "Checkpoint moved to the airport road"


def test_a_draft_survives_a_reload_and_is_gone_after_posting(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Report (Markdown)").fill("Seen at 07:00 by the driver.")
    page.reload()
    expect(page.get_by_text("Draft restored")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    expect(page.get_by_label("Report (Markdown)")).to_have_value("Seen at 07:00 by the driver.")
    page.get_by_role("button", name="Post report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.wait_for_function("Object.keys(localStorage).filter(k => k.includes('report-draft')).length === 0")
    page.goto(f"{live_server}/reports/new")
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.get_by_text("Draft restored")).to_be_hidden()
    # a draft may hold classified text: signing out in this browser drops it
    page.get_by_label("Title").fill("Half-typed note on the Goma convoy")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.includes('report-draft'))") == []


DRAFT_KEYS = "kind => Object.keys(window[kind]).filter(k => k.includes('report-draft'))"


def test_a_classified_draft_is_kept_for_its_tab_only(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.goto(f"{live_server}/reports/new")
    page.get_by_label("Title").fill("Convoy route to Goma")
    assert len(page.evaluate(DRAFT_KEYS, "localStorage")) == 1  # unclassified: kept in the browser
    page.get_by_label("Classification").select_option("confidential")
    page.get_by_label("Report (Markdown)").fill("Escort arrangements with MONUSCO.")
    assert page.evaluate(DRAFT_KEYS, "localStorage") == []  # marked: gone from the lasting storage
    assert len(page.evaluate(DRAFT_KEYS, "sessionStorage")) == 1
    page.reload()
    expect(page.get_by_text("Draft restored")).to_be_visible()  # the same tab keeps it
    expect(page.get_by_label("Classification")).to_have_value("confidential")
    expect(page.get_by_label("Report (Markdown)")).to_have_value("Escort arrangements with MONUSCO.")
    other = page.context.new_page()  # another tab, as after closing this one: no draft
    other.goto(f"{live_server}/reports/new")
    expect(other.get_by_label("Title")).to_have_value("")
    expect(other.get_by_text("Draft restored")).to_be_hidden()
    other.close()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate(DRAFT_KEYS, "sessionStorage") == []
