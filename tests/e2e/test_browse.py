"""Browser journey: sign in, open a mission, see its consultation platform."""

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA, DEMO_PASSWORD

# A browser journey tests the pages, not the database: it runs on SQLite, and the services and pages it
# drives are tested on both databases in tests/ and tests/web/ (CI keeps its 30 minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def sign_in(page, base_url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/login?next=%2F")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_embassy_staff_signs_in_opens_a_mission_and_sees_its_platform(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missions").click()
    page.get_by_role("link", name="Embassy of Belgium in Kigali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Embassy of Belgium in Kigali")
    platform = page.get_by_role("table", name="Consultation platform")
    expect(platform).to_be_visible()
    expect(platform.get_by_role("row").filter(has_text="Chair")).to_have_count(1)
    expect(platform).to_contain_text("Ambassador")


def test_the_org_chart_and_language_picker_work_in_the_browser(page, live_server):
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    page.get_by_role("link", name="Organisation chart").first.click()
    chart = page.locator("svg.org-chart")
    expect(chart).to_be_visible()
    expect(chart.locator('[data-key="body:task-force-great-lakes"]')).to_have_count(1)
    page.get_by_label("Language").select_option("nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organigram")
    chart.locator('[data-key="body:task-force-great-lakes"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Task Force Great Lakes")
