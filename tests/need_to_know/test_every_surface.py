"""Need-to-know over every surface: for each person of the world and every GET route in the app's URL
map (pages, API, search, exports, feeds, .ics) and the e-mail each person received, no token of an item
the rule hides from them may appear, and every item the rule allows must be reachable on its own pages
and in search.

A route is walked without editing this file: its parameters come from the world (report ids for
`report_id`, body slugs for `slug`, ...). A route whose parameter the world cannot fill fails the test,
so that a new kind of page is not silently left out.

Counts are per (person, item, surface) triple; the summary is printed at the end of the run.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import multiprocessing
import os
import re
import shutil
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pypdf
import pytest
from sqlmodel import Session

from coordination import db
from coordination.jobs import tasks
from coordination.notifications.mail import Mailer
from tests import summary
from tests.conftest import _admin_connection, _drop_database, _postgres_url, make_app
from tests.demo import DEMO_PASSWORD
from tests.need_to_know.world import COMMON_WORD, EXERCISE_TOKEN_PREFIX, TOKEN_PREFIX, World, build_world

TOKEN = re.compile(TOKEN_PREFIX + "[a-z]{4}")
EXERCISE_TOKEN = re.compile(EXERCISE_TOKEN_PREFIX + "[a-z]{4}")
# The exercise's own record on the real site: its evaluation names the decisions adopted in it (those its
# reader may see there). Every other real surface must show nothing made in an exercise.
EXERCISE_RECORD = {"/exercises/<key>/evaluation", "/api/v1/exercises/<key>/evaluation"}
# Where an item the reader may see must show (its title token), by kind.
HOME = {
    "report": ["/reports/<int:report_id>", "/api/v1/field-reports/<int:report_id>"],
    "decision": ["/decisions/<int:decision_id>", "/api/v1/decisions/<int:decision_id>"],
    "action": ["/actions/<int:action_id>"],
    "sitrep": ["/situation-reports/<int:sitrep_id>", "/api/v1/situation-reports/<int:item_id>"],
    "lesson": ["/lessons/<int:lesson_id>", "/api/v1/lessons/<int:lesson_id>"],
    "meeting": ["/meetings/<int:meeting_id>", "/api/v1/meetings/<int:item_id>"],
    "attachment": [
        "/<any(reports,decisions,lessons):owner_path>/<int:owner_id>/attachments/<int:attachment_id>",
        "/api/v1/field-reports/<int:report_id>/attachments/<int:attachment_id>",
        "/api/v1/decisions/<int:decision_id>/attachments/<int:attachment_id>",
        "/api/v1/lessons/<int:lesson_id>/attachments/<int:attachment_id>",
    ],
}
SEARCH_KINDS = {
    "report": "report",
    "decision": "decision",
    "minutes": "meeting",
    "sitrep": "sitrep",
    "lesson": "lesson",
}
SEARCH_API = "/api/v1/search"
# Where a situation report's frozen text is shown: what it quotes may appear there to its readers.
SITREP_SURFACES = {
    "/situation-reports/<int:sitrep_id>",
    "/api/v1/situation-reports/<int:item_id>",
    "/situation-reports/<int:sitrep_id>.pdf",
    "/api/v1/situation-reports/<int:item_id>.pdf",
    "/situation-reports/<int:sitrep_id>/edxl-sitrep.xml",
    "/api/v1/situation-reports/<int:item_id>/edxl-sitrep.xml",
    "/search",
    SEARCH_API,
}
# Query strings walked in addition to the bare route: filters, print views, search.
VARIANTS = {
    "/search": [f"?q={COMMON_WORD}", f"?q={COMMON_WORD}&page=2"],
    SEARCH_API: [f"?q={COMMON_WORD}&limit=100"],
    "/inbox": ["?unread=1"],
    "/api/v1/inbox": ["?limit=500"],
    "/api/v1/actions": ["?include_done=true"],
    "/actions": ["?done=1"],
    "/decisions": ["?status=draft", "?status=adopted"],
    "/lessons": ["?stage=submitted", "?country=NER"],
    "/early-warning": ["?weeks=52"],
    "/situation-reports/<int:sitrep_id>": ["?print=1"],
}
SKIPPED_CONVERTERS = ("<path:",)  # static files


@pytest.fixture(scope="module")
def mailbox():
    from aiosmtpd.controller import Controller

    from tests.smtp import Inbox, _free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.host, inbox.port = controller.hostname, controller.port
    yield inbox
    controller.stop()


@pytest.fixture(scope="module")
def world_app(backend, seeded_template, tmp_path_factory, mailbox):
    """The app on a database of its own for this module, with the world built in it and the scheduler's
    jobs run over it (reminders halfway to the deadline, escalation after it, action reminders)."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("ntk") / "world.db"
        shutil.copyfile(seeded_template, path)
        url, name = f"sqlite:///{path}", None
    else:
        name = f"coordination_ntk_{uuid.uuid4().hex[:10]}"
        with _admin_connection() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_template}"')
        url = _postgres_url(name)
    app = make_app(url, SMTP_HOST=mailbox.host, SMTP_PORT=mailbox.port)
    with Session(db.engine_of(app), expire_on_commit=False) as session:
        world = build_world(session, app.config)
        mailer = Mailer.from_config(app.config)
        base = app.config["BASE_URL"]
        for job, when in (
            (tasks.remind_acknowledgements, world.now + timedelta(hours=25)),
            (tasks.escalate_overdue_acknowledgements, world.now + timedelta(hours=49)),
            (tasks.remind_actions, world.now),
            (tasks.send_pending_email, world.now + timedelta(hours=50)),
        ):
            job(session=session, now=when, mailer=mailer, base_url=base)
    yield app, world
    db.engine_of(app).dispose()
    if name:
        _drop_database(name)


def get_routes(app) -> list:
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not any(c in r.rule for c in SKIPPED_CONVERTERS)
    ]
    return sorted(rules, key=lambda r: r.rule)


def instances(rule, world: World, viewer) -> list[str]:
    """Every URL of this rule the world can fill, with the rule's query variants."""
    if "attachment_id" in rule.arguments:
        return attachment_urls(rule, world)
    choices = []
    for argument in sorted(rule.arguments):
        before = rule.rule.split(f":{argument}>")[0].split(f"<{argument}>")[0]
        segment = [part for part in before.split("/") if part and not part.startswith("<")][-1]
        if argument == "token":
            values = [viewer.feed_token]
        else:
            values = world.route_values.get(f"{segment}/{argument}", world.route_values.get(argument))
        if values is None:
            pytest.fail(f"the world has no value for <{argument}> in {rule.rule}: add it to route_values")
        choices.append([(argument, v) for v in values])
    urls = []
    for combination in itertools.product(*choices):
        path = rule.rule
        for argument, value in combination:
            path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(value), path)
        urls.append(path)
    return [url + variant for url in urls for variant in ["", *VARIANTS.get(rule.rule, [])]]


def attachment_urls(rule, world: World) -> list[str]:
    """A file's URLs name its item too: each attached file under its own item only."""
    urls = []
    for item in world.items:
        if item.kind != "attachment":
            continue
        kind, owner_id = item.facts["owner_kind"], item.facts["owner_id"]
        values = {"owner_id": owner_id, f"{kind}_id": owner_id, "attachment_id": item.id}
        if not set(rule.arguments) - {"owner_path"} <= set(values):
            continue
        path = re.sub(r"<any\([^)]*\):owner_path>", f"{kind}s", rule.rule)
        for argument in rule.arguments - {"owner_path"}:
            path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(values[argument]), path)
        urls.append(path)
    return urls


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return pdf_text(response.get_data()).lower()
    body = response.get_data(as_text=True)
    if response.mimetype == "text/calendar":
        body = body.replace("\r\n ", "").replace("\n ", "")
    return body.lower()


@functools.lru_cache(maxsize=64)
def pdf_text(data: bytes) -> str:
    """A PDF's text as its reader sees it (its pages are compressed: the bytes show no token). Every reader
    of an item gets the same document, so each is read once."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


class Tally:
    def __init__(self):
        self.checked = 0
        self.leaks: Counter = Counter()
        self.denials: Counter = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)

    def leak(self, surface: str, viewer, item) -> None:
        self.leaks[surface] += 1
        if len(self.examples[surface]) < 5:
            self.examples[surface].append(f"leak: {viewer.label} sees {item.name}")

    def denial(self, surface: str, viewer, item, why: str) -> None:
        self.denials[surface] += 1
        if len(self.examples[surface]) < 5:
            self.examples[surface].append(f"denial: {viewer.label} cannot reach {item.name} ({why})")


@dataclass
class Walk:
    """What one person's walk over every route found."""

    viewer_index: int
    seen_on: dict[str, set[str]] = field(default_factory=dict)  # surface -> tokens shown
    home_seen: dict[str, set[str]] = field(default_factory=dict)  # home URL -> tokens it showed (200 only)
    search_found: set[tuple[str, int]] = field(default_factory=set)
    exercise_seen: dict[str, set[str]] = field(default_factory=dict)  # surface -> exercise tokens shown
    requests: int = 0
    spent: Counter = field(default_factory=Counter)


HOMES = {home for homes in HOME.values() for home in homes}


def walk(database_url: str, world: World, viewer_indexes: list[int]) -> tuple[list[Walk], list[str]]:
    """Sign in as each of these people and GET every URL of every route; runs in a worker process."""
    app = make_app(database_url)
    routes = get_routes(app)
    exercise_tokens = set(world.exercise_tokens)
    walks = []
    for index in viewer_indexes:
        viewer = world.viewers[index]
        result = Walk(index)
        client = app.test_client()
        response = client.post("/login", data={"email": viewer.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{viewer.label} cannot sign in"
        bearer = {"Authorization": f"Bearer {viewer.api_token}"}
        for rule in routes:
            urls = instances(rule, world, viewer)
            found: set[str] = set()
            for url in urls:
                started = time.perf_counter()
                response = client.get(url, headers=bearer if url.startswith("/api/") else {})
                result.spent[rule.rule] += time.perf_counter() - started
                result.requests += 1
                text = text_of(response)
                tokens = set(TOKEN.findall(text))
                found |= tokens
                leaked = set(EXERCISE_TOKEN.findall(text)) & exercise_tokens  # (an image's bytes may match)
                if leaked and rule.rule not in EXERCISE_RECORD:
                    result.exercise_seen.setdefault(url, set()).update(leaked)
                if rule.rule in HOMES and "?" not in url:
                    result.home_seen[url] = tokens if response.status_code == 200 else set()
                if rule.rule == SEARCH_API and response.status_code == 200:
                    for hit in json.loads(response.get_data(as_text=True)).get("items", []):
                        result.search_found.add((SEARCH_KINDS[hit["kind"]], hit["id"]))
            if urls:
                result.seen_on[rule.rule] = found
        walks.append(result)
    db.engine_of(app).dispose()
    return walks, [r.rule for r in routes]


def test_no_surface_shows_what_its_reader_may_not_see(world_app, mailbox, backend):
    app, world = world_app
    routes = get_routes(app)
    for variant in VARIANTS:
        assert any(r.rule == variant for r in routes), f"VARIANTS names a route that is gone: {variant}"
    for rule in routes:  # every route's parameters can be filled before any worker starts
        instances(rule, world, world.viewers[0])
    mail_by_person = defaultdict(list)
    exercise_mail_unmarked = []
    for message in mailbox.messages:
        text = f"{message['Subject']}\n{message.get_content()}".lower()
        if set(EXERCISE_TOKEN.findall(text)) & set(world.exercise_tokens) and not message[
            "Subject"
        ].startswith("[EXERCISE "):
            exercise_mail_unmarked.append(message["Subject"])
        for address in (message["X-Envelope-To"] or "").split(", "):
            mail_by_person[address.lower()].append(text)

    # The people are walked by as many worker processes as there are cores (two in CI). Both backends run
    # the same queries, so each walks one half of the world, balanced so that each half holds every
    # clearance, department, body, role and administrators: together they walk everyone and the whole CI
    # run stays within its 30 minutes (COORDINATION_NTK_STRIDE=1 walks everyone on each backend; any
    # other stride walks every stride-th person).
    workers = int(os.environ.get("COORDINATION_NTK_WORKERS", min(os.cpu_count() or 1, 4)))
    stride = int(os.environ.get("COORDINATION_NTK_STRIDE", 2))
    if stride == 2:
        half = 1 if backend == "sqlite" else 0
        walked_people = [n for n, viewer in enumerate(world.viewers) if viewer.half == half]
    else:
        walked_people = list(range(len(world.viewers)))[::stride]
    shares = [walked_people[n::workers] for n in range(workers)]
    url = app.config["DATABASE_URL"]
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(walk, [url] * workers, [world] * workers, shares))
    else:
        results = [walk(url, world, shares[0])]
    walks = [w for found, _rules in results for w in found]
    walked = set(results[0][1])

    by_token = world.by_token()
    tally = Tally()
    requests = sum(w.requests for w in walks)
    spent = sum((w.spent for w in walks), Counter())
    for result in walks:
        viewer = world.viewers[result.viewer_index]
        may_see = {(item.kind, item.id): world.may_see(viewer, item) for item in world.items}
        seen_on = dict(result.seen_on)
        seen_on["e-mail"] = set(TOKEN.findall("\n".join(mail_by_person[viewer.email.lower()])))
        quoted = world.quoted_for(viewer)
        for surface, found in seen_on.items():
            tally.checked += len(world.items)
            if surface in SITREP_SURFACES:
                found = found - quoted
            for item in {by_token[t] for t in found if t in by_token}:
                if not may_see[item.kind, item.id]:
                    tally.leak(surface, viewer, item)
        for item in world.items:
            if not may_see[item.kind, item.id]:
                continue
            homes = item.facts.get("homes") or [re.sub(r"<[^>]+>", str(item.id), h) for h in HOME[item.kind]]
            for url in homes:
                # a file's page is its content: its name is in a header, its content token in the body
                wanted = set(item.tokens) if item.kind == "attachment" else {item.tokens[0]}
                if not wanted & result.home_seen.get(url, set()):
                    tally.denial(url, viewer, item, f"not on {url}")
            if item.kind in SEARCH_KINDS.values() and (item.kind, item.id) not in result.search_found:
                tally.denial(SEARCH_API, viewer, item, "not found by search")

    # the control: the exercise's own pages do show what was made in it
    controller = next(v for v in world.viewers if v.label == "steering-group co-chair")
    client = app.test_client()
    client.post("/login", data={"email": controller.email, "password": DEMO_PASSWORD})
    shown = client.get(f"/exercises/{world.route_values['key'][0]}/play/search?q={COMMON_WORD}").text.lower()
    assert set(world.exercise_tokens[:1] + world.exercise_tokens[2:4]) <= set(EXERCISE_TOKEN.findall(shown))
    exercise_leaks = {
        f"{world.viewers[w.viewer_index].label} on {url}: {sorted(tokens)}"
        for w in walks
        for url, tokens in w.exercise_seen.items()
    }
    triples = tally.checked
    lines = [
        f"need-to-know matrix [{backend}]: {len(walked_people)} of {len(world.viewers)} people x "
        f"{len(world.items)} items x "
        f"{len(walked) + 1} surfaces ({len(walked)} GET routes and e-mail), {requests} requests by "
        f"{workers} worker(s): "
        f"{triples} (person, item, surface) triples checked, {sum(tally.leaks.values())} leaks, "
        f"{sum(tally.denials.values())} wrongful denials"
    ]
    lines.append(
        f"  exercise items ({len(world.exercise_tokens)} tokens) on real surfaces: {len(exercise_leaks)}; "
        f"in e-mail not marked EXERCISE: {len(exercise_mail_unmarked)}"
    )
    lines += [f"    exercise leak: {leak}" for leak in sorted(exercise_leaks)[:10]]
    for surface in sorted(set(tally.leaks) | set(tally.denials)):
        lines.append(f"  {surface}: {tally.leaks[surface]} leaks, {tally.denials[surface]} denials")
        lines += [f"    {example}" for example in tally.examples[surface]]
    summary.add(*lines)
    slowest = ", ".join(f"{rule} {seconds:.1f} s" for rule, seconds in spent.most_common(8))
    lines.append(f"  slowest surfaces (all people): {slowest}")
    report_path = os.environ.get("COORDINATION_NTK_ROUTES")
    if report_path:
        with open(report_path, "a") as out:
            out.write("\n".join([*lines, "routes walked:", *sorted(walked), ""]) + "\n")
    assert triples > 100_000
    assert not tally.leaks and not tally.denials, "\n".join(lines)
    assert not exercise_leaks and not exercise_mail_unmarked, "\n".join(lines)
