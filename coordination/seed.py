"""Load the human-readable files in seed/ through the services, so seed data obeys the same rules.

Loading twice changes nothing: every record is keyed (country code, department code, e-mail,
mission code, body slug) and only differences are written.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml
from sqlmodel import Session

from coordination import SEED, audit
from coordination.auth.service import hash_password
from coordination.structure import service as structure
from coordination.structure.models import BodyKind


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
        changed = structure.upsert_country(
            session=session,
            code=iso.alpha_3,
            name=note.get("name", name),
            region=note.get("region"),
            is_partner=bool(note.get("partner", False)),
        )
        report.count("countries", changed)
    for row in _read(directory, "departments.yaml"):
        row = dict(row)
        changed = structure.upsert_department(
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
        person, changed = structure.upsert_person(
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
        )
        people[person.email] = person
        report.count("people", changed)

    def member(email: str):
        person = people.get(email.lower())
        if person is None:
            raise structure.StructureError(f"seed refers to unknown person {email!r}")
        return person

    for row in _read(directory, "missions.yaml"):
        mission, changed = structure.upsert_mission(
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
        platform, changed = structure.upsert_body(
            session=session,
            slug=f"platform-{mission.code.lower()}",
            kind=BodyKind.consultation_platform,
            name=f"Consultation platform {mission.city}",
            mission_code=mission.code,
            description=row.get("platform_description", ""),
        )
        report.count("bodies", changed)
        for seat in row.get("platform", []):
            changed = structure.upsert_membership(
                session=session, body=platform, person=member(seat["person"]), role=seat["role"]
            )
            report.count("memberships", changed)
    for row in _read(directory, "bodies.yaml"):
        body, changed = structure.upsert_body(
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
            changed = structure.upsert_membership(
                session=session,
                body=body,
                person=member(seat["person"]),
                role=seat["role"],
                reason=seat.get("reason", ""),
            )
            report.count("memberships", changed)
    if report.total:
        structure.bump_revision(session=session)
        audit.record(
            session, actor_id=None, action="seed.load", object_type="seed", object_id="seed", **report.changed
        )
    session.commit()
    return report
