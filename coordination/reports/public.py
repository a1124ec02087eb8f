"""API types for field reports and their deliveries."""

from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from coordination.reports.models import (
    Delivery,
    FieldReport,
    InformationCredibility,
    IntelligenceLevel,
    ReportKind,
    Severity,
    SourceReliability,
    TriageStatus,
)
from coordination.structure.models import Body, Clearance, Mission, Person


class DeliveryPublic(BaseModel):
    body: str
    body_name: str
    rule: str
    reason: str
    delivered_at: datetime


class AuthorPublic(BaseModel):
    id: int
    name: str


class ReportPublic(BaseModel):
    id: int
    title: str
    body: str
    body_html: str
    country_code: str
    themes: list[str]
    severity: Severity
    early_warning: bool
    classification: Clearance
    restricted_distribution: bool
    source_reliability: SourceReliability | None
    information_credibility: InformationCredibility | None
    kind: ReportKind
    intelligence_level: IntelligenceLevel | None
    updates_report_id: int | None
    status: TriageStatus
    mission: str | None
    author: AuthorPublic
    created_at: datetime
    updated_at: datetime
    deliveries: list[DeliveryPublic] = []


class InboxEntry(BaseModel):
    report: ReportPublic
    via: list[str]
    unread: bool


class InboxPublic(BaseModel):
    unread: int = Field(description="Unread reports, counted up to 99 (99 means 99 or more).")
    items: list[InboxEntry]


def report_publics(
    session: Session, reports: list[FieldReport], *, with_deliveries: bool = True
) -> list[ReportPublic]:
    """API types for many reports in a fixed number of queries (authors, missions, deliveries batched)."""
    ids = [r.id for r in reports]
    author_ids = {r.author_id for r in reports}
    mission_ids = {r.mission_id for r in reports if r.mission_id}
    authors = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(author_ids)))} if ids else {}
    missions = (
        {m.id: m for m in session.exec(select(Mission).where(Mission.id.in_(mission_ids)))}
        if mission_ids
        else {}
    )
    deliveries: dict[int, list[DeliveryPublic]] = {report_id: [] for report_id in ids}
    if with_deliveries and ids:
        rows = session.exec(
            select(Delivery, Body)
            .join(Body, Body.id == Delivery.body_id)
            .where(Delivery.report_id.in_(ids))
            .order_by(Delivery.id)
        )
        for d, body in rows:
            deliveries[d.report_id].append(
                DeliveryPublic(
                    body=body.slug,
                    body_name=body.name,
                    rule=d.rule,
                    reason=d.reason,
                    delivered_at=d.delivered_at,
                )
            )
    return [
        ReportPublic(
            **{name: getattr(report, name) for name in REPORT_FIELDS},
            mission=missions[report.mission_id].code if report.mission_id else None,
            author=AuthorPublic(id=report.author_id, name=authors[report.author_id].name),
            deliveries=deliveries[report.id],
        )
        for report in reports
    ]


def posted_public(posted, author: Person, mission_code: str | None) -> ReportPublic:
    """The API type of a report just posted, from what posting already holds (no query: on SQLite the
    request still holds the write lock while it answers)."""
    report = posted.report
    return ReportPublic(
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        mission=mission_code,
        author=AuthorPublic(id=author.id, name=author.name),
        deliveries=[
            DeliveryPublic(
                body=posted.bodies[d.body_id].slug,
                body_name=posted.bodies[d.body_id].name,
                rule=d.rule,
                reason=d.reason,
                delivered_at=d.delivered_at,
            )
            for d in posted.deliveries
        ],
    )


def report_public(session: Session, report: FieldReport, *, with_deliveries: bool = True) -> ReportPublic:
    return report_publics(session, [report], with_deliveries=with_deliveries)[0]


REPORT_FIELDS = {
    "id",
    "title",
    "body",
    "body_html",
    "country_code",
    "themes",
    "severity",
    "early_warning",
    "classification",
    "restricted_distribution",
    "source_reliability",
    "information_credibility",
    "kind",
    "intelligence_level",
    "updates_report_id",
    "status",
    "created_at",
    "updated_at",
}
