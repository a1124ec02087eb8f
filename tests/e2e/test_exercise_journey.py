"""Browser journey for exercise mode (issue 20): a controller plans and runs the Great Lakes script; the task
force, the steering group and the embassy play it on the exercise's own pages; the evaluation measures them
against the script's targets; the real site never shows an exercise item; the exercise ends in the archive.

It runs on both databases: an exercise's own database is a file beside SQLite's and a schema of
PostgreSQL's, and only a journey through the pages shows the links, the banner and the sign-in crossing
between the real site and the exercise's."""

import re

import pytest
from playwright.sync_api import expect

from tests.demo import AMBASSADOR_KINSHASA, DGB_DIRECTOR, SG_CHAIR
from tests.e2e.test_browse import sign_in

pytestmark = pytest.mark.e2e
NAME = "Goma journey drill"
INJECT = "AFC/M23 offensive north of Goma, Kibumba taken overnight"
SEARCHED_WORD = "Kibumba"
DECISION = "Embassy Kinshasa: reduce staff in Goma and update the warden network"
MEASURES = {  # the evaluation's measure: the script's target
    "Inject to first triage": "30m",
    "Early warning to decision": "2h",
    "Decision to last acknowledgement": "3h",
}


def menu(page):
    return page.get_by_role("navigation", name="Main")


def enter_the_exercise(page, base_url: str) -> None:
    """From the real site's list of exercises, through its link, onto the exercise's own pages."""
    menu(page).get_by_role("link", name="Exercises").click()
    page.locator("#exercises").get_by_role("row").filter(has_text=NAME).get_by_role(
        "link", name="Enter the exercise"
    ).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/exercises/[a-z0-9-]+/play/"))
    banner = page.get_by_role("note", name="Exercise")
    expect(banner).to_contain_text("EXERCISE")
    expect(banner).to_contain_text(NAME)


def search(page, words: str) -> None:
    """The quick search in the header."""
    page.get_by_role("searchbox", name="Search").fill(words)
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")


def test_an_exercise_is_run_played_evaluated_kept_apart_and_archived(page, live_server):
    # the controller plans the script, speeds its clock up, starts it and posts the first inject
    sign_in(page, live_server, SG_CHAIR)
    menu(page).get_by_role("link", name="Exercises").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercises")
    page.get_by_label("Script").select_option(label="Great Lakes escalation")
    page.get_by_label("Name").fill(NAME)
    page.get_by_role("button", name="Plan the exercise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".lead")).to_contain_text("planned")
    page.get_by_label("Speed (×1 to ×60)").fill("60")
    page.get_by_role("button", name="Set the speed").click()
    expect(page.get_by_role("status")).to_contain_text("×60")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".lead")).to_contain_text("running")
    expect(page.locator(".lead")).to_contain_text("×60")
    page.get_by_role("button", name="Post what is due now").click()
    first_inject = page.locator("#injects").get_by_role("row").filter(has_text=INJECT)
    expect(first_inject).to_contain_text("KINSHASA")
    expect(first_inject).to_contain_text("posted")
    exercise_url = page.url

    # the task force enters the exercise and triages the early warning there (target: 30 exercise minutes)
    sign_in(page, live_server, DGB_DIRECTOR)
    enter_the_exercise(page, live_server)
    menu(page).get_by_role("link", name=re.compile("Inbox")).click()
    page.get_by_role("link", name=INJECT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(INJECT)
    expect(page.get_by_role("note", name="Exercise")).to_be_visible()
    report_number = re.search(r"/play/reports/(\d+)$", page.url).group(1)
    panel = page.get_by_role("region", name="Triage for Task Force Great Lakes")
    panel.get_by_label("New status").select_option("under_review")
    panel.get_by_role("button", name="Change status").click()
    expect(panel.locator("p .status")).to_have_text("Under review")

    # the steering group adopts a decision addressed to the embassy, in the exercise
    sign_in(page, live_server, SG_CHAIR)
    enter_the_exercise(page, live_server)
    search(page, SEARCHED_WORD)  # the exercise's search finds its inject (the real one, below, must not)
    expect(page.locator(".search-results").get_by_role("link", name=INJECT)).to_be_visible()
    menu(page).get_by_role("link", name="Decisions").click()
    page.get_by_role("link", name="New decision").click()
    page.get_by_label("Issued by").select_option("steering-group")
    page.get_by_label("Title").fill(DECISION)
    page.get_by_label("Decision (Markdown)").fill("Reduce staff in Goma to essential staff; brief wardens.")
    page.get_by_label("Missions").select_option("mission:KINSHASA")
    page.get_by_label("Motivating field reports (numbers, comma-separated)").fill(report_number)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DECISION)
    page.get_by_role("button", name="Adopt decision").click()
    expect(page.locator(".badges .status")).to_have_text("Adopted")
    expect(page.locator('tr[data-unit="mission:KINSHASA"]')).to_contain_text("Not yet acknowledged")
    expect(page.get_by_role("note", name="Exercise")).to_be_visible()

    # the embassy acknowledges it, in the exercise
    sign_in(page, live_server, AMBASSADOR_KINSHASA)
    enter_the_exercise(page, live_server)
    menu(page).get_by_role("link", name=re.compile("Inbox")).click()
    page.locator(".decisions-inbox").get_by_role("link", name=DECISION).first.click()
    page.get_by_label("Answer for").select_option("mission:KINSHASA")
    page.get_by_label("Answer", exact=True).select_option("acknowledged")
    page.get_by_label("Comment (a reason is required if the unit cannot comply)").fill("Wardens briefed.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator('tr[data-unit="mission:KINSHASA"]')).to_contain_text("Acknowledged")

    # the controller reads the measured times against the targets
    sign_in(page, live_server, SG_CHAIR)
    page.goto(exercise_url)
    page.get_by_role("link", name="Evaluation and after-action review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation")
    measures = page.locator("#measures tbody tr")
    for measure, target in MEASURES.items():
        row = measures.filter(has_text=measure)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(re.compile(r"^(\d+[dhms])+$"))  # how long it took
        expect(row.locator("td").nth(3)).to_have_text(target)
        expect(row.locator("td").nth(4)).to_have_text("met")
    expect(measures.filter(has_text="Inject to first triage")).to_contain_text("gl-1")
    expect(measures.filter(has_text="Decision to last acknowledgement")).to_contain_text(DECISION)
    timeline = page.locator("#timeline")
    for event in ("Inject posted", "First triage", "Decision adopted", "Last acknowledgement"):
        expect(timeline).to_contain_text(event)

    # the real site knows nothing of it: inbox, its export, dashboard and search
    menu(page).get_by_role("link", name=re.compile("Inbox")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox")
    expect(page.get_by_role("note", name="Exercise")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(INJECT)
    expect(page.locator("main")).not_to_contain_text(DECISION)
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name="CSV", exact=True).click()
    assert not download.value.suggested_filename.startswith("EXERCISE-")
    with open(download.value.path(), encoding="utf-8") as export:
        exported = export.read()
    assert exported.strip() and INJECT not in exported and SEARCHED_WORD not in exported

    menu(page).get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator("main")).not_to_contain_text(INJECT)
    expect(page.locator("main")).not_to_contain_text(DECISION)

    search(page, SEARCHED_WORD)
    expect(page.locator("#no-results")).to_contain_text(SEARCHED_WORD)
    expect(page.locator("main")).not_to_contain_text(INJECT)

    # the controller ends and archives it: it is then listed only in the archive
    page.goto(exercise_url)
    page.get_by_role("button", name="End the exercise").click()
    expect(page.get_by_role("status")).to_contain_text("The exercise has ended")
    expect(page.locator(".lead")).to_contain_text("ended")
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("status")).to_contain_text("The exercise is archived.")
    menu(page).get_by_role("link", name="Exercises").click()
    expect(page.locator("#exercises")).not_to_contain_text(NAME)
    archived = page.locator("#archive").get_by_role("row").filter(has_text=NAME)
    expect(archived).to_have_count(1)
    expect(archived.get_by_role("link", name="Its record (read-only)")).to_be_visible()
