"""Fill a database with ministry-scale volumes for the benchmark (issue 8).

    .venv/bin/python bench/generate.py [--database-url URL] [--scale 1.0] [--seed 1] [--years 5] [--replace]

At scale 1: 300 missions with their consultation platforms, 5,000 people, 100 task forces of which 30
active, 1,000,000 field reports over five years with their deliveries, reads, triage comments and audit
events, 50,000 decisions with addressees (most acknowledged) and actions, 20,000 lessons with their
stage history. The seed (`load_seed`, demo password "demo-coordination") and the demo scenario are
loaded first, so the demo accounts exist and sign in; generated rows come on top. The same seed gives
the same rows (times are counted back from `--now`, today by default).

Bulk rows bypass the ORM (SQLAlchemy Core inserts in transactions of a few thousand rows), so the
search index, which follows the ORM, is filled here with `search.index.put`, and the organisation
revision is bumped so that cached graphs are rebuilt. Deliveries come from the project's own
`route_report`, over a routing index per month of the five years: task forces stood down since then
received the reports of their countries while they were active.

Search: `COMMON_WORD` is in a large share of reports; `RARE_WORD` is in exactly `rare_reports` reports
(printed at the end, and in the summary) plus one decision and one lesson.
"""

from __future__ import annotations

import argparse
import bisect
import html
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from types import SimpleNamespace

import networkx as nx
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

try:  # run as `python bench/generate.py` or imported as `bench.generate`
    from bench import vocabulary as words
    from bench.progress import Progress
except ImportError:  # pragma: no cover
    import vocabulary as words  # type: ignore[no-redef]
    from progress import Progress  # type: ignore[no-redef]

from coordination import db
from coordination.audit import chain as audit_chain
from coordination.audit.models import AuditEvent
from coordination.decisions.models import Action, ActionUpdate, Addressee, Decision, DecisionReport
from coordination.lessons.models import Lesson, LessonDecision, LessonReport, LessonTransition
from coordination.places.queries import town
from coordination.reports.models import Delivery, FieldReport, ReportComment, ReportRead
from coordination.routing.rules import ReportFacts, RoutingIndex, TaskForceScope, route_report, routing_index
from coordination.search import index as search_index
from coordination.seed import load_scenario, load_seed
from coordination.structure import service as structure_service
from coordination.structure.graph import build_organisation_graph
from coordination.structure.models import (
    Body,
    BodyCountry,
    BodyMission,
    Country,
    Department,
    Directorate,
    Membership,
    Mission,
    MissionAccreditation,
    Person,
)

DEMO_PASSWORD = "demo-coordination"
DEFAULT_URL = "sqlite:///bench/data/bench.db"
COMMON_WORD = words.COMMON_WORD
RARE_WORD = words.RARE_WORD
# Full-scale volumes; --scale multiplies them (the organisation has small floors so that a smoke run
# still has generated missions, people and task forces).
VOLUMES = {
    "missions": 300,
    "people": 5000,
    "task_forces": 100,
    "active_task_forces": 30,
    "reports": 1_000_000,
    "decisions": 50_000,
    "lessons": 20_000,
}
BATCH = 5000
# People whose inbox the benchmark opens: they have read what reached them more than a month ago.
DEMO_READERS = ("bart.heylen@diplobel.example", "annelies.vercammen@diplobel.example")
CLEARANCES = ("unclassified", "confidential", "secret", "top_secret")
SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_WEIGHTS = (45, 25, 18, 9, 3)
THEMES = ("diplomacy", "development", "defence", "law", "order", "humanitarian", "economic", "consular")
THEME_WEIGHTS = (20, 14, 10, 8, 10, 16, 8, 4)
TRIAGE_BODY_KINDS = {"task_force", "steering_group"}
PLATFORM_SEATS = [
    ("FA", "DGB", "Political counsellor"),
    ("FA", "DGD", "Development cooperation attaché"),
    ("FA", "DGC", "Consul, head of the consular section"),
    ("DEF", None, "Defence attaché"),
    ("POL", None, "Police liaison officer"),
    ("ENABEL", None, "Enabel resident representative"),
    ("AWEX", None, "Economic and commercial attaché (AWEX)"),
    ("FIT", None, "Economic and commercial attaché (Flanders Investment & Trade)"),
    ("HUB", None, "Economic and commercial attaché (hub.brussels)"),
    ("JUST", None, "Liaison magistrate"),
    ("INT", None, "Migration liaison officer"),
]
HQ_DEPARTMENTS = {"FA": 40, "DEF": 15, "POL": 6, "JUST": 5, "INT": 5, "ENABEL": 6}


# --- texts ------------------------------------------------------------------------------------------


def fast_html(paragraphs: list[str], bullets: list[str]) -> str:
    """What `coordination.markup.render_markdown` makes of the generated Markdown (plain paragraphs and
    one bullet list), without its cost (about 0.6 ms a report); tests/test_bench.py checks they agree."""
    parts = [f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs]
    if bullets:
        items = "\n".join(f"<li>{html.escape(b, quote=False)}</li>" for b in bullets)
        parts.append(f"<ul>\n{items}\n</ul>")
    return "\n".join(parts)


def markdown_of(paragraphs: list[str], bullets: list[str]) -> str:
    text_ = "\n\n".join(paragraphs)
    if bullets:
        text_ += "\n\n" + "\n".join(f"- {b}" for b in bullets)
    return text_


@dataclass
class Writer:
    """Puts texts together from the vocabulary, with the places of a country filled in."""

    rng: Random
    cities: list[str]

    def fill(self, template: str, place: str, country: str, region: str) -> str:
        rng = self.rng
        return template.format(
            place=place,
            place2=rng.choice(self.cities),
            country=country,
            region=region,
            topic=rng.choice(words.TOPICS),
            n=rng.choice((2, 3, 5, 12, 40, 150, 300, 1200, 4500)),
            day=rng.choice(words.DAYS),
        )

    def report(self, place: str, country: str, region: str, themes: list[str], rare: bool):
        rng = self.rng
        language = rng.choices(("en", "nl", "fr"), (60, 20, 20))[0]
        titles = {"en": words.TITLES_EN, "nl": words.TITLES_NL, "fr": words.TITLES_FR}[language]
        sentences = {"en": words.SENTENCES_EN, "nl": words.SENTENCES_NL, "fr": words.SENTENCES_FR}[language]
        title = self.fill(rng.choice(titles), place, country, region)
        paragraphs = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            picked = rng.sample(sentences, rng.randint(1, 3))
            paragraphs.append(" ".join(self.fill(s, place, country, region) for s in picked))
        if themes and language == "en":
            paragraphs.append(f"Relevant for {', '.join(words.THEME_WORDS[t] for t in themes)}.")
        if rare:
            paragraphs.append(f"A {words.RARE_WORD} signal was seen from the hills above {place}.")
        bullets = []
        if rng.random() < 0.25:
            paragraphs.append("Next steps:")
            bullets = rng.sample(words.BULLETS, rng.randint(2, 3))
        return title[:200], markdown_of(paragraphs, bullets), fast_html(paragraphs, bullets)

    def paragraphs(self, pool: list[str], count: int, place: str, country: str, region: str) -> list[str]:
        return [self.fill(s, place, country, region) for s in self.rng.sample(pool, min(count, len(pool)))]


# --- the organisation as loaded ---------------------------------------------------------------------


@dataclass
class MissionInfo:
    id: int
    code: str
    city: str
    host: str
    covered: list[str]
    platform_id: int | None = None
    kind: str = "embassy"


@dataclass
class TaskForceInfo:
    id: int
    slug: str
    name: str
    countries: list[str]
    themes: list[str]
    start_month: int
    end_month: int | None  # None: still active
    created_at: datetime
    stood_down_at: datetime | None
    generated: bool = True


@dataclass
class World:
    departments: dict[str, int] = field(default_factory=dict)
    directorates: dict[tuple[str, str], int] = field(default_factory=dict)
    countries: dict[str, tuple[str, str | None, bool]] = field(default_factory=dict)  # name, region, partner
    missions: list[MissionInfo] = field(default_factory=list)
    person_department: dict[int, str] = field(default_factory=dict)
    person_clearance: dict[int, int] = field(default_factory=dict)
    person_directorate: dict[int, str | None] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)
    body_kind: dict[int, str] = field(default_factory=dict)
    body_slug: dict[int, str] = field(default_factory=dict)
    members: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # body id -> (person, role)
    task_forces: list[TaskForceInfo] = field(default_factory=list)
    steering_group: int = 0


def load_world(connection) -> World:
    world = World()
    for id_, code in connection.execute(select(Department.id, Department.code)):
        world.departments[code] = id_
    codes = {v: k for k, v in world.departments.items()}
    for id_, dept, code in connection.execute(
        select(Directorate.id, Directorate.department_id, Directorate.code)
    ):
        world.directorates[codes[dept], code] = id_
    directorate_codes = {v: k[1] for k, v in world.directorates.items()}
    for code, name, region, partner in connection.execute(
        select(Country.code, Country.name, Country.region, Country.is_partner).order_by(Country.code)
    ):
        world.countries[code] = (name, region, bool(partner))
    accredited: dict[int, list[str]] = {}
    for mission_id, code in connection.execute(
        select(MissionAccreditation.mission_id, MissionAccreditation.country_code).order_by(
            MissionAccreditation.mission_id, MissionAccreditation.country_code
        )
    ):
        accredited.setdefault(mission_id, []).append(code)
    for id_, code, city, host in connection.execute(
        select(Mission.id, Mission.code, Mission.city, Mission.host_country_code).order_by(Mission.id)
    ):
        world.missions.append(MissionInfo(id_, code, city, host, [host, *accredited.get(id_, [])]))
    for id_, email, dept, directorate, clearance in connection.execute(
        select(Person.id, Person.email, Person.department_id, Person.directorate_id, Person.clearance)
    ):
        world.person_department[id_] = codes[dept]
        world.person_clearance[id_] = CLEARANCES.index(clearance)
        world.person_directorate[id_] = directorate_codes.get(directorate)
        world.emails.add(email)
    by_mission = {m.id: m for m in world.missions}
    for id_, slug, kind, mission_id in connection.execute(
        select(Body.id, Body.slug, Body.kind, Body.mission_id).order_by(Body.id)
    ):
        world.body_kind[id_] = kind
        world.body_slug[id_] = slug
        if kind == "steering_group":
            world.steering_group = id_
        if mission_id in by_mission:
            by_mission[mission_id].platform_id = id_
    for body_id, person_id, role in connection.execute(
        select(Membership.body_id, Membership.person_id, Membership.role).order_by(Membership.id)
    ):
        world.members.setdefault(body_id, []).append((person_id, role))
    return world


def _next_id(connection, model) -> int:
    return (connection.execute(select(func.max(model.id))).scalar() or 0) + 1


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


# --- the generator ----------------------------------------------------------------------------------


class Generator:
    def __init__(self, engine: Engine, *, scale: float, seed: int, years: int, now: datetime, progress: bool):
        self.engine = engine
        self.scale = scale
        self.rng = Random(seed)
        self.now = now
        self.start = now - timedelta(days=365.25 * years)
        self.months = years * 12
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    # helpers

    def _volume(self, name: str, floor: int = 1) -> int:
        return max(round(VOLUMES[name] * self.scale), floor)

    def _month_time(self, month: float) -> datetime:
        return self.start + (self.now - self.start) * (month / self.months)

    def _month_of(self, when: datetime) -> int:
        share = (when - self.start) / (self.now - self.start)
        return min(self.months - 1, max(0, int(share * self.months)))

    def _insert(self, connection, model, rows: list[dict]) -> None:
        if rows:
            if model is AuditEvent:
                audit_chain.link_rows(connection, rows)
            connection.execute(insert(model.__table__), rows)
            self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + len(rows)

    def _bar(self, label: str, total: int) -> Progress:
        return Progress(label, total, enabled=self.progress)

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 1)

    # steps

    def run(self) -> dict:
        started = time.perf_counter()
        step = time.perf_counter()
        with Session(self.engine) as session:
            load_seed(session=session, demo_password=DEMO_PASSWORD)
            load_scenario(session=session, now=self.now)
        self._timed("seed", step)
        with self.engine.connect() as connection:
            self.world = load_world(connection)
            self.demo_hash = connection.execute(
                select(Person.password_hash).where(Person.email == DEMO_READERS[0])
            ).scalar()
        step = time.perf_counter()
        with self.engine.begin() as connection:
            self.people_rows: list[dict] = []
            self.membership_rows: list[dict] = []
            self.next_person = _next_id(connection, Person)
            self._missions(connection)
            self._headquarters_people()
            self._task_forces(connection)
            self._insert(connection, Person, self.people_rows)
            self._insert(connection, Body, self.body_rows)
            self._insert(connection, Membership, self.membership_rows)
            self._insert(connection, BodyCountry, self.body_country_rows)
            self._insert(connection, BodyMission, self.body_mission_rows)
        with Session(self.engine) as session:
            structure_service.bump_revision(session=session)
            session.commit()
            graph = build_organisation_graph(session=session)
        self._timed("organisation", step)
        self._routing_indexes(graph)
        step = time.perf_counter()
        self._reports()
        self._timed("reports", step)
        step = time.perf_counter()
        self._decisions()
        self._timed("decisions", step)
        step = time.perf_counter()
        self._lessons()
        self._timed("lessons", step)
        step = time.perf_counter()
        self._finish()
        self._timed("finish", step)
        self.timings["total"] = round(time.perf_counter() - started, 1)
        return self.summary()

    # organisation

    def _new_person(self, department: str, directorate: str | None, function: str) -> int:
        rng, world = self.rng, self.world
        first = rng.choice(words.FIRST_NAMES)
        last = rng.choice(words.LAST_NAMES)
        shown = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", last)
        domain = words.DOMAINS.get(department, "gov.example")
        local = f"{first}.{last}".lower()
        email, n = f"{local}@{domain}", 1
        while email in world.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        world.emails.add(email)
        if department == "DEF":
            clearance = rng.choices(CLEARANCES, (0, 20, 60, 20))[0]
        elif department == "FA":
            clearance = rng.choices(CLEARANCES, (10, 40, 45, 5))[0]
        else:
            clearance = rng.choices(CLEARANCES, (45, 40, 15, 0))[0]
        directorate_id = self.world.directorates.get((department, directorate)) if directorate else None
        if directorate is None:
            options = [code for dept, code in world.directorates if dept == department]
            if options and rng.random() < 0.8:
                directorate = rng.choice(options)
                directorate_id = world.directorates[department, directorate]
        id_ = self.next_person
        self.next_person += 1
        languages = rng.choice((["nl", "fr", "en"], ["fr", "nl", "en"], ["nl", "en"], ["fr", "en"]))
        self.people_rows.append(
            {
                "id": id_,
                "email": email,
                "name": f"{first} {shown}",
                "department_id": world.departments[department],
                "directorate_id": directorate_id,
                "function": function[:200],
                "clearance": clearance,
                "languages": languages + (["es"] if rng.random() < 0.1 else []),
                "password_hash": self.demo_hash,
                "active": True,
                "is_demo": True,
                "is_admin": False,
                "created_at": self.start,
            }
        )
        world.person_department[id_] = department
        world.person_clearance[id_] = CLEARANCES.index(clearance)
        world.person_directorate[id_] = directorate
        return id_

    def _member(self, body_id: int, person_id: int, role: str, reason: str = "") -> None:
        members = self.world.members.setdefault(body_id, [])
        if any(p == person_id for p, _r in members):
            return
        members.append((person_id, role))
        self.membership_rows.append(
            {"body_id": body_id, "person_id": person_id, "role": role, "reason": reason[:300]}
        )

    def _missions(self, connection) -> None:
        rng, world = self.rng, self.world
        wanted = max(self._volume("missions") - len(world.missions), 3)
        hosts = {m.host for m in world.missions}
        codes = {m.code for m in world.missions}
        embassies = [c for c in world.countries if c not in hosts and c in words.CAPITALS]
        rng.shuffle(embassies)
        places = [(c, words.CAPITALS[c], "embassy") for c in embassies]
        places += [(c, city, "consulate") for c, city in words.SECOND_CITIES if c in world.countries]
        others = [c for c in world.countries if c not in hosts and c not in words.CAPITALS]
        rng.shuffle(others)
        places += [(c, world.countries[c][0], "embassy") for c in others]
        next_mission = _next_id(connection, Mission)
        next_body = _next_id(connection, Body)
        mission_rows, platform_rows, accreditation_rows = [], [], []
        new: list[MissionInfo] = []
        for host, city, kind in places:
            if len(new) >= wanted:
                break
            code = re.sub(r"[^A-Z0-9]+", "-", city.upper())[:30].strip("-")  # Mission.code is 30 long
            if code in codes:
                continue
            codes.add(code)
            name = f"{'Embassy' if kind == 'embassy' else 'Consulate General'} of Belgium in {city}"
            longitude, latitude = town(host, city) or (None, None)  # as the structure area locates one
            mission_rows.append(
                {
                    "id": next_mission,
                    "code": code,
                    "kind": kind,
                    "name": name,
                    "city": city,
                    "host_country_code": host,
                    "organisation": None,
                    "longitude": longitude,
                    "latitude": latitude,
                }
            )
            info = MissionInfo(next_mission, code, city, host, [host], platform_id=next_body, kind=kind)
            new.append(info)
            platform_rows.append(
                {
                    "id": next_body,
                    "slug": f"platform-{code.lower()}",
                    "kind": "consultation_platform",
                    "name": f"Consultation platform {city}",
                    "description": f"Belgian services present in {city}, chaired by the head of mission.",
                    "goals": "",
                    "status": "active",
                    "themes": [],
                    "mission_id": next_mission,
                    "created_at": self.start,
                    "major_departments": [],
                    "sitrep_every_days": 14,
                    "closing_report": "",
                }
            )
            world.body_kind[next_body] = "consultation_platform"
            world.body_slug[next_body] = f"platform-{code.lower()}"
            next_mission += 1
            next_body += 1
        # countries without a mission of their own are covered by a neighbouring embassy
        hosted = hosts | {m.host for m in new}
        uncovered = [c for c in world.countries if c not in hosted]
        rng.shuffle(uncovered)
        embassies_new = [m for m in new if m.kind == "embassy"]
        for country in uncovered[: len(embassies_new)]:
            mission = rng.choice(embassies_new)
            mission.covered.append(country)
            accreditation_rows.append({"mission_id": mission.id, "country_code": country})
        self._insert(connection, Mission, mission_rows)
        self._insert(connection, MissionAccreditation, accreditation_rows)
        self.body_rows = platform_rows
        self.next_body = next_body
        for mission in new:
            head_title = "Ambassador" if mission.kind == "embassy" else "Consul-General"
            head = self._new_person("FA", "DGB", f"{head_title} in {mission.city}")
            self._member(mission.platform_id, head, "chair", "Head of mission")
            deputy = self._new_person("FA", "DGB", f"Deputy head of mission, {mission.city}")
            self._member(mission.platform_id, deputy, "secretary")
            for dept, directorate, function in rng.sample(PLATFORM_SEATS, rng.randint(2, 7)):
                person = self._new_person(dept, directorate, f"{function}, {mission.city}")
                self._member(mission.platform_id, person, "member")
        world.missions.extend(new)

    def _headquarters_people(self) -> None:
        rng, world = self.rng, self.world
        wanted = max(self._volume("people") - len(world.person_department), 20)
        departments = list(world.departments)
        weights = [HQ_DEPARTMENTS.get(code, 2) for code in departments]
        self.hq_people: dict[str, list[int]] = {}
        for _ in range(wanted):
            dept = rng.choices(departments, weights)[0]
            function = rng.choice(words.FUNCTIONS.get(dept, ["Policy officer", "Adviser", "Expert"]))
            person = self._new_person(dept, None, function)
            self.hq_people.setdefault(dept, []).append(person)

    def _pick_hq(self, department: str, directorate: str | None = None) -> int:
        pool = self.hq_people.get(department) or []
        if directorate:
            narrowed = [p for p in pool if self.world.person_directorate.get(p) == directorate]
            pool = narrowed or pool
        if not pool:
            return self._new_person(department, directorate, "Policy officer")
        return self.rng.choice(pool)

    def _task_forces(self, connection) -> None:
        rng, world = self.rng, self.world
        existing = [b for b, kind in world.body_kind.items() if kind == "task_force"]
        rows = connection.execute(
            select(Body.id, Body.name, Body.status, Body.themes).where(Body.kind == "task_force")
        ).all()
        described = {row.id: row for row in rows}
        active_existing = sum(1 for row in rows if row.status == "active")
        total = max(self._volume("task_forces") - len(existing), 4)
        active = min(total, max(self._volume("active_task_forces") - active_existing, 2))
        stood_down = total - active
        for body_id in existing:
            countries = list(
                connection.execute(
                    select(BodyCountry.country_code)
                    .where(BodyCountry.body_id == body_id)
                    .order_by(BodyCountry.country_code)
                ).scalars()
            )
            row = described[body_id]
            still_active = row.status == "active"
            world.task_forces.append(
                TaskForceInfo(
                    body_id,
                    world.body_slug[body_id],
                    row.name,
                    countries,
                    list(row.themes or []),
                    0,
                    None if still_active else 0,
                    self.start,
                    None,
                    generated=False,
                )
            )
        taken = {c for tf in world.task_forces for c in tf.countries}
        with_missions = {c for m in world.missions for c in m.covered}
        crisis = [c for c in words.CRISIS_COUNTRIES if c in with_missions and c not in taken]
        rng.shuffle(crisis)
        rest = sorted(with_missions - taken - set(crisis))
        rng.shuffle(rest)
        pool = crisis + rest
        self.body_country_rows, self.body_mission_rows = [], []
        missions_by_country: dict[str, list[MissionInfo]] = {}
        for mission in world.missions:
            for c in mission.covered:
                missions_by_country.setdefault(c, []).append(mission)
        specs = []
        for i in range(active):
            thematic = i == active - 1 and active >= 5
            if thematic:
                specs.append(("Task Force Consular Crisis Response", [], ["consular", "diplomacy"], None))
                continue
            size = rng.choice((1, 1, 2, 2, 3, 4))
            countries, pool = pool[:size], pool[size:]
            if not countries:
                countries = [rng.choice(sorted(with_missions))]
            specs.append((None, countries, None, None))
        for i in range(stood_down):
            if i == 0 and stood_down >= 5:
                specs.append(("Task Force Hybrid Threats", [], ["order", "defence"], True))
                continue
            source = words.CRISIS_COUNTRIES if rng.random() < 0.7 else sorted(with_missions)
            countries = sorted(
                {
                    rng.choice([c for c in source if c in with_missions] or sorted(with_missions))
                    for _ in range(rng.choice((1, 1, 2, 3)))
                }
            )
            specs.append((None, countries, None, True))
        sg_chair = next(p for p, role in world.members[world.steering_group] if role == "chair")
        names = set()
        for name, countries, themes, is_stood_down in specs:
            if is_stood_down:
                start_month = rng.randint(0, max(self.months - 8, 0))
                end_month = min(start_month + rng.randint(4, 30), self.months - 1)
            else:
                start_month, end_month = rng.randint(0, max(self.months - 3, 0)), None
            created_at = self._month_time(start_month + rng.random())
            stood_down_at = self._month_time(end_month) if end_month is not None else None
            if name is None:
                labels = [world.countries[c][0] for c in countries]
                regions = {world.countries[c][1] for c in countries}
                if len(countries) > 2 and len(regions) == 1 and None not in regions:
                    name = f"Task Force {regions.pop()}"
                else:
                    name = (
                        "Task Force "
                        + " and ".join(labels[:2])
                        + (" and neighbours" if len(labels) > 2 else "")
                    )
            if is_stood_down:
                name = f"{name} {created_at.year}"
            while name in names:
                name += " II"
            names.add(name)
            if themes is None:
                themes = sorted(rng.sample(THEMES, rng.randint(2, 5)))
            body_id = self.next_body
            self.next_body += 1
            slug = f"tf-{slugify(name)}"[:70] + f"-{body_id}"
            country_names = ", ".join(world.countries[c][0] for c in countries) or ", ".join(themes)
            self.body_rows.append(
                {
                    "id": body_id,
                    "slug": slug,
                    "kind": "task_force",
                    "name": name[:200],
                    "description": f"Ad hoc task force on {country_names}.",
                    "goals": f"Coordinate the Belgian response in {country_names}; protect civilians and "
                    f"Belgian nationals; support a political solution with the EU and the UN.",
                    "status": "stood_down" if is_stood_down else "active",
                    "themes": themes,
                    "mission_id": None,
                    "created_at": created_at,
                    "major_departments": ["DEF"] if "defence" in themes and rng.random() < 0.5 else [],
                    "chairs_decided_by_id": sg_chair,
                    "chairs_decided_at": created_at,
                    "sitrep_every_days": rng.choice((7, 14, 14, 28)),
                    "closing_report": "The task force met its goals; remaining follow-up goes to the desk."
                    if is_stood_down
                    else "",
                    "stood_down_at": stood_down_at,
                }
            )
            world.body_kind[body_id] = "task_force"
            world.body_slug[body_id] = slug
            for c in countries:
                self.body_country_rows.append({"body_id": body_id, "country_code": c})
            linked = sorted({m.id for c in countries for m in missions_by_country.get(c, [])})[:6]
            for mission_id in linked:
                self.body_mission_rows.append({"body_id": body_id, "mission_id": mission_id})
            partner = any(world.countries[c][2] for c in countries)
            self._member(body_id, self._pick_hq("FA", "DGB"), "chair", "Bilateral Affairs chairs task forces")
            if partner:
                self._member(
                    body_id, self._pick_hq("FA", "DGD"), "co_chair", "partner country: DGD co-chairs"
                )
            self._member(body_id, self._pick_hq("FA"), "secretary", "desk officer")
            for _ in range(rng.randint(5, 12)):
                dept = rng.choices(("FA", "DEF", "POL", "JUST", "INT", "ENABEL"), (4, 3, 1, 1, 1, 1))[0]
                self._member(body_id, self._pick_hq(dept), "member")
            for mission in world.missions:
                if mission.id in linked and mission.platform_id is not None:
                    chair = next(
                        (p for p, r in world.members.get(mission.platform_id, []) if r == "chair"), None
                    )
                    if chair:
                        self._member(body_id, chair, "member", f"head of mission in {mission.city}")
            world.task_forces.append(
                TaskForceInfo(
                    body_id, slug, name, countries, themes, start_month, end_month, created_at, stood_down_at
                )
            )

    # routing

    def _routing_indexes(self, graph: nx.MultiDiGraph) -> None:
        """One routing index per month: the task forces active in that month, otherwise today's graph."""
        current = routing_index(graph)
        scopes = {s.slug: s for s in current.task_forces}
        generated = {tf.slug for tf in self.world.task_forces if tf.generated}
        expected = {tf.slug for tf in self.world.task_forces if tf.end_month is None}
        if set(scopes) != expected:
            raise RuntimeError(f"routing index and generated task forces differ: {set(scopes) ^ expected}")
        self.indexes = []
        for month in range(self.months):
            active = []
            for tf in self.world.task_forces:
                if tf.slug not in generated:
                    if tf.slug in scopes:
                        active.append(scopes[tf.slug])
                elif tf.start_month <= month and (tf.end_month is None or month < tf.end_month):
                    active.append(TaskForceScope(tf.slug, frozenset(tf.countries), frozenset(tf.themes)))
            stub = nx.MultiDiGraph()
            stub.graph["routing_index"] = RoutingIndex(
                current.steering_group, tuple(sorted(active, key=lambda s: s.slug)), current.platforms
            )
            self.indexes.append(stub)
        self.body_ids = {slug: id_ for id_, slug in self.world.body_slug.items()}

    # field reports

    def _reports(self) -> None:
        rng, world = self.rng, self.world
        total = self._volume("reports")
        self.rare_reports = max(3, round(12 * self.scale))
        rare = set(rng.sample(range(total), min(self.rare_reports, total)))
        span = (self.now - self.start).total_seconds()
        # more reports in recent years: the platform grows
        offsets = sorted(rng.random() ** 0.85 * span for _ in range(total))
        self.report_offsets = offsets
        crisis = set(words.CRISIS_COUNTRIES)
        covered_now = {c for tf in world.task_forces if tf.end_month is None for c in tf.countries}
        missions = [m for m in world.missions if m.platform_id and world.members.get(m.platform_id)]
        weights = [6 if m.host in covered_now else 4 if m.host in crisis else 1 for m in missions]
        cumulative, acc = [], 0
        for w in weights:
            acc += w
            cumulative.append(acc)
        country_codes = sorted(crisis & set(world.countries))
        intelligence_authors = [p for p, d in world.person_directorate.items() if d == "ADIV"]
        cities = sorted({m.city for m in world.missions})
        writer = Writer(rng, cities)
        members = world.members
        demo_ids = set()
        with self.engine.connect() as connection:
            for email in DEMO_READERS:
                found = connection.execute(select(Person.id).where(Person.email == email)).scalar()
                if found:
                    demo_ids.add(found)
            self.next_report = _next_id(connection, FieldReport)
        self.first_report = self.next_report
        demo_by_body = {body: [p for p, _r in people if p in demo_ids] for body, people in members.items()}
        triagers = {
            body: [p for p, r in people if r in ("chair", "co_chair", "secretary")] or [p for p, _ in people]
            for body, people in members.items()
            if world.body_kind.get(body) in TRIAGE_BODY_KINDS
        }
        fa = world.departments["FA"]
        origin = {p: world.departments[d] for p, d in world.person_department.items()}
        cache: dict = {}
        last_by_mission: dict[int, int] = {}
        month_seconds = span / self.months
        kind = search_index.KINDS["report"]
        self.titles: list[str] = []
        with self._bar("field reports", total) as bar:
            for batch_start in range(0, total, BATCH):
                reports, deliveries, reads, comments, audits, indexed = [], [], [], [], [], []
                for i in range(batch_start, min(batch_start + BATCH, total)):
                    report_id = self.next_report
                    self.next_report += 1
                    at = self.start + timedelta(seconds=offsets[i])
                    month = min(int(offsets[i] / month_seconds), self.months - 1)
                    age_days = (self.now - at).days
                    intelligence = intelligence_authors and rng.random() < 0.02
                    if intelligence:
                        author = rng.choice(intelligence_authors)
                        mission = None
                        country = rng.choice(country_codes)
                        level = "strategic" if rng.random() < 0.3 else "tactical"
                        place = words.CAPITALS.get(country, world.countries[country][0])
                    else:
                        position = bisect.bisect_left(cumulative, rng.random() * acc)
                        mission = missions[position]
                        author = rng.choice(members[mission.platform_id])[0]
                        country = mission.host
                        if len(mission.covered) > 1 and rng.random() < 0.2:
                            country = rng.choice(mission.covered[1:])
                        level = None
                        place = mission.city if country == mission.host else world.countries[country][0]
                    name, region, _partner = world.countries[country]
                    themes = sorted(
                        set(rng.choices(THEMES, THEME_WEIGHTS, k=rng.choice((0, 1, 1, 1, 2, 2, 3))))
                    )
                    severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
                    early = rng.random() < (0.25 if severity in ("high", "critical") else 0.03)
                    level_cap = world.person_clearance[author]
                    classification = CLEARANCES[
                        min(
                            level_cap, rng.choices((0, 1, 2, 3), (70, 20, 9, 1))[0] if not intelligence else 2
                        )
                    ]
                    title, body, body_html = writer.report(place, name, region or name, themes, i in rare)
                    updates = None
                    if mission is not None:
                        if rng.random() < 0.03:
                            updates = last_by_mission.get(mission.id)
                        last_by_mission[mission.id] = report_id
                    key = (
                        month,
                        mission.code if mission else None,
                        country,
                        tuple(themes),
                        severity,
                        early,
                        level,
                    )
                    recipients = cache.get(key)
                    if recipients is None:
                        facts = ReportFacts(
                            country=country,
                            themes=tuple(themes),
                            severity=severity,
                            early_warning=early,
                            mission=mission.code if mission else None,
                            kind="intelligence_brief" if intelligence else "field_report",
                            intelligence_level=level,
                        )
                        recipients = [
                            (self.body_ids[r.body], r.rule, r.reason, r.body)
                            for r in route_report(facts, self.indexes[month])
                        ]
                        if len(cache) > 200_000:
                            cache.clear()
                        cache[key] = recipients
                    status = "new"
                    triage_body = next((b for b, *_ in recipients if b in triagers), None)
                    if triage_body is not None:
                        if age_days > 60:
                            status = rng.choices(
                                ("archived", "validated", "dismissed", "new"), (40, 25, 15, 20)
                            )[0]
                        elif age_days > 7:
                            status = rng.choices(
                                ("under_review", "validated", "dismissed", "new"), (30, 20, 10, 40)
                            )[0]
                        elif rng.random() < 0.2:
                            status = "under_review"
                    reports.append(
                        {
                            "id": report_id,
                            "title": title,
                            "body": body,
                            "country_code": country,
                            "themes": themes,
                            "severity": severity,
                            "early_warning": early,
                            "classification": classification,
                            "restricted_distribution": rng.random() < 0.05,
                            "source_reliability": rng.choice("ABCDEF") if intelligence else None,
                            "information_credibility": rng.choice("123456") if intelligence else None,
                            "kind": "intelligence_brief" if intelligence else "field_report",
                            "intelligence_level": level,
                            "updates_report_id": updates,
                            "body_html": body_html,
                            "author_id": author,
                            "origin_department_id": origin.get(author, fa),
                            "mission_id": mission.id if mission else None,
                            "status": status,
                            "idempotency_key": None,
                            "request_fingerprint": None,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    if len(self.titles) < 5:
                        self.titles.append(title)
                    indexed.append((report_id, title, body))
                    readers = set()
                    rank = CLEARANCES.index(classification)
                    for body_id, rule, reason, _slug in recipients:
                        deliveries.append(
                            {
                                "report_id": report_id,
                                "body_id": body_id,
                                "rule": rule,
                                "reason": reason[:300],
                                "delivered_at": at,
                                "forwarded_by_id": None,
                            }
                        )
                        people = members.get(body_id)
                        if people and rng.random() < 0.6:
                            readers.add(rng.choice(people)[0])
                        if age_days > 30:
                            readers.update(p for p in demo_by_body.get(body_id, ()) if rng.random() < 0.95)
                    for person in readers:
                        if world.person_clearance[person] >= rank and person != author:
                            read_at = min(at + timedelta(hours=rng.uniform(0.2, 72)), self.now)
                            reads.append({"report_id": report_id, "person_id": person, "read_at": read_at})
                    if status != "new" and triage_body is not None and rng.random() < 0.2:
                        comments.append(
                            {
                                "report_id": report_id,
                                "author_id": rng.choice(triagers[triage_body]),
                                "body": status.replace("_", " ").capitalize(),
                                "from_status": "new" if status == "under_review" else "under_review",
                                "to_status": status,
                                "created_at": min(at + timedelta(days=rng.uniform(0.5, 10)), self.now),
                            }
                        )
                    audits.append(
                        {
                            "at": at,
                            "actor_id": author,
                            "action": "report.create",
                            "object_type": "field_report",
                            "object_id": str(report_id),
                            "detail": {"classification": classification, "country": country},
                        }
                    )
                    audits.append(
                        {
                            "at": at,
                            "actor_id": author,
                            "action": "report.route",
                            "object_type": "field_report",
                            "object_id": str(report_id),
                            "detail": {"recipients": {slug: reason for _b, _r, reason, slug in recipients}},
                        }
                    )
                with self.engine.begin() as connection:
                    self._insert(connection, FieldReport, reports)
                    self._insert(connection, Delivery, deliveries)
                    self._insert(connection, ReportRead, reads)
                    self._insert(connection, ReportComment, comments)
                    self._insert(connection, AuditEvent, audits)
                    search_index.put(connection, kind, indexed)
                    self.counts["search_index"] = self.counts.get("search_index", 0) + len(indexed)
                bar.update(len(reports))

    def _report_ids_between(self, begin: datetime, end: datetime) -> range:
        lo = bisect.bisect_left(self.report_offsets, (begin - self.start).total_seconds())
        hi = bisect.bisect_left(self.report_offsets, (end - self.start).total_seconds())
        return range(self.first_report + lo, self.first_report + hi)

    # decisions

    def _answerer(self, kind: str, unit_id: int, body_of_mission: dict[int, int]) -> int | None:
        world = self.world
        if kind == "department":
            reps = self.sg_representatives.get(unit_id)
            return self.rng.choice(reps) if reps else None
        body = unit_id if kind == "body" else body_of_mission.get(unit_id)
        people = world.members.get(body, [])
        staff = [p for p, r in people if r in ("chair", "co_chair", "secretary")]
        return self.rng.choice(staff) if staff else None

    def _decisions(self) -> None:
        rng, world = self.rng, self.world
        sg = world.steering_group
        sg_people = world.members[sg]
        sg_chair = next(p for p, r in sg_people if r == "chair")
        self.sg_representatives: dict[int, list[int]] = {}
        for person, _role in sg_people:
            dept_id = world.departments[world.person_department[person]]
            self.sg_representatives.setdefault(dept_id, []).append(person)
        represented = sorted(self.sg_representatives)
        body_of_mission = {m.id: m.platform_id for m in world.missions if m.platform_id}
        mission_ids_by_country: dict[str, list[int]] = {}
        for m in world.missions:
            for c in m.covered:
                mission_ids_by_country.setdefault(c, []).append(m.id)
        generated_tfs = [tf for tf in world.task_forces if tf.generated]
        total = max(self._volume("decisions", 5), len(generated_tfs) + 1)
        specs = [
            (max(self.start, tf.created_at - timedelta(days=rng.randint(3, 20))), sg, tf)
            for tf in generated_tfs
        ]
        span = (self.now - self.start).total_seconds()
        for _ in range(total - len(specs)):
            at = self.start + timedelta(seconds=rng.random() ** 0.9 * span)
            month = self._month_of(at)
            active = [
                tf
                for tf in world.task_forces
                if tf.start_month <= month and (tf.end_month is None or month < tf.end_month)
            ]
            issuer = sg if rng.random() < 0.25 or not active else rng.choice(active).id
            specs.append((max(at, self.start), issuer, None))
        specs.sort(key=lambda s: s[0])
        rare_decision = rng.randrange(len(specs))
        cities = sorted({m.city for m in world.missions})
        writer = Writer(rng, cities)
        tf_by_id = {tf.id: tf for tf in world.task_forces}
        kind = search_index.KINDS["decision"]
        with self.engine.connect() as connection:
            next_decision = _next_id(connection, Decision)
            next_action = _next_id(connection, Action)
        self.sg_decisions: list[tuple[datetime, int]] = []
        goals_updates = []
        with self._bar("decisions", len(specs)) as bar:
            for batch_start in range(0, len(specs), BATCH):
                decisions, addressees, actions, updates, links, audits, indexed = [], [], [], [], [], [], []
                for position in range(batch_start, min(batch_start + BATCH, len(specs))):
                    created_at, issuer, sets_up = specs[position]
                    decision_id = next_decision
                    next_decision += 1
                    tf = tf_by_id.get(issuer)
                    people = world.members.get(issuer, [])
                    chair = next((p for p, r in people if r in ("chair", "co_chair")), sg_chair)
                    author = next((p for p, r in people if r == "secretary"), chair)
                    country = (
                        rng.choice(tf.countries)
                        if tf and tf.countries
                        else rng.choice(words.CRISIS_COUNTRIES)
                    )
                    name, region, _ = world.countries.get(country, (country, None, False))
                    place = words.CAPITALS.get(country, name)
                    if sets_up is not None:
                        title = f"Set up {sets_up.name}"
                        paragraphs = [f"The steering group sets up {sets_up.name} with the following goals."]
                        paragraphs += writer.paragraphs(words.SENTENCES_EN, 2, place, name, region or name)
                    else:
                        title = writer.fill(rng.choice(words.DECISION_TITLES), place, name, region or name)
                        paragraphs = writer.paragraphs(
                            words.SENTENCES_EN, rng.randint(2, 4), place, name, region or name
                        )
                    if position == rare_decision:
                        paragraphs.append(f"Test the {words.RARE_WORD} link with the mission.")
                    bullets = rng.sample(words.BULLETS, rng.randint(0, 3))
                    age = (self.now - created_at).days
                    if age < 3 and rng.random() < 0.4:
                        status = "draft"
                    else:
                        status = rng.choices(("adopted", "superseded", "withdrawn"), (88, 6, 6))[0]
                    if sets_up is not None:
                        status = "adopted"
                    adopted_at = (
                        created_at + timedelta(hours=rng.uniform(1, 72)) if status != "draft" else None
                    )
                    if adopted_at and adopted_at > self.now:
                        adopted_at = self.now
                    hours = rng.choice((24, 48, 48, 48, 72, 168))
                    classification = rng.choices(CLEARANCES[:3], (75, 20, 5))[0]
                    rationale = writer.fill(rng.choice(words.SENTENCES_EN), place, name, region or name)
                    text_ = markdown_of(paragraphs, bullets)
                    decisions.append(
                        {
                            "id": decision_id,
                            "issuing_body_id": issuer,
                            "title": title[:200],
                            "text": text_,
                            "text_html": fast_html(paragraphs, bullets),
                            "rationale": rationale,
                            "procedure": rng.choice(("meeting", "meeting", "written")),
                            "classification": classification,
                            "status": status,
                            "acknowledgement_hours": hours,
                            "acknowledgement_due_at": adopted_at + timedelta(hours=hours)
                            if adopted_at
                            else None,
                            "created_by_id": author,
                            "created_at": created_at,
                            "adopted_by_id": chair if adopted_at else None,
                            "adopted_at": adopted_at,
                            "superseded_by_id": None,
                            "meeting_id": None,
                        }
                    )
                    indexed.append(
                        (decision_id, title[:200], "\n\n".join(p for p in (text_, rationale) if p))
                    )
                    if issuer == sg and adopted_at:
                        self.sg_decisions.append((adopted_at, decision_id))
                    if sets_up is not None:
                        goals_updates.append({"b_id": sets_up.id, "decision_ref": decision_id})
                    audits.append(
                        {
                            "at": created_at,
                            "actor_id": author,
                            "action": "decision.create",
                            "object_type": "decision",
                            "object_id": str(decision_id),
                            "detail": {},
                        }
                    )
                    # addressees
                    units: list[tuple[str, int]] = []
                    if sets_up is not None:
                        units.append(("body", sets_up.id))
                    if tf is not None:
                        missions = sorted(
                            {m for c in tf.countries for m in mission_ids_by_country.get(c, [])}
                        )
                        for m in rng.sample(missions, min(len(missions), rng.randint(1, 3))):
                            units.append(("mission", m))
                    else:
                        month = self._month_of(created_at)
                        active = [
                            t.id
                            for t in world.task_forces
                            if t.start_month <= month and (t.end_month is None or month < t.end_month)
                        ]
                        for b in rng.sample(active, min(len(active), rng.randint(0, 3))):
                            units.append(("body", b))
                    for d in rng.sample(represented, min(len(represented), rng.randint(1, 3))):
                        units.append(("department", d))
                    units = list(dict.fromkeys(units))
                    for unit_kind, unit_id in units:
                        answer_status, answered_at, answered_by = "pending", None, None
                        if adopted_at:
                            done = (self.now - adopted_at).days > 7
                            roll = rng.random()
                            if (done and roll < 0.95) or (not done and roll < 0.5):
                                answered_by = self._answerer(unit_kind, unit_id, body_of_mission)
                                if answered_by is not None:
                                    answer_status = "cannot_comply" if rng.random() < 0.03 else "acknowledged"
                                    answered_at = min(
                                        adopted_at + timedelta(hours=rng.uniform(1, hours * 1.5)), self.now
                                    )
                        addressees.append(
                            {
                                "decision_id": decision_id,
                                "unit_kind": unit_kind,
                                "unit_id": unit_id,
                                "status": answer_status,
                                "answered_at": answered_at,
                                "answered_by_id": answered_by,
                                "comment": "We lack the staff on site."
                                if answer_status == "cannot_comply"
                                else "",
                                "reminded_at": None,
                                "escalated_at": None,
                            }
                        )
                    if rng.random() < 0.4:
                        window = self._report_ids_between(created_at - timedelta(days=30), created_at)
                        if len(window):
                            for report_id in {rng.choice(window) for _ in range(rng.randint(1, 2))}:
                                links.append({"decision_id": decision_id, "report_id": report_id})
                    # actions
                    if status in ("adopted", "superseded"):
                        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
                            owner_kind, owner_id = rng.choice(units)
                            due = (adopted_at + timedelta(days=rng.randint(7, 60))).date()
                            overdue_days = (self.now.date() - due).days
                            if overdue_days > 14:
                                a_status = rng.choices(
                                    ("done", "in_progress", "open", "blocked"), (75, 10, 10, 5)
                                )[0]
                            else:
                                a_status = rng.choices(("open", "in_progress", "done"), (50, 35, 15))[0]
                            owner_person = self._answerer(owner_kind, owner_id, body_of_mission)
                            actions.append(
                                {
                                    "id": next_action,
                                    "decision_id": decision_id,
                                    "title": rng.choice(words.ACTION_TITLES),
                                    "owner_kind": owner_kind,
                                    "owner_id": owner_id,
                                    "owner_person_id": owner_person,
                                    "due_on": due,
                                    "status": a_status,
                                    "created_by_id": chair,
                                    "created_at": adopted_at,
                                    "reminded_due_soon_at": None,
                                    "reminded_overdue_at": None,
                                }
                            )
                            if a_status != "open":
                                note = writer.fill(
                                    rng.choice(words.SENTENCES_EN), place, name, region or name
                                )
                                updates.append(
                                    {
                                        "action_id": next_action,
                                        "author_id": owner_person or chair,
                                        "body": note,
                                        "body_html": fast_html([note], []),
                                        "status": a_status,
                                        "created_at": min(
                                            adopted_at + timedelta(days=rng.randint(1, 30)), self.now
                                        ),
                                    }
                                )
                            next_action += 1
                with self.engine.begin() as connection:
                    self._insert(connection, Decision, decisions)
                    self._insert(connection, Addressee, addressees)
                    self._insert(connection, DecisionReport, links)
                    self._insert(connection, Action, actions)
                    self._insert(connection, ActionUpdate, updates)
                    self._insert(connection, AuditEvent, audits)
                    search_index.put(connection, kind, indexed)
                    self.counts["search_index"] = self.counts.get("search_index", 0) + len(indexed)
                bar.update(len(decisions))
        if goals_updates:
            body = Body.__table__
            with self.engine.begin() as connection:
                connection.execute(
                    update(body)
                    .where(body.c.id == bindparam("b_id"))
                    .values(goals_decision_id=bindparam("decision_ref")),
                    goals_updates,
                )
        self.sg_decisions.sort()

    # lessons

    def _lessons(self) -> None:
        rng, world = self.rng, self.world
        total = self._volume("lessons", 5)
        sg_people = world.members[world.steering_group]
        sg_chair = next(p for p, r in sg_people if r == "chair")
        sg_secretary = next((p for p, r in sg_people if r == "secretary"), sg_chair)
        path = [
            "submitted",
            "accepted",
            "analysed",
            "identified",
            "endorsed",
            "tasked",
            "implemented",
            "validated",
            "learned",
            "archived",
        ]
        weights = {
            "submitted": 8,
            "accepted": 8,
            "rejected": 7,
            "analysed": 10,
            "identified": 12,
            "endorsed": 8,
            "tasked": 10,
            "implemented": 10,
            "validated": 7,
            "learned": 12,
            "archived": 8,
        }
        stages, stage_weights = list(weights), list(weights.values())
        steering_steps = {"endorsed", "validated"}
        staff_steps = {"tasked", "learned", "archived"}
        span = (self.now - self.start).total_seconds()
        rare_lesson = rng.randrange(total)
        cities = sorted({m.city for m in world.missions})
        writer = Writer(rng, cities)
        tags_pool = [
            "evacuation",
            "early-warning",
            "communication",
            "press",
            "budget",
            "staffing",
            "consular",
            "coordination",
            "training",
            "partners",
        ]
        kind = search_index.KINDS["lesson"]
        offsets = sorted(rng.random() * span for _ in range(total))
        with self.engine.connect() as connection:
            next_lesson = _next_id(connection, Lesson)
        with self._bar("lessons", total) as bar:
            for batch_start in range(0, total, BATCH):
                lessons, transitions, decision_links, report_links, indexed = [], [], [], [], []
                for i in range(batch_start, min(batch_start + BATCH, total)):
                    lesson_id = next_lesson
                    next_lesson += 1
                    submitted_at = self.start + timedelta(seconds=offsets[i])
                    age = (self.now - submitted_at).days
                    target = rng.choices(stages, stage_weights)[0]
                    if age < 30:
                        target = rng.choice(("submitted", "accepted", "rejected"))
                    if target == "rejected" or (target == "archived" and rng.random() < 0.2):
                        steps = ["submitted", "rejected"] + (["archived"] if target == "archived" else [])
                    else:
                        steps = path[: path.index(target) + 1]
                    tf = rng.choice(world.task_forces)
                    tf_people = world.members.get(tf.id, [])
                    tf_chair = next((p for p, r in tf_people if r == "chair"), sg_secretary)
                    submitter = rng.choice(tf_people)[0] if tf_people else sg_secretary
                    country = rng.choice(tf.countries) if tf.countries else rng.choice(words.CRISIS_COUNTRIES)
                    name, region, _ = world.countries.get(country, (country, None, False))
                    place = words.CAPITALS.get(country, name)
                    parts = writer.paragraphs(words.LESSON_PARTS, 4, place, name, region or name)
                    if i == rare_lesson:
                        parts[0] += f" The {words.RARE_WORD} back-up channel was never tested."
                    at = submitted_at
                    action_body = None
                    endorsement = None
                    previous = None
                    for stage in steps:
                        if previous is not None:
                            at = min(at + timedelta(days=rng.uniform(2, 40)), self.now)
                        if stage == "submitted":
                            who = submitter
                        elif stage in steering_steps:
                            who = sg_chair
                        elif stage in staff_steps:
                            who = sg_secretary
                        elif stage == "implemented":
                            who = tf_chair
                        else:
                            who = rng.choice((sg_secretary, tf_chair))
                        if stage == "endorsed":
                            position = bisect.bisect_left(self.sg_decisions, (at, 1 << 62))
                            if position:
                                endorsement = self.sg_decisions[
                                    rng.randrange(max(0, position - 20), position)
                                ][1]
                        if stage == "tasked":
                            action_body = tf.id
                        transitions.append(
                            {
                                "lesson_id": lesson_id,
                                "from_stage": previous,
                                "to_stage": stage,
                                "person_id": who,
                                "at": at,
                                "note": "Not a lesson: a one-off incident." if stage == "rejected" else "",
                            }
                        )
                        previous = stage
                    title = f"{rng.choice(words.LESSON_TITLES)} ({name})"[:200]
                    tags = sorted(rng.sample(tags_pool, rng.randint(1, 3)))
                    row = {
                        "id": lesson_id,
                        "title": title,
                        "observation": parts[0],
                        "discussion": parts[1] if len(parts) > 1 else "",
                        "conclusion": parts[2] if len(parts) > 2 else "",
                        "recommendation": parts[3] if len(parts) > 3 else "",
                        "classification": rng.choices(CLEARANCES[:3], (85, 12, 3))[0],
                        "stage": steps[-1],
                        "effort": tf.name[:120],
                        "task_force_id": tf.id,
                        "themes": tf.themes[:3],
                        "countries": tf.countries,
                        "tags": tags,
                        "rejection_reason": "Not a lesson: a one-off incident."
                        if "rejected" in steps
                        else "",
                        "action_body_id": action_body,
                        "endorsement_decision_id": endorsement,
                        "submitted_by_id": submitter,
                        "submitted_at": submitted_at,
                        "stage_changed_at": at,
                    }
                    lessons.append(row)
                    if endorsement:
                        decision_links.append({"lesson_id": lesson_id, "decision_id": endorsement})
                    if rng.random() < 0.5:
                        window = self._report_ids_between(submitted_at - timedelta(days=90), submitted_at)
                        if len(window):
                            report_links.append({"lesson_id": lesson_id, "report_id": rng.choice(window)})
                    ns = SimpleNamespace(**row)
                    indexed.append((lesson_id, kind.title(ns), kind.body(ns) or ""))
                with self.engine.begin() as connection:
                    self._insert(connection, Lesson, lessons)
                    self._insert(connection, LessonTransition, transitions)
                    self._insert(connection, LessonDecision, decision_links)
                    self._insert(connection, LessonReport, report_links)
                    search_index.put(connection, kind, indexed)
                    self.counts["search_index"] = self.counts.get("search_index", 0) + len(indexed)
                bar.update(len(lessons))

    # end

    def _finish(self) -> None:
        with Session(self.engine) as session:
            structure_service.bump_revision(session=session)
            session.commit()
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as connection:
                for table in ("person", "mission", "body", "fieldreport", "decision", "action", "lesson"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))"
                    )
            # autovacuum would analyse the new tables within minutes; do it now so runs compare
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")

    def summary(self) -> dict:
        tables = {}
        with self.engine.connect() as connection:
            for name in (
                "mission",
                "person",
                "body",
                "membership",
                "fieldreport",
                "delivery",
                "reportread",
                "reportcomment",
                "auditevent",
                "decision",
                "addressee",
                "action",
                "actionupdate",
                "lesson",
                "lessontransition",
                "search_index",
            ):
                tables[name] = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar()
            tables["active_task_forces"] = connection.execute(
                text("SELECT count(*) FROM body WHERE kind = 'task_force' AND status = 'active'")
            ).scalar()
            tables["task_forces"] = connection.execute(
                text("SELECT count(*) FROM body WHERE kind = 'task_force'")
            ).scalar()
        return {
            "scale": self.scale,
            "now": self.now.isoformat(),
            "common_word": COMMON_WORD,
            "rare_word": RARE_WORD,
            "rare_word_reports": min(self.rare_reports, self._volume("reports")),
            "generated": dict(sorted(self.counts.items())),
            "tables": tables,
            "first_titles": self.titles,
            "seconds": self.timings,
            "database_bytes": database_bytes(self.engine),
        }


# --- database set-up --------------------------------------------------------------------------------


def database_bytes(engine: Engine) -> int:
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_database_size(current_database())")).scalar()


def prepare_database(url: str, replace: bool) -> None:
    """Start from an empty database: remove the SQLite file, or drop and create the PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        if replace:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    import psycopg

    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if exists and replace:
            connection.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def already_generated(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text("SELECT count(*) FROM body WHERE slug LIKE 'tf-%'")).scalar())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplier on every volume (0.001: smoke)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--now", help="end of the generated period (ISO date), today by default")
    parser.add_argument("--replace", action="store_true", help="empty the database first")
    parser.add_argument("--json", help="write the summary to this file as well")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars (default: when stderr is a terminal)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    if args.now:
        now = datetime.fromisoformat(args.now)
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
    else:
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    prepare_database(args.database_url, args.replace)
    engine = db.make_engine(args.database_url)
    try:
        db.upgrade(engine)
        if already_generated(engine):
            raise SystemExit(
                f"{args.database_url} already holds generated data: pass --replace to start over"
            )
        progress = sys.stderr.isatty() if args.progress is None else args.progress
        generator = Generator(
            engine, scale=args.scale, seed=args.seed, years=args.years, now=now, progress=progress
        )
        summary = generator.run()
    finally:
        engine.dispose()
    summary["database_url"] = make_url(args.database_url).render_as_string(hide_password=True)
    summary["database_bytes"] = summary["database_bytes"]
    print_summary(summary)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return summary


def print_summary(summary: dict) -> None:
    print(f"database {summary['database_url']}: {summary['database_bytes'] / 1e6:,.0f} MB")
    for name, count in summary["tables"].items():
        print(f"  {name:<20} {count:>12,}")
    seconds = ", ".join(f"{k} {v:,.1f}s" for k, v in summary["seconds"].items())
    print(f"time: {seconds}")
    print(
        f"search words: common {summary['common_word']!r}, rare {summary['rare_word']!r} "
        f"(in {summary['rare_word_reports']} reports, one decision, one lesson)"
    )


if __name__ == "__main__":
    main()
