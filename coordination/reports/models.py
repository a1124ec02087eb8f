"""Field reports, where they were delivered, who read them, and how they were triaged."""

import math
from datetime import datetime

from pydantic import ConfigDict, field_validator
from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coordination.classification import Clearance
from coordination.reports.enums import (
    InformationCredibility,
    IntelligenceLevel,
    ReportKind,
    Severity,
    SourceReliability,
    TriageStatus,
)
from coordination.structure.enums import Theme
from coordination.types import MAX_ID, UTCDateTime, utcnow


class ReportBase(SQLModel):
    title: str = Field(min_length=3, max_length=200)
    body: str = Field(default="", max_length=50_000, sa_type=Text, description="Markdown")
    country_code: str | None = Field(
        default=None, max_length=3, description="ISO 3166-1 alpha-3; defaults to the mission's host country"
    )
    themes: list[Theme] = Field(default_factory=list, sa_type=JSON)
    severity: Severity = Field(default=Severity.info, sa_type=String(10))
    early_warning: bool = False
    classification: Clearance = Field(default=Clearance.unclassified, sa_type=String(20))
    restricted_distribution: bool = Field(default=False, description="Beperkte Verspreiding: no forwarding")
    source_reliability: SourceReliability | None = Field(default=None, sa_type=String(1))
    information_credibility: InformationCredibility | None = Field(default=None, sa_type=String(1))
    kind: ReportKind = Field(default=ReportKind.field_report, sa_type=String(20))
    intelligence_level: IntelligenceLevel | None = Field(default=None, sa_type=String(10))
    updates_report_id: int | None = Field(
        default=None, foreign_key="fieldreport.id", index=True, ge=1, le=MAX_ID
    )
    place_id: str | None = Field(
        default=None,
        max_length=40,
        description="A place of the gazetteer: geonames:<id> for a town, iso3166-2:<code> for an admin area",
    )
    place_name: str | None = Field(
        default=None,
        max_length=200,
        description="Where it happened. On posting, a name the gazetteer must know in the report's country"
        " (as 'Goma' or 'Goma, Nord-Kivu'), unless coordinates are given",
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, description="Decimal degrees (WGS 84)")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="Decimal degrees (WGS 84)")
    event_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="When it happened (UTC), besides when it was posted: at most 10 minutes after posting"
        " and at most 90 days before",
    )


class ReportCreate(ReportBase):
    mission_code: str | None = Field(
        default=None, max_length=30, description="Posting mission, e.g. KINSHASA"
    )

    model_config = SQLModel.model_config | ConfigDict(extra="forbid")  # an unknown field is refused

    @field_validator("title", mode="before")
    @classmethod
    def _trimmed_title(cls, value):
        """Trimmed before the length check: a title of spaces only is refused."""
        return value.strip() if isinstance(value, str) else value

    @field_validator("country_code", "mission_code")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else value

    @field_validator("latitude", "longitude")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    @field_validator("place_id", "place_name", mode="before")
    @classmethod
    def _trimmed_or_none(cls, value):
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, value: list[Theme]) -> list[Theme]:
        return list(dict.fromkeys(value))


class FieldReport(ReportBase, table=True):
    __table_args__ = (
        UniqueConstraint("author_id", "idempotency_key"),
        Index("ix_fieldreport_country_created", "country_code", "created_at"),
        # The dashboard counts recent early warnings by country.
        Index("ix_fieldreport_early_warning_created", "early_warning", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", max_length=3)  # ix_fieldreport_country_created
    body_html: str = Field(default="", sa_type=Text)
    author_id: int = Field(foreign_key="person.id", index=True)
    origin_department_id: int = Field(foreign_key="department.id", index=True)
    mission_id: int | None = Field(default=None, foreign_key="mission.id", index=True)
    idempotency_key: str | None = Field(default=None, max_length=200)
    request_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # when an early warning that no receiving body had triaged went to the steering group's chair
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Delivery(SQLModel, table=True):
    """A report routed to a body, with the reason the routing rules gave, and where that body's own
    triage of it stands: each receiving body triages its delivery, not the report."""

    __table_args__ = (
        UniqueConstraint("report_id", "body_id"),
        # Inboxes, unread counts and the dashboard read a body's deliveries newest first.
        Index("ix_delivery_body_delivered", "body_id", "delivered_at"),
        # The header counts a body's untriaged deliveries.
        Index("ix_delivery_body_status", "body_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # looked up through the unique (report_id, body_id) and the two (body_id, ...) indexes
    report_id: int = Field(foreign_key="fieldreport.id")
    body_id: int = Field(foreign_key="body.id")
    rule: str = Field(max_length=40)
    reason: str = Field(max_length=300)
    delivered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    forwarded_by_id: int | None = Field(default=None, foreign_key="person.id")
    status: TriageStatus = Field(default=TriageStatus.new, sa_type=String(20))
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # who moved it last: the one holding it while it is under review
    holder_id: int | None = Field(default=None, foreign_key="person.id")


class ReportRead(SQLModel, table=True):
    """When a person first opened a report."""

    report_id: int = Field(foreign_key="fieldreport.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportComment(SQLModel, table=True):
    """A triage step or a remark on a report; the reporter sees them (the loop back to the field)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="fieldreport.id", index=True)
    author_id: int = Field(foreign_key="person.id")
    # the receiving body whose triage step this is (None for a remark)
    body_id: int | None = Field(default=None, foreign_key="body.id")
    body: str = Field(default="", max_length=10_000, sa_type=Text)
    from_status: TriageStatus | None = Field(default=None, sa_type=String(20))
    to_status: TriageStatus | None = Field(default=None, sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
