"""Every table module, imported in one place so that metadata and relationships are complete."""

from coordination.audit import AuditEvent
from coordination.auth.models import ApiToken
from coordination.reports.models import Delivery, FieldReport, ReportComment, ReportRead
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
    OrganisationRevision,
    Person,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Body",
    "BodyCountry",
    "BodyMission",
    "Country",
    "Delivery",
    "Department",
    "Directorate",
    "FieldReport",
    "Membership",
    "Mission",
    "MissionAccreditation",
    "OrganisationRevision",
    "Person",
    "ReportComment",
    "ReportRead",
]
