"""In Dutch and French, the pages of the navigation and their detail pages show no English the app wrote.

The demo scenario is English user content (titles, report texts), so the search is for a kept list of
English texts that only the application writes: whole phrases anywhere in the visible text, and single
words (statuses, stages) only where they stand as a whole label: a badge, a table cell, an option.
"""

import os
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from coordination.decisions import service as decisions
from coordination.seed import load_scenario
from coordination.structure import queries as structure
from tests.demo import SG_CHAIR, SG_SECRETARY

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)

# Phrases only the application writes; each is searched as whole words in the visible text of the page.
ENGLISH_PHRASES = [
    # routing reasons
    "platform of the posting mission",
    "task force covers",
    "steering group early-warning queue",
    "tactical intelligence:",
    "strategic intelligence",
    "forwarded by",
    "handed over at set-up",
    # agenda items
    "Review priority",
    "Validated report",
    "Awaiting acknowledgement from",
    "Overdue action",
    "Situation report due from",
    # annual review
    "Annual review",
    "Points of disagreement",
    "No party recorded a disagreement",
    "No actions fell due this year",
    "No objectives were set for this year",
    "thousands of euros",
    "of what was committed",
    "no measurement",
    "not measured",
    "target met",
    # notifications
    "Please triage it for your body",
    "Early warning on",
    "was adopted",
    "is overdue",
    # times
    "UTC",
    "Brussels time",
]

# English country names (unlike their Dutch and French names), searched as "Name (ISO code)".
ENGLISH_COUNTRIES = [
    "Democratic Republic of the Congo",
    "DR Congo",
    "Central African Republic",
    "Lebanon",
    "Jordan",
    "Iraq",
    "Syria",
    "Yemen",
    "Saudi Arabia",
    "Uganda",
    "Ethiopia",
    "Somalia",
    "South Sudan",
    "Sudan",
    "Chad",
    "Ukraine",
    "Libya",
    "Egypt",
    "Morocco",
    "Tunisia",
    "Belgium",
    "Palestine",
]

# Words the application writes as a whole label (a status, a stage, a classification, a role, a country).
ENGLISH_LABELS = {
    "draft",
    "adopted",
    "withdrawn",
    "acknowledged",
    "not yet acknowledged",
    "open",
    "done",
    "blocked",
    "in progress",
    "new",
    "under review",
    "validated",
    "dismissed",
    "archived",
    "unclassified",
    "restricted",
    "confidential",
    "secret",
    "information",
    "low",
    "medium",
    "high",
    "critical",
    "chair",
    "co-chair",
    "member",
    "secretary",
    "observer",
    "late",
    "overdue",
    "regional",
    "other",
} | {name.lower() for name in ENGLISH_COUNTRIES}

# English words that are also the word in that language.
SAME_WORD = {"nl": {"open"}, "fr": {"secret", "information", "palestine", "ukraine"}}

LABEL_TAGS = {"td", "th", "option", "dd", "dt", "li", "button", "label", "summary", "legend"}
LABEL_CLASSES = {"status", "badge", "stage", "classification", "tag", "severity"}

DETAIL_PATTERNS = [
    r"^/reports/\d+$",
    r"^/decisions/\d+$",
    r"^/actions/\d+$",
    r"^/bodies/task-force-[\w-]+$",
    r"^/bodies/[\w-]+/triage$",
    r"^/meetings/\d+$",
    r"^/meetings/\d+/[\w-]+$",
    r"^/lessons/\d+$",
    r"^/task-forces/[\w-]+/plan$",
    r"^/priorities/\d+$",
    r"^/missions/[A-Z]+$",
    r"^/departments/[A-Z]+$",
    r"^/people/\d+$",
    r"^/situation-reports/\d+$",
]
EXTRA_PAGES = [
    "/bodies/steering-group/meetings",
    "/task-forces/task-force-great-lakes/plan",
    "/bodies/task-force-great-lakes/triage",
    "/press",
    "/settings/password",
]
# The audit log shows each event's recorded details as they were stored.
RECORDED_AS_IS = {"/audit"}
SKIP = re.compile(r"\.(csv|md|json)$|^/(api|static|logout|language)\b|/(new|edit|import)$")


class _Page(HTMLParser):
    """The visible text of a page, its label texts and its local links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.labels: list[str] = []
        self.links: list[str] = []
        self._stack: list[tuple[str, bool, list[str]]] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            return
        classes = set((attrs.get("class") or "").split())
        self._stack.append((tag, tag in LABEL_TAGS or bool(classes & LABEL_CLASSES), []))

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self._hidden = max(0, self._hidden - 1)
        while self._stack:
            open_tag, is_label, parts = self._stack.pop()
            whole = " ".join(" ".join(parts).split())
            if is_label and whole:
                self.labels.append(whole)
            if self._stack:
                self._stack[-1][2].append(whole)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._hidden:
            return
        self.text.append(data)
        if self._stack:
            self._stack[-1][2].append(data)


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _english_on(html: str, locale: str) -> set[str]:
    page = _read(html)
    text = " ".join(" ".join(page.text).split())
    same = SAME_WORD[locale]
    found = {p for p in ENGLISH_PHRASES if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)}
    found |= {
        f"{name} (…)"
        for name in ENGLISH_COUNTRIES
        if name.lower() not in same and re.search(rf"(?<!\w){re.escape(name)} \([A-Z]{{3}}\)", text)
    }
    found |= {f"[{label}]" for label in page.labels if label.lower() in ENGLISH_LABELS - same}
    return found


def _local(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
        return None
    return parts.path


def _navigation(html: str) -> list[str]:
    header = html.split("<header", 1)[1].split("</header>", 1)[0] if "<header" in html else html
    return [path for href in _read(header).links if (path := _local(href))]


def crawl(client, extra: list[str], per_kind: int = 2, depth: int = 2) -> dict[str, str]:
    """Every page of the navigation and `extra`, then up to `per_kind` detail pages of each kind found on
    them, `depth` levels down."""
    level = list(dict.fromkeys([*_navigation(client.get("/").get_data(as_text=True)), *extra]))
    pages: dict[str, str] = {}
    taken = dict.fromkeys(DETAIL_PATTERNS, 0)
    for _ in range(depth + 1):
        following = []
        for path in level:
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            pages[path] = html = response.get_data(as_text=True)
            for href in _read(html.split("<main", 1)[-1]).links:
                link = _local(href)
                pattern = link and next((p for p in DETAIL_PATTERNS if re.match(p, link)), None)
                if pattern and taken[pattern] < per_kind and link not in pages and link not in following:
                    taken[pattern] += 1
                    following.append(link)
        level = following
    return pages


@pytest.fixture
def scenario(app, session):
    # as `coordination seed` does: in the application, so notifications are written in each one's language
    with app.app_context():
        load_scenario(session=session, now=NOW)
    secretary = structure.get_person_by_email(session=session, email=SG_SECRETARY)
    chair = structure.get_person_by_email(session=session, email=SG_CHAIR)
    draft = decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Consular contingency plan",
        addressees=[("mission", "KINSHASA"), ("body", "task-force-great-lakes")],
        now=NOW,
    )
    decisions.adopt(session=session, person=chair, decision=draft, now=NOW)
    decisions.draft_decision(
        session=session,
        author=secretary,
        issuing_body="steering-group",
        title="Evacuation routes",
        addressees=[("mission", "KINSHASA")],
        now=NOW,
    )


# Wording does not depend on the database (the pages' reads run on both in the other web tests).
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_english_application_text_in_dutch_and_french(client, auth, scenario):
    auth.login(SG_SECRETARY)
    english = {}
    for locale in ("nl", "fr"):
        client.post("/language", data={"locale": locale, "next": "/"})
        pages = crawl(client, extra=EXTRA_PAGES)
        assert len(pages) > 25, sorted(pages)
        if dump := os.environ.get("COORDINATION_CRAWL_DUMP"):
            with open(f"{dump}.{locale}.txt", "w") as out:
                for path, html in pages.items():
                    out.write(f"=== {path}\n{' '.join(' '.join(_read(html).text).split())}\n")
        for path, html in pages.items():
            if path not in RECORDED_AS_IS and (found := _english_on(html, locale)):
                english[f"{locale} {path}"] = sorted(found)
    assert english == {}, "\n".join(f"{page}: {', '.join(found)}" for page, found in sorted(english.items()))
