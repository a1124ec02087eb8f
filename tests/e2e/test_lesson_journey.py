"""Browser journey: a task force member submits an observation; the steering group analyses it, endorses
it and tasks the task force with a remedial action; the owner finds it among their actions."""

import pytest
from playwright.sync_api import expect

from tests.demo import JUSTICE_MEMBER, SG_CHAIR, SG_SECRETARY
from tests.e2e.test_browse import sign_in

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
TITLE = "The justice liaison joined three weeks late"
GL_SECRETARY = "lotte.baert@diplobel.example"


def test_member_submits_steering_group_endorses_and_tasks(page, live_server):
    sign_in(page, live_server, JUSTICE_MEMBER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lessons").click()
    page.get_by_role("link", name="Submit an observation").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Observation: what happened, as fact").fill(
        "FPS Justice designated its liaison three weeks after the task force was set up."
    )
    page.get_by_label("Discussion: why; who, what, where, when, how").fill(
        "Departments designate people only once a task force exists."
    )
    page.get_by_label("Conclusion").fill("Advance designation avoids the gap.")
    page.get_by_label("Recommendation: what to change, how, by whom").fill(
        "Every department keeps a standby liaison for each crisis country (departments, via the roster)."
    )
    page.get_by_label("Task force").select_option("task-force-great-lakes")
    page.get_by_label("Effort").fill("Great Lakes 2026")
    page.get_by_label("Tags (comma-separated)").fill("staffing, justice")
    page.get_by_role("button", name="Submit observation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("#stage")).to_contain_text("Submitted")
    lesson_url = page.url

    sign_in(page, live_server, SG_SECRETARY)
    page.goto(lesson_url)
    page.get_by_role("button", name="Accept as observation").click()
    expect(page.locator("#stage")).to_contain_text("Accepted as observation")
    page.get_by_role("button", name="Mark as analysed").click()
    page.get_by_role("button", name="Lesson identified").click()
    expect(page.locator("#stage")).to_contain_text("Lesson identified")
    expect(page.locator("#endorse")).to_have_count(0)  # the secretary does not endorse

    sign_in(page, live_server, SG_CHAIR)
    page.goto(lesson_url)
    page.get_by_label("Action body to task").select_option("task-force-great-lakes")
    page.get_by_role("button", name="Endorse and task the action body").click()
    expect(page.locator("#stage")).to_contain_text("Endorsed")
    page.get_by_label("Remedial action").fill("Designate a standby justice liaison for DR Congo")
    page.get_by_label("Owner").select_option(label="Lotte Baert")
    page.get_by_label("Due on").fill("2027-03-01")
    page.get_by_role("button", name="Add remedial action").click()
    expect(page.locator("#stage")).to_contain_text("Action body tasked")
    expect(page.locator("#remedial-actions")).to_contain_text(
        "Designate a standby justice liaison for DR Congo"
    )
    expect(page.locator("#history tbody tr")).to_have_count(6)

    sign_in(page, live_server, GL_SECRETARY)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions").click()
    expect(page.get_by_role("link", name="Designate a standby justice liaison for DR Congo")).to_be_visible()
