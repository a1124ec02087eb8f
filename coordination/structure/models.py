"""Organisation model: who exists, who sits where, which country each mission and task force covers."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlmodel import Field, Relationship, SQLModel

from coordination.classification import Clearance
from coordination.structure.enums import (
    BodyKind,
    BodyStatus,
    DepartmentKind,
    GovernmentLevel,
    MembershipRole,
    MissionKind,
)
from coordination.types import UTCDateTime, utcnow


class Country(SQLModel, table=True):
    """An ISO 3166-1 country; `is_partner` marks partner countries of development cooperation."""

    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=120)
    region: str | None = Field(default=None, max_length=60, index=True)
    is_partner: bool = Field(default=False, index=True)


class Department(SQLModel, table=True):
    """A federal public service, agency, or an opt-in regional or community government."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)
    name_nl: str | None = Field(default=None, max_length=200)
    name_fr: str | None = Field(default=None, max_length=200)
    level: GovernmentLevel = Field(default=GovernmentLevel.federal, sa_type=String(20))
    kind: DepartmentKind = Field(default=DepartmentKind.public_service, sa_type=String(20))
    opt_in: bool = Field(default=False)
    # an opt-in regional or community government takes part only while it has opted in
    participating: bool = Field(default=True)
    # who answers the steering group's decisions for the department (seated in the steering group)
    representative_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("person.id", use_alter=True, name="fk_department_representative_id")
        ),
    )

    directorates: list["Directorate"] = Relationship(back_populates="department")

    def localised_name(self, locale: str) -> str:
        return {"nl": self.name_nl, "fr": self.name_fr}.get(locale) or self.name


class Directorate(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("department_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    name_nl: str | None = Field(default=None, max_length=200)
    name_fr: str | None = Field(default=None, max_length=200)
    head_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", use_alter=True, name="fk_directorate_head_id")),
    )

    department: Department = Relationship(back_populates="directorates")

    def localised_name(self, locale: str) -> str:
        return {"nl": self.name_nl, "fr": self.name_fr}.get(locale) or self.name


class MissionAccreditation(SQLModel, table=True):
    """A country, other than the host, to which a mission is accredited."""

    mission_id: int = Field(foreign_key="mission.id", primary_key=True)
    country_code: str = Field(foreign_key="country.code", primary_key=True, max_length=3)


class Mission(SQLModel, table=True):
    """An embassy, permanent representation or consulate."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    kind: MissionKind = Field(sa_type=String(30))
    name: str = Field(max_length=200)
    city: str = Field(max_length=100)
    host_country_code: str = Field(foreign_key="country.code", max_length=3, index=True)
    organisation: str | None = Field(default=None, max_length=20)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # where its city is (places.town), set when it is opened or moved: maps place it without reading the
    # gazetteer; None when the gazetteer does not know the city (it then stands at its country's marker)
    longitude: float | None = None
    latitude: float | None = None

    host_country: Country = Relationship()
    accredited_countries: list[Country] = Relationship(link_model=MissionAccreditation)

    @property
    def covered_country_codes(self) -> list[str]:
        return [self.host_country_code, *sorted(c.code for c in self.accredited_countries)]


class BodyCountry(SQLModel, table=True):
    """A country in a task force's scope."""

    body_id: int = Field(foreign_key="body.id", primary_key=True)
    country_code: str = Field(foreign_key="country.code", primary_key=True, max_length=3, index=True)
    # why the steering group let this task force cover a country another active task force covers
    override_reason: str = Field(default="", max_length=300)


class BodyMission(SQLModel, table=True):
    """A mission whose consultation platform works with a task force."""

    body_id: int = Field(foreign_key="body.id", primary_key=True)
    mission_id: int = Field(foreign_key="mission.id", primary_key=True, index=True)


class Body(SQLModel, table=True):
    """The steering group, a task force, or a mission's consultation platform."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    kind: BodyKind = Field(sa_type=String(30), index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="")
    goals: str = Field(default="")
    status: BodyStatus = Field(default=BodyStatus.active, sa_type=String(20), index=True)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    mission_id: int | None = Field(default=None, foreign_key="mission.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # task forces: the adopted steering-group decision that set their goals, who decided on the chairs,
    # departments for which the issue is major, the situation-report cadence, and the closing report
    goals_decision_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("decision.id", use_alter=True, name="fk_body_goals_decision_id")
        ),
    )
    major_departments: list[str] = Field(default_factory=list, sa_type=JSON)
    chairs_decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    chairs_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sitrep_every_days: int = Field(default=14, ge=1, le=365)
    closing_report: str = Field(default="")
    stood_down_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    chairs_override_reason: str = Field(default="", max_length=300)

    mission: Mission | None = Relationship()
    memberships: list["Membership"] = Relationship(
        sa_relationship_kwargs={
            "primaryjoin": "and_(Body.id == Membership.body_id, Membership.ended_at.is_(None))",
            "viewonly": True,
        }
    )
    countries: list[Country] = Relationship(link_model=BodyCountry)
    missions: list[Mission] = Relationship(link_model=BodyMission)


class Person(SQLModel, table=True):
    """Someone who works in the structure; also the account that signs in."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    department_id: int = Field(foreign_key="department.id", index=True)
    directorate_id: int | None = Field(default=None, foreign_key="directorate.id", index=True)
    mission_id: int | None = Field(default=None, foreign_key="mission.id", index=True)
    function: str = Field(default="", max_length=200)
    clearance: Clearance = Field(default=Clearance.unclassified, sa_type=String(20))
    languages: list[str] = Field(default_factory=list, sa_type=JSON)
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    is_demo: bool = Field(default=False)
    is_admin: bool = Field(default=False)
    # may change clearances (and only that): the security officer of the structure
    is_security_officer: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    department: Department = Relationship(sa_relationship_kwargs={"foreign_keys": "[Person.department_id]"})
    directorate: Directorate | None = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Person.directorate_id]"}
    )
    mission: Mission | None = Relationship()
    memberships: list["Membership"] = Relationship(
        sa_relationship_kwargs={
            "primaryjoin": "and_(Person.id == Membership.person_id, Membership.ended_at.is_(None))",
            "viewonly": True,
        }
    )

    # Flask-Login's user interface
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class Membership(SQLModel, table=True):
    """A seat: a person sitting in a body with a role, from when to when, and why.

    A seat that ends keeps its row (`ended_at`), so the history stays and what was delivered to the body
    while the person sat there stays theirs to read; a person holds at most one current seat per body.
    """

    __table_args__ = (
        Index(
            "uq_membership_current_seat",
            "body_id",
            "person_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_membership_person_body", "person_id", "body_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: MembershipRole = Field(default=MembershipRole.member, sa_type=String(20))
    reason: str = Field(default="", max_length=300)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ends_on: date | None = Field(default=None)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(default="", max_length=300)
    seated_by_id: int | None = Field(default=None, foreign_key="person.id")
    ended_by_id: int | None = Field(default=None, foreign_key="person.id")

    body: Body = Relationship()
    person: Person = Relationship(sa_relationship_kwargs={"foreign_keys": "[Membership.person_id]"})


class OrganisationRevision(SQLModel, table=True):
    """A counter bumped on every change to the structure, so cached graphs know when to rebuild."""

    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
