"""A submitted situation report as documents for other systems and for print: EDXL-SitRep 1.0 and PDF.

The caller has already checked that the reader may see the report (queries.get_visible_sitrep)."""

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.i18n import datetimeformat
from coordination.labels import label_now
from coordination.sitreps import queries
from coordination.sitreps.models import SituationReport
from coordination.standards import edxl, pdf
from coordination.standards.marking import marking
from coordination.structure import queries as structure


def edxl_of(*, session: Session, sitrep: SituationReport, base_url: str) -> bytes:
    """The EDXL-SitRep 1.0 document: the task force is the incident, its chair who submitted the report
    prepares and authorises it, the text is the situation summary."""
    body = structure.bodies_by_id(session=session, ids=[sitrep.task_force_id])[sitrep.task_force_id]
    submitter = structure.people_by_id(session=session, ids=[sitrep.submitted_by_id])[sitrep.submitted_by_id]
    return edxl.sitrep_xml(
        edxl.SitrepDocument(
            message_id=f"{base_url.rstrip('/')}/situation-reports/{sitrep.id}",
            incident_id=body.slug,
            task_force=body.name,
            report_number=queries.report_number(session=session, sitrep=sitrep),
            prepared_by=submitter.name,
            submitted_at=sitrep.submitted_at,
            period_start=sitrep.period_start,
            period_end=sitrep.period_end,
            body=sitrep.body,
            classification=str(sitrep.classification),
            title=f"{body.name}: situation report {sitrep.period_start} – {sitrep.period_end}",
        )
    )


def pdf_of(*, session: Session, sitrep: SituationReport) -> bytes:
    """The situation report printed on A4 in the reader's language, marked on every page."""
    body = structure.bodies_by_id(session=session, ids=[sitrep.task_force_id])[sitrep.task_force_id]
    submitter = structure.people_by_id(session=session, ids=[sitrep.submitted_by_id])[sitrep.submitted_by_id]
    submitted = datetimeformat(sitrep.submitted_at, "yyyy-MM-dd HH:mm")
    return pdf.render(
        pdf.Document(
            title=_("Situation report %(start)s – %(end)s", start=sitrep.period_start, end=sitrep.period_end),
            marking=marking(sitrep.classification),
            kicker=body.name,
            facts=[
                (_("Task force"), body.name),
                (_("Period"), f"{sitrep.period_start} – {sitrep.period_end}"),
                (_("Submitted"), f"{submitted} · {submitter.name}"),
                (_("Classification"), label_now("clearance", sitrep.classification)),
            ],
            body_html=sitrep.body_html,
        )
    )
