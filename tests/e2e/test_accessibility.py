"""axe-core, loaded into each page, finds no serious or critical WCAG 2.1 A/AA violation on the pages of the
navigation and the main detail pages, on a desktop screen and on a phone.

axe-core comes from the npm registry as its published tarball (checked against the registry's sha512
integrity pinned here) and is cached, so CI downloads it once and no Node.js is needed.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from coordination.decisions import service as decisions
from coordination.exercises import service as exercises
from coordination.seed import load_scenario
from coordination.structure import queries as structure
from tests.conftest import missing
from tests.demo import DEMO_PASSWORD, SG_CHAIR, SG_SECRETARY

pytestmark = pytest.mark.e2e

AXE_VERSION = "4.14.1"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "coordination-tests"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
DETAIL_PAGES = [
    r"^/reports/\d+$",
    r"^/decisions/\d+$",
    r"^/bodies/task-force-[\w-]+$",
    r"^/meetings/\d+$",
    r"^/lessons/\d+$",
    r"^/task-forces/[\w-]+/plan$",
    r"^/exercises/[\w-]+$",
    r"^/exercises/[\w-]+/play/$",  # an exercise's pages: the banner and the colour of their own
]
NOT_PAGES = re.compile(r"\.(csv|md|json)$|^/(api|static)/")


def _download_axe() -> str:
    with urllib.request.urlopen(AXE_TARBALL, timeout=30) as response:
        tarball = response.read()
    algorithm, expected = AXE_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise ValueError(f"{AXE_TARBALL}: {algorithm} {actual} is not the pinned {expected}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        return archive.extractfile("package/axe.min.js").read().decode()


@pytest.fixture(scope="session")
def axe_source() -> str:
    cached = CACHE / f"axe-core-{AXE_VERSION}.min.js"
    if not cached.exists():
        try:
            source = _download_axe()
        except OSError as error:
            missing(f"accessibility test skipped: cannot download axe-core from {AXE_TARBALL} ({error})")
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(source)
    return cached.read_text()


@pytest.fixture
def scenario(session):
    """The demo scenario, and one adopted decision, so that every kind of detail page has something."""
    now = datetime.now(UTC)
    load_scenario(session=session, now=now)
    secretary = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    decision = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Consular contingency plan",
        addressees=[("mission", "KINSHASA")],
        now=now,
    )
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    decisions.adopt(session=session, person=chair, decision=decision, now=now)
    drill = exercises.plan(
        session=session, actor=chair, script_key="great-lakes-escalation", name="Goma drill", now=now
    )
    exercises.start(session=session, actor=chair, exercise=drill, now=now)


def _violations(page, axe_source: str) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands, at each screen size in turn."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = []
    for screen, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        for violation in page.evaluate(AXE_RUN, WCAG_TAGS):
            found.append({**violation, "screen": screen})
    return found


AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
    .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
        targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"""


def _links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    paths = []
    for href in hrefs:
        parts = urlsplit(href or "")
        if not parts.scheme and parts.path.startswith("/") and not NOT_PAGES.search(parts.path):
            paths.append(parts.path)
    return list(dict.fromkeys(paths))


def _sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail address").fill(SG_SECRETARY)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_serious_accessibility_violations_on_desktop_and_phone(browser, live_server, scenario, axe_source):
    started = time.monotonic()
    # axe is injected as an inline script, which the app's Content-Security-Policy rightly refuses
    context = browser.new_context(locale="en-GB", viewport=VIEWPORTS["desktop"], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[dict]] = {}
    try:
        page.goto(f"{live_server}/login")
        found["/login"] = _violations(page, axe_source)
        _sign_in(page, live_server)
        navigation = _links(page, "header a[href]")
        details: dict[str, str] = {}
        for path in [*navigation, "/reports/new"]:
            page.goto(f"{live_server}{path}")
            found[path] = _violations(page, axe_source)
            for link in _links(page, "main a[href]"):
                kind = next((pattern for pattern in DETAIL_PAGES if re.match(pattern, link)), None)
                if kind and kind not in details:
                    details[kind] = link
        for path in details.values():
            page.goto(f"{live_server}{path}")
            found[path] = _violations(page, axe_source)
    finally:
        context.close()
    seconds = time.monotonic() - started
    every = [(path, v) for path, violations in found.items() for v in violations]
    print(f"\naxe-core {AXE_VERSION}: {len(found)} pages x {len(VIEWPORTS)} screens in {seconds:.1f}s")
    for path, v in every:
        print(f"  {v['impact']:<8} {v['id']:<28} {v['screen']:<7} {path} {v['targets']}")
    wanted = {*DETAIL_PAGES[:3], *DETAIL_PAGES[-2:]}  # the exercise's controller page and its own pages
    assert len(navigation) >= 10 and set(details) >= wanted, (navigation, details)
    blocking = [
        f"{v['id']} ({v['impact']}) on {path} [{v['screen']}]: {', '.join(v['targets'])}"
        for path, v in every
        if v["impact"] in BLOCKING
    ]
    assert blocking == [], "\n".join(blocking)
