"""A decision printed (PDF), for the page and the API alike: what the reader may see of it, its opening
audited as `decision.pdf`."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.decisions import queries
from coordination.decisions.forms import ACKNOWLEDGEMENT_LABELS, DECISION_STATUS_LABELS
from coordination.decisions.models import Decision
from coordination.i18n import datetimeformat
from coordination.labels import label
from coordination.standards import pdf
from coordination.standards.marking import marking
from coordination.structure import queries as structure

if TYPE_CHECKING:
    from coordination.structure.models import Person


def filename(decision: Decision) -> str:
    return f"decision-{decision.id}.pdf"


def printed(*, session: Session, viewer: "Person", decision: Decision, now: datetime) -> bytes:
    """The decision with its acknowledgement table, as PDF, in the reader's language (the caller has
    found it among the decisions the reader may see)."""
    audit.record_opening(
        session,
        actor_id=viewer.id,
        action="decision.pdf",
        object_type="decision",
        object_id=decision.id,
        classification=decision.classification,
    )
    body = structure.bodies_by_id(session=session, ids=[decision.issuing_body_id])[decision.issuing_body_id]
    people = structure.people_by_id(
        session=session, ids={decision.created_by_id, decision.adopted_by_id} - {None}
    )

    def when(moment) -> str:
        return datetimeformat(moment, "yyyy-MM-dd HH:mm") if moment else ""

    facts = [
        (_("Issued by"), body.name),
        (_("Status"), str(DECISION_STATUS_LABELS.get(decision.status, decision.status))),
        (_("Classification"), label("clearance", decision.classification)),
        (_("Drafted by"), f"{people[decision.created_by_id].name} · {when(decision.created_at)}"),
    ]
    if decision.adopted_at:
        facts += [
            (_("Adopted by"), f"{people[decision.adopted_by_id].name} · {when(decision.adopted_at)}"),
            (_("Acknowledge by"), when(decision.acknowledgement_due_at)),
        ]
    if decision.rationale:
        facts.append((_("Rationale"), decision.rationale))
    late = " · " + _("late")
    rows = [
        (
            row.unit.label,
            str(ACKNOWLEDGEMENT_LABELS.get(row.addressee.status, row.addressee.status))
            + (late if row.late else ""),
            row.answered_by.name if row.answered_by else "",
            when(row.addressee.answered_at),
            row.addressee.comment,
        )
        for row in queries.acknowledgement_table(session=session, decision=decision, now=now)
    ]
    document = pdf.Document(
        title=decision.title,
        marking=marking(decision.classification),
        kicker=f"{body.name} · {_('Decision %(number)s', number=decision.id)}",
        facts=facts,
        body_html=decision.text_html,
        tables=[
            pdf.Table(
                _("Acknowledgements"),
                (_("Addressee"), _("Answer"), _("By"), _("When"), _("Comment")),
                rows,
                widths=(26, 18, 18, 14, 24),
            )
        ],
    )
    return pdf.render(document)
