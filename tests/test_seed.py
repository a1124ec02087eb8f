"""The seed data: real structure, rules respected, and loading twice changes nothing."""

from sqlalchemy import func
from sqlmodel import select

from coordination import models
from coordination.seed import load_seed
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind, MembershipRole, MissionKind
from tests.demo import DEMO_PASSWORD, DGB_DIRECTOR, DGD_DIRECTOR

PARTNERS = {"BEN", "BFA", "BDI", "COD", "GIN", "MLI", "MAR", "MOZ", "NER", "UGA", "PSE", "RWA", "SEN", "TZA"}


def test_partner_countries_are_the_fourteen_of_development_cooperation(session):
    partners = {c.code for c in session.exec(select(models.Country).where(models.Country.is_partner))}
    assert partners == PARTNERS


def test_missions_cover_great_lakes_sahel_middle_east_and_every_partner_country(session):
    missions = structure.list_missions(session=session)
    embassies = [m for m in missions if m.kind == MissionKind.embassy]
    assert len(embassies) >= 25
    representations = {m.organisation for m in missions if m.kind == MissionKind.permanent_representation}
    assert representations == {"UN", "NATO", "EU", "OSCE"}
    covered = {code for m in missions for code in m.covered_country_codes}
    assert covered >= PARTNERS
    assert {"LBN", "JOR", "ISR", "EGY"} <= covered
    assert {m.code for m in missions} >= {
        "KINSHASA",
        "KIGALI",
        "BUJUMBURA",
        "BAMAKO",
        "NIAMEY",
        "OUAGADOUGOU",
    }


def test_every_mission_has_a_platform_chaired_by_its_head(session):
    for mission in structure.list_missions(session=session):
        platform = structure.platform_of(session=session, mission=mission)
        assert platform is not None, mission.code
        chairs = [m for m in platform.memberships if m.role == MembershipRole.chair]
        assert len(chairs) == 1, mission.code


def test_great_lakes_task_force_is_chaired_by_dgb_and_co_chaired_by_dgd(session):
    body = structure.get_body(session=session, slug="task-force-great-lakes")
    assert body.kind == BodyKind.task_force and body.status == "active"
    roles = {m.person.email: m.role for m in body.memberships}
    assert roles[DGB_DIRECTOR] == MembershipRole.chair
    assert roles[DGD_DIRECTOR] == MembershipRole.co_chair
    assert {c.code for c in body.countries} == {"BDI", "COD", "RWA"}
    assert {m.code for m in body.missions} >= {"KINSHASA", "KIGALI", "BUJUMBURA"}


def test_steering_group_has_a_chair_and_one_representative_per_federal_department(session):
    steering_group = structure.get_steering_group(session=session)
    chairs = [m for m in steering_group.memberships if m.role == MembershipRole.chair]
    assert len(chairs) == 1 and chairs[0].person.department.code == "FA"
    represented = {m.person.department.code for m in steering_group.memberships}
    assert {"FA", "DEF", "JUST", "INT", "CHAN"} <= represented
    military_intelligence = [
        m for m in steering_group.memberships if m.person.directorate and m.person.directorate.code == "ADIV"
    ]
    assert military_intelligence


def test_regional_and_community_governments_are_opt_in(session):
    for department in structure.list_departments(session=session):
        assert department.opt_in == (department.level != "federal"), department.code
    fa = structure.get_department(session=session, code="FA")
    assert {"DGB", "DGD", "DGE", "DGM"} <= {d.code for d in fa.directorates}


def _counts(session) -> dict[str, int]:
    tables = [
        models.Country,
        models.Department,
        models.Directorate,
        models.Person,
        models.Mission,
        models.MissionAccreditation,
        models.Body,
        models.BodyCountry,
        models.BodyMission,
        models.Membership,
        models.AuditEvent,
    ]
    return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in tables}


def test_loading_the_seed_twice_changes_nothing(session):
    before = _counts(session)
    revision = structure.current_revision(session=session)
    hashes = {p.email: p.password_hash for p in structure.list_people(session=session)}
    report = load_seed(session=session, demo_password=DEMO_PASSWORD)
    assert report.changed == {}
    assert _counts(session) == before
    assert structure.current_revision(session=session) == revision
    assert {p.email: p.password_hash for p in structure.list_people(session=session)} == hashes
