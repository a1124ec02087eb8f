"""Load the human-readable files in seed/ through the services, so seed data obeys the same rules.

Loading twice changes nothing: every record is keyed (country code, department code, e-mail,
mission code, body slug) and only differences are written.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml
from sqlmodel import Session

from coordination import SEED
from coordination.audit import service as audit
from coordination.auth.service import hash_password
from coordination.classification import NeedToKnow
from coordination.structure import queries as structure
from coordination.structure import service as structure_service
from coordination.structure.enums import BodyKind


@dataclass
class SeedReport:
    changed: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, changed: bool) -> None:
        if changed:
            self.changed[kind] = self.changed.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def _read(directory: Path, name: str) -> list[dict]:
    with (directory / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


@lru_cache(maxsize=1)
def demo_accounts_listed(directory: Path = SEED) -> list[dict]:
    """The demo accounts worth trying first, as listed in seed/demo_accounts.yaml and the README."""
    path = directory / "demo_accounts.yaml"
    return _read(directory, path.name) if path.exists() else []


def load_seed(*, session: Session, demo_password: str, directory: Path = SEED) -> SeedReport:
    """Create or update the organisation from the seed files; commit once at the end."""
    report = SeedReport()
    annotations = {row["code"].upper(): row for row in _read(directory, "countries.yaml")}
    for iso in pycountry.countries:
        note = annotations.get(iso.alpha_3, {})
        name = getattr(iso, "common_name", None) or iso.name
        changed = structure_service.upsert_country(
            session=session,
            code=iso.alpha_3,
            name=note.get("name", name),
            region=note.get("region"),
            is_partner=bool(note.get("partner", False)),
        )
        report.count("countries", changed)
    heads: dict[tuple[str, str], str] = {}
    for row in _read(directory, "departments.yaml"):
        row = dict(row)
        row["directorates"] = [dict(item) for item in row.get("directorates", [])]
        for item in row["directorates"]:
            if head := item.pop("head", None):
                heads[row["code"], item["code"]] = head
        changed = structure_service.upsert_department(
            session=session, directorates=row.pop("directorates", []), **row
        )
        report.count("departments", changed)
    # One hash for every demo account: argon2 is slow by design and they share the demo password.
    demo_hash = None
    people = {}
    for row in _read(directory, "people.yaml"):
        row = dict(row)
        if structure.get_person_by_email(session=session, email=row["email"]) is None and demo_hash is None:
            demo_hash = hash_password(demo_password)
        person, changed = structure_service.upsert_person(
            session=session,
            email=row["email"],
            name=row["name"],
            department_code=row["department"],
            directorate_code=row.get("directorate"),
            function=row.get("function", ""),
            clearance=row.get("clearance", "unclassified"),
            languages=row.get("languages", []),
            password_hash=demo_hash,
            is_demo=True,
            is_admin=bool(row.get("admin", False)),
            is_security_officer=bool(row.get("security_officer", False)),
        )
        people[person.email] = person
        report.count("people", changed)

    for (department_code, directorate_code), email in heads.items():
        directorate = structure.get_directorate(
            session=session, department_code=department_code, code=directorate_code
        )
        head = people.get(email)
        if head is None:
            raise structure_service.StructureError(f"seed names unknown head {email!r} of {directorate_code}")
        if directorate.head_id != head.id:
            directorate.head_id = head.id
            session.add(directorate)
            report.count("directorates", True)

    def member(email: str):
        person = people.get(email.lower())
        if person is None:
            raise structure_service.StructureError(f"seed refers to unknown person {email!r}")
        return person

    for row in _read(directory, "missions.yaml"):
        mission, changed = structure_service.upsert_mission(
            session=session,
            code=row["code"],
            accredited=row.get("accredited", []),
            kind=row["kind"],
            name=row["name"],
            city=row["city"],
            host_country_code=row["host_country"],
            organisation=row.get("organisation"),
        )
        report.count("missions", changed)
        platform, changed = structure_service.upsert_body(
            session=session,
            slug=f"platform-{mission.code.lower()}",
            kind=BodyKind.consultation_platform,
            name=structure_service.platform_name(mission),
            mission_code=mission.code,
            description=row.get("platform_description", ""),
        )
        report.count("bodies", changed)
        for seat in row.get("platform", []):
            changed = structure_service.upsert_membership(
                session=session, body=platform, person=member(seat["person"]), role=seat["role"]
            )
            report.count("memberships", changed)
    for row in _read(directory, "bodies.yaml"):
        body, changed = structure_service.upsert_body(
            session=session,
            slug=row["slug"],
            kind=row["kind"],
            name=row["name"],
            description=row.get("description", "").strip(),
            goals=row.get("goals", "").strip(),
            status=row.get("status", "active"),
            themes=row.get("themes", []),
            countries=row.get("countries", []),
            mission_codes=row.get("missions", []),
        )
        report.count("bodies", changed)
        for seat in row.get("members", []):
            changed = structure_service.upsert_membership(
                session=session,
                body=body,
                person=member(seat["person"]),
                role=seat["role"],
                reason=seat.get("reason", ""),
            )
            report.count("memberships", changed)
    if report.total:
        structure_service.bump_revision(session=session)
        audit.record(
            session, actor_id=None, action="seed.load", object_type="seed", object_id="seed", **report.changed
        )
    session.commit()
    return report


def load_scenario(
    *,
    session: Session,
    directory: Path = SEED,
    now: datetime | None = None,
    policy: NeedToKnow | None = None,
) -> int:
    """Post the demo scenario's field reports through the report services, backdated by `days_ago`.

    Each report is keyed by (author, key) like an API retry, so loading twice posts nothing new.
    Returns the number of reports posted. `policy` is the instance's need-to-know policy (the default
    one when none is given).
    """
    from coordination.reports import service as reports
    from coordination.reports.service import ReportCreate

    path = directory / "scenario.yaml"
    if not path.exists():
        return 0
    now = now or datetime.now(UTC)
    scenario = _read(directory, path.name)
    _load_priorities(session, scenario, now)
    _load_weekly_meeting(session, scenario, now)
    policy = policy or NeedToKnow()
    _load_lessons(session, scenario, now, policy)
    graph = structure.organisation_graph(session=session)
    posted_by_key: dict[str, int] = {}
    posted = 0
    for row in scenario["reports"]:
        when = now - timedelta(days=row.get("days_ago", 0))
        author = structure.get_person_by_email(session=session, email=row["author"])
        if author is None:
            raise structure_service.StructureError(f"scenario refers to unknown person {row['author']!r}")
        data = ReportCreate(
            title=row["title"],
            body=row.get("body", "").strip(),
            mission_code=row.get("mission"),
            country_code=row.get("country"),
            themes=row.get("themes", []),
            severity=row.get("severity", "info"),
            early_warning=row.get("early_warning", False),
            classification=row.get("classification", "unclassified"),
            restricted_distribution=row.get("restricted_distribution", False),
            source_reliability=row.get("source_reliability"),
            information_credibility=row.get("information_credibility"),
            kind=row.get("kind", "field_report"),
            intelligence_level=row.get("intelligence_level"),
            updates_report_id=posted_by_key.get(row["updates"]) if row.get("updates") else None,
            place_name=row.get("place"),
            latitude=row["coordinates"][0] if row.get("coordinates") else None,
            longitude=row["coordinates"][1] if row.get("coordinates") else None,
        )
        result = reports.prepare_report(
            session=session,
            author=author,
            data=data,
            graph=graph,
            policy=policy,
            idempotency_key=f"scenario:{row['key']}",
            now=when,
        )
        if isinstance(result, reports.PreparedReport):
            # posted when the scenario says (its alerts too); the event time is set here, like the posting
            # time, so that loading again on another day sends the same request
            result.report.created_at = result.report.updated_at = when
            if "event_hours_before" in row:
                result.report.event_at = when - timedelta(hours=row["event_hours_before"])
            result = reports.store_report(session=session, prepared=result)
        posted_by_key[row["key"]] = result.report.id
        if not result.created:
            continue
        posted += 1
        for step, triage in enumerate(row.get("triage", []), start=1):
            who = structure.get_person_by_email(session=session, email=triage["by"])
            body = _triaging_body(session, who, result.report, triage.get("body"))
            reports.triage(
                session=session,
                person=who,
                report=result.report,
                body=body,
                to_status=triage["to"],
                comment=triage.get("comment", ""),
                now=when + timedelta(hours=6 * step),
            )
    return posted


def _load_priorities(session: Session, scenario: dict, now: datetime) -> None:
    from coordination.steering import queries as steering
    from coordination.steering import service as priorities

    if not scenario.get("priorities") or steering.any_priority(session=session):
        return
    secretary = structure.get_person_by_email(session=session, email=scenario["priorities_set_by"])
    for row in scenario["priorities"]:
        priorities.set_priority(session=session, person=secretary, now=now, **row)


def _load_weekly_meeting(session: Session, scenario: dict, now: datetime) -> None:
    """The steering group's weekly meeting from the next Monday, unless it already has meetings."""
    from coordination.i18n import BRUSSELS
    from coordination.meetings import queries as meeting_queries
    from coordination.meetings import service as meetings

    weekly = scenario.get("weekly_meeting")
    steering_group = structure.get_steering_group(session=session)
    if not weekly or meeting_queries.any_meeting_of(session=session, body_id=steering_group.id):
        return
    brussels = now.astimezone(BRUSSELS)
    monday = (brussels + timedelta(days=7 - brussels.weekday())).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    secretary = structure.get_person_by_email(session=session, email=scenario["priorities_set_by"])
    meetings.schedule(
        session=session,
        person=secretary,
        body=steering_group,
        title=weekly["title"],
        starts_at=monday.astimezone(UTC),
        location=weekly.get("location", ""),
        weekly_occurrences=weekly.get("weeks", 4),
    )


def _load_lessons(session: Session, scenario: dict, now: datetime, policy: NeedToKnow) -> None:
    """Lessons at different stages, each step taken by the person the rules allow, then backdated."""
    from coordination.decisions import service as decisions
    from coordination.lessons import queries as lesson_queries
    from coordination.lessons import service as lessons

    if not scenario.get("lessons") or lesson_queries.any_lesson(session=session):
        return

    def person(email: str):
        found = structure.get_person_by_email(session=session, email=email)
        if found is None:
            raise structure_service.StructureError(f"scenario refers to unknown person {email!r}")
        return found

    for row in scenario["lessons"]:
        submitted_at = now - timedelta(days=row.get("days_ago", 0))
        lesson = lessons.submit_observation(
            session=session,
            person=person(row["author"]),
            title=row["title"],
            observation=row["observation"].strip(),
            discussion=row.get("discussion", "").strip(),
            conclusion=row.get("conclusion", "").strip(),
            recommendation=row.get("recommendation", "").strip(),
            effort=row.get("effort", ""),
            task_force=row.get("task_force"),
            themes=row.get("themes", []),
            countries=row.get("countries", []),
            tags=row.get("tags", []),
            policy=policy,
            now=submitted_at,
        )
        for step in row.get("steps", []):
            when = now - timedelta(days=step["days_ago"])
            actor = person(step["by"])
            if step["step"] == "endorse":
                lessons.endorse(
                    session=session, person=actor, lesson=lesson, action_body=step["action_body"], now=when
                )
            elif step["step"] == "task":
                owner = person(step["owner"])
                action = lessons.add_remedial_action(
                    session=session,
                    person=actor,
                    lesson=lesson,
                    title=step["action"],
                    due_on=(when + timedelta(days=step.get("due_in_days", 60))).date(),
                    owner_person_id=owner.id,
                    now=when,
                )
                if step.get("done"):
                    decisions.update_action(
                        session=session, person=owner, action=action, status="done", body="Done.", now=when
                    )
            else:
                lessons.advance(
                    session=session,
                    person=actor,
                    lesson=lesson,
                    step_name=step["step"],
                    note=step.get("note", ""),
                    now=when,
                )
        lessons.set_stage_changed_at(
            session=session, lesson=lesson, at=lesson_queries.last_moved_at(session=session, lesson=lesson)
        )


def _triaging_body(session: Session, person, report, slug: str | None):
    """The body a scenario triage step is for: the one named, else the person's task force among the
    receiving bodies, else their only one."""
    from coordination.reports import queries as report_queries

    if slug:
        return structure.get_body(session=session, slug=slug)
    bodies = report_queries.triage_bodies(session=session, viewer=person, report=report)
    task_forces = [b for b in bodies if b.kind == BodyKind.task_force]
    return (task_forces or bodies or [None])[0]
