"""Browser journey: the steering group secretary opens the weekly meeting, sees the drafted agenda,
records a priority change and a decision; the dashboard reflects both."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from coordination.meetings import service as meetings
from coordination.steering import service as priorities
from coordination.structure import queries as structure
from tests.demo import SG_SECRETARY
from tests.e2e.test_browse import sign_in

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_secretary_runs_the_weekly_meeting_and_the_dashboard_follows(page, live_server, session):
    secretary = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    now = datetime.now(UTC)
    niger = priorities.set_priority(
        session=session,
        person=secretary,
        subject_kind="country",
        subject="NER",
        tier=2,
        rationale="Post-coup transition",
        now=now - timedelta(days=180),
    )
    assert niger.next_review_on <= (now + timedelta(days=7)).date()
    meetings.schedule(
        session=session,
        person=secretary,
        body=structure.get_steering_group(session=session),
        title="Weekly coordination meeting",
        starts_at=now + timedelta(hours=2),
        weekly_occurrences=2,
        location="Egmont Palace",
    )

    sign_in(page, live_server, SG_SECRETARY)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Steering group").click()
    page.get_by_role("link", name="Meetings").first.click()
    page.get_by_role("link", name="Weekly coordination meeting").first.click()
    agenda = page.locator("ol.agenda")
    expect(agenda).to_contain_text("Review priority: Niger (NER) (tier 2")

    # the minutes and who was present: on paper the form is left out, the attendance printed in words
    attendance = page.locator("p.attendance")
    expect(attendance).to_be_hidden()
    page.locator("#minutes textarea").fill("Niger discussed: the priority is raised.")
    present = page.locator('#minutes input[name="present"]').first
    name = present.locator("xpath=..").inner_text().strip()
    present.check()
    page.get_by_role("button", name="Save minutes").click()
    page.emulate_media(media="print")
    expect(attendance).to_be_visible()
    expect(attendance).to_have_text(f"Present: {name}")
    expect(page.get_by_role("button", name="Save minutes")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Change a priority").click()
    subject = "Country (name or code, e.g. Burundi) or theme (e.g. humanitarian), or a region's name"
    page.get_by_label(subject).fill("Niger")
    page.get_by_label("Tier").select_option("1")
    page.get_by_label("Why this change").fill("Deterioration after the coup; reviewed in the weekly meeting")
    page.get_by_role("button", name="Save priority").click()
    expect(page.locator('tr[data-subject="NER"] .tier')).to_have_text("1")

    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Title").fill("Raise Niger to tier 1 and prepare a task force")
    page.get_by_label("Missions").select_option("mission:NIAMEY")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Raise Niger to tier 1 and prepare a task force"
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.locator('table.priorities tr[data-subject="NER"] .tier')).to_have_text("1")
    expect(page.locator("ul.decisions")).to_contain_text("Raise Niger to tier 1 and prepare a task force")
    expect(page.locator('[data-task-force="task-force-great-lakes"]')).to_be_visible()
