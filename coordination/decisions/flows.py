"""Side effects after a decision changes: fan-out over the organisation graph and notifications.

Services commit first; these flows then notify. E-mail for people who want it at once is attempted
right away and otherwise left pending for the scheduler's e-mail job.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from coordination import playmode
from coordination.decisions import queries, service
from coordination.i18n import local_time
from coordination.notifications import service as notifications
from coordination.notifications.mail import Mailer
from coordination.routing.rules import answering_audience, decision_audience
from coordination.structure import queries as structure

if TYPE_CHECKING:
    from coordination.decisions.models import Addressee, Decision


def _decision_title(body_name: str, title: str) -> str:
    return _("Decision of %(body)s: %(title)s", body=body_name, title=title)


def decision_link(decision: "Decision") -> str:
    return f"/decisions/{decision.id}"


def _send_now(session: Session, created, now: datetime, config=None) -> None:
    config = config if config is not None else current_app.config
    notifications.send_pending(
        session=session,
        mailer=Mailer.from_config(config),
        base_url=playmode.base_url(config),
        now=now,
        ids=[n.id for n in created],
    )


def _recipients(*, session: Session, decision: "Decision", issuing_slug: str) -> tuple[dict, dict]:
    """(everyone the decision reaches, those of them who answer for a unit), each by person id with the
    units, within clearance (see routing.rules)."""
    addressees = queries.addressees_of(session=session, decision=decision)
    units = [u.unit for u in queries.units_of(session=session, addressees=addressees).values()]
    graph = structure.organisation_graph(session=session)
    reached = decision_audience(graph, units, decision.classification, issuing_body=issuing_slug)
    return reached, answering_audience(graph, units, decision.classification)


def audience(*, session: Session, decision: "Decision") -> dict[int, list]:
    """Everyone the decision reaches through its addressees, within clearance (see routing.rules)."""
    body = structure.bodies_by_id(session=session, ids=[decision.issuing_body_id])[decision.issuing_body_id]
    return _recipients(session=session, decision=decision, issuing_slug=body.slug)[0]


def adopt_and_notify(
    *, session: Session, person, decision: "Decision", now: datetime, config=None
) -> "Decision":
    """Adopt, then notify once each: those who answer for an addressee unit are asked to acknowledge
    (the reminder jobs ask the same people); the others reached are told for information only."""
    service.adopt(session=session, person=person, decision=decision, now=now)
    body = structure.bodies_by_id(session=session, ids=[decision.issuing_body_id])[decision.issuing_body_id]
    reached, answering = _recipients(session=session, decision=decision, issuing_slug=body.slug)
    readers = queries.readers_among(session=session, decision=decision, person_ids=reached) - {person.id}
    answerers = readers & set(answering)
    due = decision.acknowledgement_due_at

    def asked() -> tuple[str, str]:
        return _decision_title(body.name, decision.title), _(
            "Please acknowledge by %(time)s.", time=local_time(due)
        )

    def informed() -> tuple[str, str]:
        return (
            _decision_title(body.name, decision.title),
            _("For your information; no acknowledgement is asked of you."),
        )

    created = notifications.notify_in_their_language(
        session=session,
        person_ids=answerers,
        kind="decision.adopted",
        message=asked,
        link=decision_link(decision),
        now=now,
    )
    created += notifications.notify_in_their_language(
        session=session,
        person_ids=readers - answerers,
        kind="decision.adopted",
        message=informed,
        link=decision_link(decision),
        now=now,
    )
    _send_now(session, created, now, config)
    return decision


def issuing_managers(*, session: Session, decision: "Decision", roles=None) -> set[int]:
    """Chair, co-chairs and secretary of the issuing body (or only the given roles) who may see the
    decision."""
    seated = structure.seated_person_ids(
        session=session, body_id=decision.issuing_body_id, roles=roles or queries.MANAGING_ROLES
    )
    return queries.readers_among(session=session, decision=decision, person_ids=seated)


def answer_and_notify(
    *,
    session: Session,
    person,
    decision: "Decision",
    unit_kind: str,
    unit_key: str,
    comply: bool,
    comment: str,
    now: datetime,
    config=None,
) -> "Addressee":
    """Record an acknowledgement; a unit that cannot comply is notified to the issuing body at once."""
    addressee = service.acknowledge(
        session=session,
        person=person,
        decision=decision,
        unit_kind=unit_kind,
        unit_key=unit_key,
        comply=comply,
        comment=comment,
        now=now,
    )
    if not comply:
        unit = service.resolve_unit(session=session, kind=unit_kind, key=unit_key)
        created = notifications.notify_in_their_language(
            session=session,
            person_ids=issuing_managers(session=session, decision=decision),
            kind="decision.cannot_comply",
            message=lambda: (
                _("%(unit)s cannot comply with: %(title)s", unit=unit.label, title=decision.title),
                _("Reason given by %(name)s: %(reason)s", name=person.name, reason=comment),
            ),
            link=decision_link(decision),
            now=now,
        )
        _send_now(session, created, now, config)
    return addressee
