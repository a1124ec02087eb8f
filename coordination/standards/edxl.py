"""EDXL-SitRep 1.0 documents of submitted situation reports, written from plain data.

The schema in schemas/edxl-sitrep/ is a profile written for this project, not the OASIS file (its
README.txt says why and how to swap the OASIS files in). The mapping: the task force is the incident and
the preparer's body, its chair who submitted the report prepares and authorises it, the report's text is
the situation summary, and the classification marking leads the title (SitRep has no element of its own
for it)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from coordination.standards.marking import marking

SITREP_NS = "urn:oasis:names:tc:emergency:EDXL:SitRep:1.0"
CT_NS = "urn:oasis:names:tc:emergency:edxl:ct:1.0"
XNL_NS = "urn:oasis:names:tc:emergency:edxl:ciq:1.0:xnl"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MEDIA_TYPE = "application/xml"
SCHEMA = Path(__file__).parent / "schemas" / "edxl-sitrep" / "EDXLSitRep-profile.xsd"

# Characters XML 1.0 cannot carry at all (a pasted control character must not break the export).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class SitrepDocument:
    """What an EDXL-SitRep export says about one submitted situation report."""

    message_id: str
    incident_id: str  # the task force's slug: the crisis it coordinates
    task_force: str
    report_number: int  # its rank among the task force's submitted reports
    prepared_by: str
    submitted_at: datetime
    period_start: date
    period_end: date
    body: str
    classification: str
    title: str


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value or "").strip() or "-")


def _when(moment: datetime) -> str:
    """EDXL date-times: seconds precision and a numeric offset (no "Z")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _person_time(tag: str, name: str, at: datetime) -> str:
    return (
        f"<sitrep:{tag}><ct:personDetails><xnl:personName>"
        f"<xnl:nameElement>{_text(name)}</xnl:nameElement>"
        f"</xnl:personName></ct:personDetails><ct:timeValue>{_when(at)}</ct:timeValue></sitrep:{tag}>"
    )


def sitrep_xml(doc: SitrepDocument) -> bytes:
    """The EDXL-SitRep 1.0 document (UTF-8) of a submitted situation report."""
    mark = marking(doc.classification)
    start = datetime.combine(doc.period_start, time.min, tzinfo=UTC)
    end = datetime.combine(doc.period_end, time(23, 59, 59), tzinfo=UTC)
    purpose = f"Situation report of the task force {doc.task_force} to the steering group. Marking: {mark}."
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<sitrep:sitRep xmlns:sitrep="{SITREP_NS}" xmlns:ct="{CT_NS}" xmlns:xnl="{XNL_NS}" '
        f'xmlns:xsi="{XSI_NS}">',
        f"<sitrep:messageID>{_text(doc.message_id)}</sitrep:messageID>",
        _person_time("preparedBy", doc.prepared_by, doc.submitted_at),
        _person_time("authorizedBy", doc.prepared_by, doc.submitted_at),
        f"<sitrep:reportPurpose>{_text(purpose)}</sitrep:reportPurpose>",
        f"<sitrep:reportNumber>{max(1, doc.report_number)}</sitrep:reportNumber>",
        f"<sitrep:reportVersion>{'Initial' if doc.report_number <= 1 else 'Update'}</sitrep:reportVersion>",
        f"<sitrep:forTimePeriod><ct:fromDateTime>{_when(start)}</ct:fromDateTime>"
        f"<ct:toDateTime>{_when(end)}</ct:toDateTime></sitrep:forTimePeriod>",
        f"<sitrep:reportTitle>{_text(f'[{mark}] {doc.title}')}</sitrep:reportTitle>",
        f"<sitrep:incidentID>{_text(doc.incident_id)}</sitrep:incidentID>",
        # The chair's submitted report is the task force's own assessment; the platform keeps no severity
        # for a period, so it says Unknown rather than invent one.
        "<sitrep:reportConfidence>HighlyConfident</sitrep:reportConfidence>",
        "<sitrep:severity>Unknown</sitrep:severity>",
        '<sitrep:report xsi:type="sitrep:SituationInformationType">',
        f"<sitrep:situationSummary>{_text(doc.body)}</sitrep:situationSummary>",
        "</sitrep:report>",
        "</sitrep:sitRep>\n",
    ]
    return "".join(parts).encode("utf-8")


@cache
def _schema():
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


def validate(document: bytes) -> None:
    """Raise `xmlschema.XMLSchemaValidationError` unless the document is valid against the schema."""
    _schema().validate(document.decode("utf-8"))
