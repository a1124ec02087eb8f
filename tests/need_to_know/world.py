"""A world for the need-to-know matrix: people at every clearance x department x seat, items at every
level x origin x restricted distribution, all made through the services, and the rule they must obey
written out again here in plain Python (the oracle), independently of the queries that enforce it.

Every item carries unique tokens (`qjz` and four letters) in its title and text, so that a page shows
an item exactly when one of its tokens appears in it. An exercise runs over the world too: what is made in
it carries tokens of its own (`xqv` and four letters) that no real surface may show to anyone.
"""

from __future__ import annotations

import itertools
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from coordination.attachments import queries as attachment_queries
from coordination.attachments import service as attachments
from coordination.attachments.storage import store_from_config
from coordination.auth import service as auth
from coordination.decisions import flows
from coordination.decisions import service as decisions
from coordination.lessons import service as lessons
from coordination.meetings import service as meetings
from coordination.notifications import service as notifications
from coordination.reports import service as reports
from coordination.sitreps import service as sitreps
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.taskforces import service as taskforces
from tests.demo import DEMO_PASSWORD
from tests.factories import POLICY, post

LEVELS = ("unclassified", "confidential", "secret", "top_secret")
RANK = {level: index for index, level in enumerate(LEVELS)}
# (department, directorate): Foreign Affairs, Defence and its intelligence service (the sharing group of
# the default policy), Justice, Interior and a regional government (outside it).
DEPARTMENTS = (("FA", None), ("DEF", None), ("DEF", "ADIV"), ("JUST", None), ("INT", None), ("FLA", None))
SHARING_GROUP = {"FA", "DEF"}
RESTRICTED_ORIGINS = {"DEF"}
ROLES = ("chair", "co_chair", "secretary", "member", "observer")
SG, TF, PLATFORM = "steering-group", "task-force-niger-matrix", "platform-niamey"
BODIES = (None, SG, TF, PLATFORM)
TOKEN_PREFIX = "qjz"
EXERCISE_TOKEN_PREFIX = "xqv"
COMMON_WORD = "matrixprobe"


def token(number: int, prefix: str = TOKEN_PREFIX) -> str:
    letters = []
    for _ in range(4):
        number, rest = divmod(number, 26)
        letters.append(string.ascii_lowercase[rest])
    return prefix + "".join(reversed(letters))


@dataclass
class Viewer:
    """A person of the world, with what the oracle needs to know about them."""

    id: int
    email: str
    label: str
    department: str
    clearance: str
    seats: dict[int, str]  # body id -> role
    department_id: int = 0
    is_admin: bool = False
    api_token: str = ""
    feed_token: str = ""
    # Which half of the world this person is in: each database walks one half in CI. The halves are
    # balanced, each holding every clearance, department, body, role and administrators.
    half: int = 0

    def cleared(self, level: str) -> bool:
        return RANK[self.clearance] >= RANK[level]

    def shares(self, origin: str) -> bool:
        return origin not in RESTRICTED_ORIGINS or self.department in SHARING_GROUP


@dataclass(eq=False)
class Item:
    kind: str  # report, decision, action, sitrep, lesson, meeting, attachment
    id: int
    title: str
    tokens: tuple[str, ...]
    facts: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.kind} #{self.id} ({self.title})"


@dataclass
class World:
    viewers: list[Viewer]
    items: list[Item]
    bodies: dict[str, int]  # slug -> id
    platform_missions: dict[int, int]  # platform body id -> mission id
    route_values: dict[str, list]  # what fills the URL map's parameters
    now: datetime
    exercise_tokens: tuple[str, ...] = ()  # of what was made in the exercise: shown on no real surface

    def quoted_for(self, viewer: Viewer) -> set[str]:
        """Tokens of the items quoted in the situation reports this viewer may see: a frozen text shows
        what it quotes to every reader cleared for its marking (its title and text, nothing else)."""
        return {
            t
            for item in self.items
            if item.kind == "sitrep" and self.may_see(viewer, item)
            for t in item.facts["quotes"]
        }

    def by_token(self) -> dict[str, Item]:
        return {t: item for item in self.items for t in item.tokens}

    # --- the rule, once more, in plain Python --------------------------------------------------------

    def may_see(self, viewer: Viewer, item: Item) -> bool:
        return getattr(self, f"_may_see_{item.kind}")(viewer, item.facts)

    def _may_see_report(self, v: Viewer, f: dict) -> bool:
        if f["author"] == v.id:
            return True
        routed = bool(set(f["bodies"]) & set(v.seats))
        return routed and v.cleared(f["level"]) and v.shares(f["origin"])

    def _reaches(self, v: Viewer, unit: tuple[str, int]) -> bool:
        kind, unit_id = unit
        if kind == "body":
            return unit_id in v.seats
        if kind == "mission":
            return any(self.platform_missions.get(body) == unit_id for body in v.seats)
        return unit_id == v.department_id

    def _may_see_decision(self, v: Viewer, f: dict) -> bool:
        if not v.cleared(f["level"]):
            return False
        if f["author"] == v.id or f["issuing_body"] in v.seats:
            return True
        return f["status"] != "draft" and any(self._reaches(v, unit) for unit in f["addressees"])

    def _may_see_action(self, v: Viewer, f: dict) -> bool:
        return self._may_see_decision(v, f["decision"])

    def _may_see_sitrep(self, v: Viewer, f: dict) -> bool:
        in_steering_group = self.bodies[SG] in v.seats
        base = f["task_force"] in v.seats or (f["status"] == "submitted" and in_steering_group)
        return base and v.cleared(f["level"]) and all(v.shares(o) for o in f["origins"])

    def _may_see_lesson(self, v: Viewer, f: dict) -> bool:
        if not v.cleared(f["level"]):
            return False
        return (
            f["author"] == v.id
            or f["task_force"] in v.seats
            or f["stage"] not in ("submitted", "rejected")
            or self.bodies[SG] in v.seats
        )

    def _may_see_meeting(self, v: Viewer, f: dict) -> bool:
        return f["body"] in v.seats or v.is_admin

    def _may_see_attachment(self, v: Viewer, f: dict) -> bool:
        return getattr(self, f"_may_see_{f['owner_kind']}")(v, f["owner"])


class Builder:
    """Makes the world through the services, as the people of the world would."""

    def __init__(self, session: Session, config, now: datetime):
        self.session = session
        self.config = config
        self.now = now
        self.numbers = itertools.count(1)
        self.items: list[Item] = []
        self.password_hash = auth.hash_password(DEMO_PASSWORD)
        self.people = 0

    def tokens(self, n: int = 2) -> tuple[str, ...]:
        return tuple(token(next(self.numbers)) for _ in range(n))

    def person(self, department: str, directorate: str | None, clearance: str, label: str, admin=False):
        self.people += 1
        person, _ = structure_service.upsert_person(
            session=self.session,
            email=f"ntk{self.people}@{department.lower()}.matrix.example",
            name=f"Matrix {label}",
            department_code=department,
            directorate_code=directorate,
            clearance=clearance,
            password_hash=self.password_hash,
            is_admin=admin,
        )
        self.session.commit()
        return person

    def seat(self, person, slug: str, role: str) -> None:
        body = structure.get_body(session=self.session, slug=slug)
        structure_service.upsert_membership(session=self.session, body=body, person=person, role=role)
        structure_service.bump_revision(session=self.session)
        self.session.commit()

    def fresh(self, person):
        return structure.get_person(session=self.session, person_id=person.id)


def build_world(session: Session, config) -> World:
    """About 75 people and 90 items; see the module docstring."""
    now = datetime.now(UTC).replace(microsecond=0)
    b = Builder(session, config, now)

    # --- who writes ---------------------------------------------------------------------------------
    sg_boss = b.person("FA", None, "top_secret", "steering-group co-chair")
    b.seat(sg_boss, SG, "co_chair")
    mission_author = b.person("FA", None, "top_secret", "Niamey attaché")
    b.seat(mission_author, PLATFORM, "secretary")
    intel_author = b.person("DEF", "ADIV", "top_secret", "ADIV analyst")
    justice_author = b.person("JUST", None, "top_secret", "Justice liaison")
    junior_chair = b.person("FA", None, "unclassified", "junior co-chair")

    # A task force on Niger, set up from a secret steering-group decision.
    sg_boss = b.fresh(sg_boss)
    goals = decisions.draft_decision(
        session=session,
        author=sg_boss,
        issuing_body=SG,
        title=f"{COMMON_WORD} goals {' '.join(goal_tokens := b.tokens())}",
        text=f"Goals of the effort on Niger, {goal_tokens[1]}.",
        classification="secret",
        addressees=[("body", PLATFORM)],
        now=now,
    )
    flows.adopt_and_notify(session=session, person=sg_boss, decision=goals, now=now, config=config)
    task_force, _ = taskforces.create_task_force(
        session=session,
        person=sg_boss,
        goals_decision_id=goals.id,
        name="Task force Niger matrix",
        countries=["NER"],
        now=now,
    )
    assert task_force.slug == TF, task_force.slug
    taskforces.confirm_chairs(session=session, person=sg_boss, task_force=task_force, now=now)
    tf_boss = b.person("FA", None, "top_secret", "task-force co-chair")
    b.seat(tf_boss, TF, "co_chair")
    b.seat(justice_author, TF, "member")
    b.seat(junior_chair, TF, "co_chair")

    bodies = {slug: structure.get_body(session=session, slug=slug).id for slug in (SG, TF, PLATFORM)}
    niamey = structure.get_mission(session=session, code="NIAMEY")
    justice = structure.get_department(session=session, code="JUST")

    # --- who reads: every clearance x department x body (none, steering group, task force, platform);
    # the role in the body turns, so that every seat (role x body) meets several clearances and
    # departments ------------------------------------------------------------------------------------
    matrix = []
    halves = [n % 2 for n in range(6)]  # the writers, alternately
    for (level_index, level), (department_index, (department, directorate)), (
        body_index,
        body,
    ) in itertools.product(enumerate(LEVELS), enumerate(DEPARTMENTS), enumerate(BODIES)):
        role = ROLES[(level_index + department_index + body_index) % len(ROLES)] if body else None
        admin = body is None and level in ("unclassified", "secret") and department in ("FA", "JUST")
        where = f"{role} of {body}" if body else "no seat"
        label = f"{where}, {level}, {directorate or department}{', admin' if admin else ''}"
        person = b.person(department, directorate, level, label, admin=admin)
        if body:
            b.seat(person, body, role)
        matrix.append(person)
        halves.append((level_index + department_index + body_index) % 2)

    writers = {
        "sg_boss": sg_boss,
        "tf_boss": tf_boss,
        "mission_author": mission_author,
        "intel_author": intel_author,
        "justice_author": justice_author,
        "junior_chair": junior_chair,
    }
    writers = {name: b.fresh(p) for name, p in writers.items()}

    # --- field reports: level x origin x restricted distribution -------------------------------------
    origins = ("mission", "intelligence", "justice")
    report_items = []
    for n, (level, origin, restricted) in enumerate(itertools.product(LEVELS, origins, (False, True))):
        title_token, body_token = b.tokens()
        fields = {
            "title": f"{COMMON_WORD} report {title_token}",
            "body": f"What happened near Niamey: {body_token}.",
            "classification": level,
            "restricted_distribution": restricted,
            "early_warning": n % 3 == 0,
            "severity": ("info", "medium", "high", "critical")[n % 4],
        }
        if origin == "mission":
            author = writers["mission_author"]
            fields["mission_code"] = "NIAMEY"
        elif origin == "intelligence":
            author = writers["intel_author"]
            fields.update(
                country_code="NER",
                kind="intelligence_brief",
                intelligence_level="strategic" if restricted else "tactical",
            )
        else:
            author = writers["justice_author"]
            fields["country_code"] = "NER"
        posted = post(session, author, **fields)
        report = posted.report
        item = Item(
            "report",
            report.id,
            fields["title"],
            (title_token, body_token),
            {
                "author": author.id,
                "level": level,
                "origin": "DEF" if origin == "intelligence" else ("JUST" if origin == "justice" else "FA"),
                "bodies": [d.body_id for d in posted.deliveries],
            },
        )
        report_items.append(item)
        # Half of them are validated, so that situation reports and agendas quote them.
        if n % 2 == 0:
            triager = writers["tf_boss"] if bodies[TF] in item.facts["bodies"] else writers["sg_boss"]
            for status in ("under_review", "validated"):
                reports.triage(session=session, person=triager, report=report, to_status=status)
    b.items += report_items

    # --- decisions: issuing body x level x draft/adopted, with their actions --------------------------
    b.items.append(
        Item(
            "decision",
            goals.id,
            goals.title,
            goal_tokens,
            {
                "level": "secret",
                "author": sg_boss.id,
                "issuing_body": bodies[SG],
                "status": "adopted",
                "addressees": [("body", bodies[PLATFORM])],
            },
        )
    )
    addressee_choices = [
        (("body", TF), ("body", bodies[TF])),
        (("body", PLATFORM), ("body", bodies[PLATFORM])),
        (("department", "JUST"), ("department", justice.id)),
        (("mission", "NIAMEY"), ("mission", niamey.id)),
    ]
    motivating = {
        slug: [i for i in report_items if bodies[slug] in i.facts["bodies"]][::-1] for slug in (SG, TF)
    }
    for n, (issuer, level, adopted) in enumerate(itertools.product((SG, TF), LEVELS, (False, True))):
        author = writers["sg_boss"] if issuer == SG else writers["tf_boss"]
        (kind, key), unit = addressee_choices[n % len(addressee_choices)]
        title_token, text_token = b.tokens()
        decision = decisions.draft_decision(
            session=session,
            author=author,
            issuing_body=issuer,
            title=f"{COMMON_WORD} decision {title_token}",
            text=f"Decided: {text_token}.",
            classification=level,
            addressees=[(kind, key)],
            report_ids=[motivating[issuer][n % len(motivating[issuer])].id],
            policy=POLICY,
            now=now,
        )
        facts = {
            "level": level,
            "author": author.id,
            "issuing_body": bodies[issuer],
            "status": "draft",
            "addressees": [unit],
        }
        b.items.append(Item("decision", decision.id, decision.title, (title_token, text_token), facts))
        if not adopted:
            continue
        flows.adopt_and_notify(session=session, person=author, decision=decision, now=now, config=config)
        facts["status"] = "adopted"
        (action_token,) = b.tokens(1)
        action = decisions.create_action(
            session=session,
            person=author,
            decision=decision,
            title=f"{COMMON_WORD} action {action_token}",
            owner_kind=kind,
            owner_key=key,
            due_on=now.date() + timedelta(days=-3 if n % 4 == 1 else 1),
            now=now,
        )
        b.items.append(Item("action", action.id, action.title, (action_token,), {"decision": facts}))
        if kind == "body" and key == TF:
            flows.answer_and_notify(
                session=session,
                person=writers["tf_boss"],
                decision=decision,
                unit_kind=kind,
                unit_key=key,
                comply=False,
                comment="Not with the means we have.",
                now=now,
                config=config,
            )

    # --- situation reports: by a top-secret chair and by an unclassified one --------------------------
    tf = structure.get_body(session=session, slug=TF)
    # What a situation report quotes is read from its frozen text; the oracle marks it with the highest
    # level and the origins of the items quoted there (the rule the issue states), on its own.
    quoted_by_token = {t: item for item in b.items for t in item.tokens}
    for compiler in (writers["tf_boss"], writers["junior_chair"]):
        for submit in (True, False):
            sitrep = sitreps.compile_draft(
                session=session,
                person=compiler,
                policy=POLICY,
                task_force=tf,
                period_start=now.date() - timedelta(days=14),
                period_end=now.date(),
                now=now,
            )
            quoted = {quoted_by_token[t] for t in re.findall(TOKEN_PREFIX + "[a-z]{4}", sitrep.body)}
            (sitrep_token,) = b.tokens(1)
            sitreps.edit(
                session=session,
                person=compiler,
                sitrep=sitrep,
                body=sitrep.body + f"\n\nAssessment: {COMMON_WORD} {sitrep_token}.",
            )
            if submit:
                sitreps.submit(session=session, person=compiler, sitrep=sitrep, now=now)
            levels = [(q.facts["decision"] if q.kind == "action" else q.facts)["level"] for q in quoted]
            b.items.append(
                Item(
                    "sitrep",
                    sitrep.id,
                    f"situation report {sitrep.id}",
                    (sitrep_token,),
                    {
                        "task_force": bodies[TF],
                        "status": "submitted" if submit else "draft",
                        "level": max(levels, key=RANK.get, default="unclassified"),
                        "origins": sorted({q.facts["origin"] for q in quoted if q.kind == "report"}),
                        "quotes": {t for q in quoted for t in q.tokens},
                    },
                )
            )

    # --- lessons: level x (submitted for the task force, accepted without one) -----------------------
    concerned_decisions = [
        i for i in b.items if i.kind == "decision" and i.facts["issuing_body"] == bodies[TF]
    ]
    for n, (level, accepted) in enumerate(itertools.product(LEVELS, (False, True))):
        title_token, text_token = b.tokens()
        lesson = lessons.submit_observation(
            session=session,
            person=writers["tf_boss"],
            title=f"{COMMON_WORD} lesson {title_token}",
            observation=f"What we saw: {text_token}.",
            classification=level,
            task_force=None if accepted else TF,
            countries=["NER"],
            decision_ids=[concerned_decisions[(3 * n + 1) % len(concerned_decisions)].id],
            report_ids=[motivating[TF][(7 * n + 3) % len(motivating[TF])].id],
            policy=POLICY,
            now=now,
        )
        if accepted:
            lessons.advance(
                session=session, person=writers["sg_boss"], lesson=lesson, step_name="accept", now=now
            )
        b.items.append(
            Item(
                "lesson",
                lesson.id,
                lesson.title,
                (title_token, text_token),
                {
                    "level": level,
                    "author": writers["tf_boss"].id,
                    "task_force": None if accepted else bodies[TF],
                    "stage": "accepted" if accepted else "submitted",
                },
            )
        )

    # --- meetings of the three bodies, with minutes and a drafted agenda ----------------------------
    for slug, organiser in ((SG, "sg_boss"), (TF, "tf_boss"), (PLATFORM, "mission_author")):
        body = structure.get_body(session=session, slug=slug)
        title_token, minutes_token = b.tokens()
        (meeting,) = meetings.schedule(
            session=session,
            person=writers[organiser],
            body=body,
            title=f"{COMMON_WORD} meeting {title_token}",
            starts_at=now + timedelta(days=1),
        )
        meetings.draft_agenda(session=session, person=writers[organiser], meeting=meeting, now=now)
        meetings.record_minutes(
            session=session,
            person=writers[organiser],
            meeting=meeting,
            minutes=f"Minutes: {minutes_token}.",
            present_ids=[],
        )
        b.items.append(
            Item("meeting", meeting.id, meeting.title, (title_token, minutes_token), {"body": body.id})
        )

    _attach_files(b, session)

    # --- the people as the app knows them, with their tokens -----------------------------------------
    viewers = []
    for person, half in zip([*writers.values(), *matrix], halves, strict=True):
        person = b.fresh(person)
        token_value, _row = auth.issue_token(session=session, person=person, lifetime=timedelta(days=1))
        session.commit()
        viewers.append(
            Viewer(
                id=person.id,
                email=person.email,
                label=person.name.removeprefix("Matrix "),
                department=person.department.code,
                clearance=str(person.clearance),
                seats={m.body_id: str(m.role) for m in person.memberships},
                is_admin=person.is_admin,
                api_token=token_value,
                feed_token=notifications.new_feed_token(session=session, person=person),
                half=half,
            )
        )
    for viewer in viewers:
        viewer.department_id = structure.get_department(session=session, code=viewer.department).id

    priorities = [p.id for p in _priorities(session, writers["sg_boss"], now)]
    route_values = {
        "report_id": [i.id for i in b.items if i.kind == "report"],
        "decision_id": [i.id for i in b.items if i.kind == "decision"],
        "action_id": [i.id for i in b.items if i.kind == "action"],
        "lesson_id": [i.id for i in b.items if i.kind == "lesson"],
        "meeting_id": [i.id for i in b.items if i.kind == "meeting"],
        "sitrep_id": [i.id for i in b.items if i.kind == "sitrep"],
        "meetings/item_id": [i.id for i in b.items if i.kind == "meeting"],
        "situation-reports/item_id": [i.id for i in b.items if i.kind == "sitrep"],
        "priorities/item_id": priorities,
        "priority_id": priorities,
        "slug": [SG, TF, PLATFORM],
        "departments/code": ["FA", "JUST"],
        "missions/code": ["NIAMEY"],
        "person_id": [writers["tf_boss"].id, viewers[-1].id],
        "alert-feeds/feed_id": [1],  # the world has no CAP feed: the page answers 404 to everyone
    }
    exercise_key, exercise_tokens = _run_an_exercise(session, writers["sg_boss"], now)
    route_values["key"] = [exercise_key]
    return World(
        viewers=viewers,
        items=b.items,
        bodies=bodies,
        platform_missions={bodies[PLATFORM]: niamey.id},
        route_values=route_values,
        now=now,
        exercise_tokens=exercise_tokens,
    )


def _run_an_exercise(session: Session, controller, now: datetime) -> tuple[str, tuple[str, ...]]:
    """The Great Lakes script started over the world, with a report injected by hand from Niamey, and a
    decision and a lesson made by a player in the exercise: each with the common word, so that a real
    search for it would find them if they leaked."""
    from coordination.exercises import service as exercises

    tokens = tuple(token(n, EXERCISE_TOKEN_PREFIX) for n in range(5))
    exercise = exercises.plan(
        session=session, actor=controller, script_key="great-lakes-escalation", name="Matrix drill", now=now
    )
    exercises.start(session=session, actor=controller, exercise=exercise, now=now)
    exercises.post_due(session=session, exercise=exercise, now=now, policy=POLICY)
    exercises.inject_by_hand(
        session=session,
        actor=controller,
        exercise=exercise,
        mission="NIAMEY",
        title=f"{COMMON_WORD} exercise report {tokens[0]}",
        body=f"Exercise text {tokens[1]}.",
        severity="high",
        early_warning=True,
        now=now,
        policy=POLICY,
    )
    with exercises.play_session(session=session, exercise=exercise, writing=True) as play:
        decision = decisions.draft_decision(
            session=play,
            author=controller,
            issuing_body=SG,
            title=f"{COMMON_WORD} exercise decision {tokens[2]}",
            addressees=[("mission", "NIAMEY")],
            now=now,
        )
        decisions.adopt(session=play, person=controller, decision=decision, now=now)
        lessons.submit_observation(
            session=play,
            person=controller,
            title=f"{COMMON_WORD} exercise lesson {tokens[3]}",
            observation=f"Exercise observation {tokens[4]}.",
            policy=POLICY,
            now=now,
        )
        play.commit()
    return exercise.key, tokens


# where each owner kind's files are served: the page's path segment and the API's path and parameter
ATTACHMENT_PATHS = {
    "report": ("reports", "/api/v1/field-reports"),
    "decision": ("decisions", "/api/v1/decisions"),
    "lesson": ("lessons", "/api/v1/lessons"),
}


def _attach_files(b: Builder, session: Session) -> None:
    """A text file on every third report, decision and lesson, added by its author: its name and its
    content carry tokens of their own, and it may be seen exactly by who may see what it is attached to."""
    store, limits = store_from_config(b.config), attachments.Limits.from_config(b.config)
    owners = [item for item in b.items if item.kind in ATTACHMENT_PATHS]
    for n, owner_item in enumerate(owners):
        if n % 3:
            continue
        author = structure.get_person(session=session, person_id=owner_item.facts["author"])
        owner = attachment_queries.visible_owner(
            session=session, viewer=author, kind=owner_item.kind, owner_id=owner_item.id, policy=POLICY
        )
        name_token, content_token = b.tokens()
        added = attachments.upload(
            session=session,
            person=author,
            owner=owner,
            file_name=f"{name_token}.txt",
            data=f"Field notes {content_token}\n".encode(),
            keep_location=False,
            store=store,
            limits=limits,
        )
        session.commit()
        page, api = ATTACHMENT_PATHS[owner_item.kind]
        attachment_id = added.attachment.id
        b.items.append(
            Item(
                "attachment",
                attachment_id,
                f"{name_token}.txt",
                (name_token, content_token),
                {
                    "owner_kind": owner_item.kind,
                    "owner_id": owner_item.id,
                    "owner": owner_item.facts,
                    "homes": [
                        f"/{page}/{owner_item.id}/attachments/{attachment_id}",
                        f"{api}/{owner_item.id}/attachments/{attachment_id}",
                    ],
                },
            )
        )


def _priorities(session: Session, person, now: datetime):
    from coordination.steering import queries as steering_queries
    from coordination.steering import service as steering

    steering.set_priority(
        session=session, person=person, subject_kind="country", subject="NER", tier=1, now=now
    )
    return steering_queries.list_priorities(session=session)
