"""A task force's annual review printed (PDF), for the page and the API alike: as this reader may read
it, with the marking of what it quotes, its opening audited as `review.pdf`."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session

from coordination.audit import service as audit
from coordination.markup import render_markdown
from coordination.planning import plans
from coordination.standards import pdf
from coordination.standards.marking import marking

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person


def filename(effort: "Body", year: int) -> str:
    return f"{effort.slug}-annual-review-{year}.pdf"


def annual_review(*, session: Session, viewer: "Person", effort: "Body", year: int, today: date) -> bytes:
    text = plans.annual_review(session=session, viewer=viewer, effort=effort, year=year, today=today)
    level = plans.annual_review_classification(session=session, viewer=viewer, effort=effort, year=year)
    audit.record_opening(
        session,
        actor_id=viewer.id,
        action="review.pdf",
        object_type="body",
        object_id=effort.slug,
        classification=level,
    )
    document = pdf.Document(
        title=_("Annual review %(year)s", year=year),
        marking=marking(level),
        kicker=effort.name,
        facts=[(_("Task force"), effort.name), (_("Year"), str(year))],
        body_html=render_markdown(text),
    )
    return pdf.render(document)
