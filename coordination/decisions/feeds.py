"""Personal feeds behind a token: Atom of decisions addressed to the person, iCalendar of deadlines."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, render_template

from coordination import playmode
from coordination.db import get_session
from coordination.decisions import queries
from coordination.decisions.enums import DecisionStatus
from coordination.notifications.views import feed_reader_or_404

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/<token>/decisions.atom")
def decisions_atom(token: str):
    session = get_session()
    person = feed_reader_or_404(token)
    decisions = [
        d
        for d in queries.list_decisions(session=session, viewer=person, limit=50)
        if d.status != DecisionStatus.draft
    ]
    updated = max((d.adopted_at or d.created_at for d in decisions), default=datetime.now(UTC))
    xml = render_template(
        "feeds/decisions.atom.xml",
        decisions=decisions,
        person=person,
        updated=updated,
        base=playmode.base_url(),
    )
    return Response(xml, mimetype="application/atom+xml")


@bp.get("/feeds/<token>/deadlines.ics")
def deadlines_ics(token: str):
    session = get_session()
    person = feed_reader_or_404(token)
    base = playmode.base_url()
    from icalendar import Calendar, Event  # loaded by the first calendar asked for, not at start

    calendar = Calendar()
    calendar.add("prodid", "-//Coordination//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", playmode.marked(f"Coordination deadlines: {person.name}"))
    for decision, addressee in queries.awaiting_my_answer(session=session, viewer=person):
        event = Event()
        event.add("uid", f"ack-{decision.id}-{addressee.id}@coordination")
        event.add("summary", playmode.marked(f"Acknowledge: {decision.title}"))
        event.add("dtstart", decision.acknowledgement_due_at)
        event.add("dtend", decision.acknowledgement_due_at + timedelta(minutes=30))
        event.add("dtstamp", decision.adopted_at)
        event.add("url", f"{base}/decisions/{decision.id}")
        calendar.add_component(event)
    actions = queries.open_actions_of(session=session, viewer=person)
    mine = [a for a in actions if queries.may_update_action(session=session, person=person, action=a)]
    for action in mine:
        event = Event()
        event.add("uid", f"action-{action.id}@coordination")
        event.add("summary", playmode.marked(f"Action due: {action.title}"))
        event.add("dtstart", action.due_on)
        event.add("dtstamp", action.created_at)
        event.add("url", f"{base}/actions/{action.id}")
        calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar")
