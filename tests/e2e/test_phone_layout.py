"""Browser on a 390x844 phone: no page of the navigation scrolls sideways, the menu button opens the
navigation, and the report form's first field is on the first screen."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from coordination.decisions import service as decisions
from coordination.structure import queries as structure
from tests import factories
from tests.demo import AMBASSADOR_KINSHASA, DEMO_PASSWORD, SG_CHAIR, SG_SECRETARY

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
TASK_FORCE = "/task-forces/task-force-great-lakes"
LONG_ADDRESS = "https://reports.example/goma/" + "checkpoint-positions-" * 8 + "map.pdf"

# How wide the page is and, when wider than the screen, its widest element outside any container that
# scrolls or clips on its own. (A phone zooms out to show a page wider than its screen, so innerWidth
# grows with the page: the screen's width is passed in.)
MEASURE = """(screen) => {
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= screen) return {scrollWidth};
  const inScroller = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = null, right = 0;
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > right && box.width > 0 && !inScroller(element)) { right = box.right; widest = element; }
  }
  const classes = (widest.getAttribute("class") || "").split(/\\s+/).filter(Boolean).map((c) => "." + c);
  const text = widest.textContent.replace(/\\s+/g, " ").trim().slice(0, 40);
  const name = widest.tagName.toLowerCase() + classes.join("");
  return {scrollWidth, widest: `${name} "${text}"`, right: Math.round(right)};
}"""

FIRST_FIELD = "form.report-form :is(input:not([type=hidden]), select, textarea):visible >> nth=0"


def sign_in_on_phone(browser, base_url: str, email: str):
    context = browser.new_context(
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        service_workers="block",  # layout only: the offline queue has its own test
    )
    blocked = []
    context.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    return context, page, blocked


def opened_in_tabs(tabs, base_url: str, paths):
    """Open the pages a few at a time, one per tab (the server answers them side by side), and yield
    each tab once its page is loaded."""
    for start in range(0, len(paths), len(tabs)):
        batch = list(zip(tabs, paths[start : start + len(tabs)], strict=False))
        left = {}
        for tab, path in batch:
            left[path] = tab.url
            tab.evaluate("url => { window.location.href = url; }", f"{base_url}{path}")
        for tab, path in batch:  # (some pages redirect: /steering-group is a body's page)
            tab.wait_for_url(lambda url, old=left[path]: url != old, wait_until="domcontentloaded")
            yield tab, path


def adopted_decision(session) -> str:
    """A decision all three roles may read: the steering group's, addressed to Kinshasa and the task force."""
    now = datetime.now(UTC)
    decision = decisions.draft_decision(
        session=session,
        author=structure.get_person_by_email(session=session, email=SG_SECRETARY),
        issuing_body="steering-group",
        title="Reinforce the consular warden network in eastern DR Congo",
        text="Update the warden lists and the evacuation routes.",
        addressees=[("mission", "KINSHASA"), ("body", "task-force-great-lakes")],
        now=now,
    )
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    decisions.adopt(session=session, person=chair, decision=decision, now=now)
    return f"/decisions/{decision.id}"


def report_with_a_long_address(session) -> str:
    """A high-severity report from Kinshasa (the task force and the steering group receive it) whose
    long unbroken address must wrap, not widen the page."""
    ambassador = structure.get_person_by_email(session=session, email=AMBASSADOR_KINSHASA)
    posted = factories.post(
        session,
        ambassador,
        title="Checkpoints moved on the Goma–Rutshuru road",
        body=f"Seen by the driver: {LONG_ADDRESS}",
        mission_code="KINSHASA",
        country_code="COD",
        severity="high",
    )
    return f"/reports/{posted.report.id}"


# The page's layout, focus and wording do not depend on the database; the server's side of it runs on
# both in the web tests. One backend keeps the browser journeys within CI's time.
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_page_fits_a_phone_and_the_menu_opens(browser, live_server, session):
    report, decision = report_with_a_long_address(session), adopted_decision(session)
    sideways = []
    # an embassy (few links) and the steering group's secretary, an administrator (every link)
    for email in (AMBASSADOR_KINSHASA, SG_SECRETARY):
        context, page, blocked = sign_in_on_phone(browser, live_server, email)
        menu = page.get_by_role("button", name="Menu")
        navigation = page.get_by_role("navigation", name="Main")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(navigation).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(navigation.get_by_role("link", name="Missions")).to_be_visible()
        assert navigation.get_by_role("link", name="Missions").bounding_box()["height"] >= 44

        paths = navigation.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        paths = list(dict.fromkeys([*paths, report, decision, TASK_FORCE]))
        tabs = [page, context.new_page(), context.new_page()]
        for tab, path in opened_in_tabs(tabs, live_server, paths):
            measured = tab.evaluate(MEASURE, PHONE["width"])
            if measured["scrollWidth"] > PHONE["width"]:
                sideways.append((email, path, measured))
            if path == report:  # a sub-page marks its section
                expect(tab.locator(".mainnav a[aria-current=true]")).to_have_text(re.compile("^Inbox"))
            if path == "/reports/new":
                expect(tab.locator(".mainnav a[aria-current=page]")).to_have_text("New report")
                first_field = tab.locator(FIRST_FIELD).bounding_box()
                assert first_field["y"] + first_field["height"] <= PHONE["height"], first_field
                tab.get_by_role("button", name="Post report").tap(trial=True)  # nothing lies over it
        context.close()
        assert blocked == [], blocked
    assert sideways == [], "pages wider than the phone:\n" + "\n".join(map(str, sideways))
