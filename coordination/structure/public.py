"""Turn organisation records into their public API types."""

from coordination.structure.models import (
    Body,
    BodyPublic,
    BodySummary,
    Department,
    DepartmentPublic,
    DirectoratePublic,
    MemberPublic,
    MembershipOfPerson,
    Mission,
    MissionPublic,
    MissionSummary,
    Person,
    PersonPublic,
    PersonSummary,
)
from coordination.structure.service import ordered_memberships


def department(d: Department) -> DepartmentPublic:
    return DepartmentPublic(
        code=d.code,
        name=d.name,
        level=d.level,
        kind=d.kind,
        opt_in=d.opt_in,
        directorates=[
            DirectoratePublic(code=x.code, name=x.name) for x in sorted(d.directorates, key=lambda x: x.code)
        ],
    )


def person_summary(p: Person) -> PersonSummary:
    return PersonSummary(
        id=p.id,
        name=p.name,
        email=p.email,
        function=p.function,
        department=p.department.code,
        directorate=p.directorate.code if p.directorate else None,
    )


def person(p: Person) -> PersonPublic:
    return PersonPublic(
        **person_summary(p).model_dump(),
        clearance=p.clearance,
        languages=p.languages,
        bodies=[
            MembershipOfPerson(body=m.body.slug, body_name=m.body.name, role=m.role)
            for m in sorted(p.memberships, key=lambda m: m.body.name)
        ],
    )


def body_summary(b: Body) -> BodySummary:
    return BodySummary(
        slug=b.slug, kind=b.kind, name=b.name, status=b.status, mission=b.mission.code if b.mission else None
    )


def body(b: Body) -> BodyPublic:
    return BodyPublic(
        **body_summary(b).model_dump(),
        description=b.description,
        goals=b.goals,
        themes=list(b.themes),
        countries=sorted(c.code for c in b.countries),
        missions=sorted(m.code for m in b.missions),
        members=[
            MemberPublic(person=person_summary(m.person), role=m.role, reason=m.reason)
            for m in ordered_memberships(b)
        ],
    )


def mission_summary(m: Mission) -> MissionSummary:
    return MissionSummary(
        code=m.code,
        kind=m.kind,
        name=m.name,
        city=m.city,
        host_country=m.host_country_code,
        organisation=m.organisation,
        accredited_countries=sorted(c.code for c in m.accredited_countries),
    )


def mission(m: Mission, platform: Body | None) -> MissionPublic:
    return MissionPublic(**mission_summary(m).model_dump(), platform=body(platform) if platform else None)
