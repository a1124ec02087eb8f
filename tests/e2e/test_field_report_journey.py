"""Browser journey: embassy staff posts a report; the task force chair validates it; the reporter sees it."""

import re

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR
from tests.e2e.test_browse import sign_in

pytestmark = pytest.mark.e2e
TITLE = "Displacement camp near Bunia under pressure"


def test_report_goes_up_is_validated_and_the_status_comes_back_down(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.get_by_role("link", name="New report").click()
    expect(page.get_by_label("Posting mission")).to_have_value("KINSHASA")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Report (Markdown)").fill(
        "About **12,000** people arrived this week.\n\n- water short\n- cholera risk"
    )
    page.get_by_label("Humanitarian").check()
    page.get_by_label("Severity").select_option("high")
    page.get_by_role("button", name="Post report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".report-body strong")).to_have_text("12,000")
    expect(page.get_by_role("cell", name="task force covers COD")).to_be_visible()
    report_url = page.url

    sign_in(page, live_server, DGB_DIRECTOR)
    inbox_link = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Inbox"))
    expect(inbox_link).to_contain_text("1")
    inbox_link.click()
    page.get_by_role("link", name=TITLE).click()
    # the task force triages its own delivery; the steering group's (high severity) stays new
    panel = page.get_by_role("region", name="Triage for Task Force Great Lakes")
    panel.get_by_label("New status").select_option("under_review")
    panel.get_by_role("button", name="Change status").click()
    expect(panel.locator("p .status")).to_have_text("Under review")
    panel.get_by_label("New status").select_option("validated")
    panel.get_by_label("Comment (the reporter and the other receiving bodies see it)").fill(
        "Confirmed with OCHA; Enabel informed."
    )
    panel.get_by_role("button", name="Change status").click()
    deliveries = page.get_by_role("row").filter(has_text="task force covers COD")
    expect(deliveries).to_contain_text("Validated")
    expect(deliveries).to_contain_text("Bart Heylen")
    expect(page.get_by_role("row").filter(has_text="high severity")).to_contain_text("New")

    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.get_by_role("link", name="My reports").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Validated")
    row.get_by_role("link", name=TITLE).click()
    assert page.url == report_url
    expect(page.locator("#comments")).to_contain_text("Confirmed with OCHA; Enabel informed.")
