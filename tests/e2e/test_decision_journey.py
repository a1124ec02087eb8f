"""Browser journey: the chair adopts a decision; an embassy acknowledges it; the chair's table shows it."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from coordination.decisions import service
from coordination.structure import queries as structure
from tests.demo import AMBASSADOR_KINSHASA, SG_CHAIR, SG_SECRETARY
from tests.e2e.test_browse import sign_in

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
TITLE = "Prepare a consular contingency plan for eastern DR Congo"


def test_chair_adopts_embassy_acknowledges_chair_sees_it(page, live_server, session):
    secretary = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    decision = service.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title=TITLE,
        text="Update the **warden network** and the evacuation routes.",
        addressees=[("mission", "KINSHASA"), ("body", "task-force-great-lakes")],
        now=datetime.now(UTC),
    )

    sign_in(page, live_server, SG_CHAIR)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Decisions").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Adopt decision").click()
    expect(page.locator(".badges .status")).to_have_text("Adopted")
    expect(page.locator('tr[data-unit="mission:KINSHASA"]')).to_contain_text("Not yet acknowledged")

    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    page.locator(".decisions-inbox").get_by_role("link", name=TITLE).first.click()
    page.get_by_label("Answer for").select_option("mission:KINSHASA")
    page.get_by_label("Answer", exact=True).select_option("acknowledged")
    page.get_by_label("Comment (a reason is required if the unit cannot comply)").fill(
        "Warden network briefed."
    )
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator('tr[data-unit="mission:KINSHASA"]')).to_contain_text("Acknowledged")

    sign_in(page, live_server, SG_CHAIR)
    page.goto(f"{live_server}/decisions/{decision.id}")
    row = page.locator('tr[data-unit="mission:KINSHASA"]')
    expect(row).to_contain_text("Acknowledged")
    expect(row).to_contain_text("Catherine Lemmens")
    expect(row).to_contain_text("Warden network briefed.")
    expect(page.locator('tr[data-unit="body:task-force-great-lakes"]')).to_contain_text(
        "Not yet acknowledged"
    )
