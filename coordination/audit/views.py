"""The audit log page, for administrators only, rendered for its reader: an event about a report, a
decision, an action, a lesson, a situation report or a meeting the reader may not see is left out."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination import exports
from coordination.audit import queries
from coordination.classification import NeedToKnow
from coordination.db import get_session, session_for_stream
from coordination.decisions import queries as decisions
from coordination.i18n import BRUSSELS
from coordination.lessons import queries as lessons
from coordination.meetings import queries as meetings
from coordination.reports import queries as reports
from coordination.sitreps import queries as sitreps
from coordination.structure import queries as structure

bp = Blueprint("audit", __name__)
SHOWN = 200
CHAIN_CHECKED = 500  # the latest events whose hashes the page checks (milliseconds)

# For each kind of record an event may name, which of some ids the reader may see.
VISIBLE = {
    "field_report": lambda session, viewer, policy, ids: reports.visible_ids(
        session=session, viewer=viewer, policy=policy, ids=ids
    ),
    "decision": lambda session, viewer, _policy, ids: decisions.visible_ids(
        session=session, viewer=viewer, ids=ids
    ),
    "action": lambda session, viewer, _policy, ids: decisions.visible_action_ids(
        session=session, viewer=viewer, ids=ids
    ),
    "lesson": lambda session, viewer, _policy, ids: lessons.visible_ids(
        session=session, viewer=viewer, ids=ids
    ),
    "situation_report": lambda session, viewer, policy, ids: sitreps.visible_ids(
        session=session, viewer=viewer, policy=policy, ids=ids
    ),
    "meeting": lambda session, viewer, _policy, ids: meetings.visible_ids(
        session=session, viewer=viewer, ids=ids
    ),
}


def _references(event) -> list[tuple[str, int]]:
    """The records an event names: its object, and a decision its details point to."""
    found = []
    if event.object_type in VISIBLE and str(event.object_id).isdigit():
        found.append((event.object_type, int(event.object_id)))
    decision = event.detail.get("decision") if isinstance(event.detail, dict) else None
    if isinstance(decision, int):
        found.append(("decision", decision))
    return found


@dataclass
class LogFilters:
    """The audit page's filters as typed (to show them back) and as the query takes them."""

    typed: dict[str, str]
    query: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _log_filters(session) -> LogFilters:
    """Who (an e-mail address), what (the start of an action) and when (Brussels dates, both included)."""
    typed = {name: request.args.get(name, "").strip() for name in ("who", "what", "from", "to")}
    filters = LogFilters(typed=typed)
    if typed["who"]:
        person = structure.get_person_by_email(session=session, email=typed["who"].lower())
        if person is None:
            filters.errors["who"] = _("No one has this e-mail address.")
        else:
            filters.query["actor_id"] = person.id
    if typed["what"]:
        filters.query["action_prefix"] = typed["what"][:60]
    for name, key, days in (("from", "since", 0), ("to", "until", 1)):
        if not typed[name]:
            continue
        try:
            day = date.fromisoformat(typed[name]) + timedelta(days=days)
        except ValueError:
            filters.errors[name] = _("Give a date as YYYY-MM-DD.")
            continue
        filters.query[key] = datetime.combine(day, time(0), tzinfo=BRUSSELS).astimezone(UTC)
    since, until = filters.query.get("since"), filters.query.get("until")
    if since and until and since >= until and not filters.errors:
        filters.errors["to"] = _("The end date comes before the start date.")
    return filters


def _readable(session, policy: NeedToKnow, events: list) -> list:
    """The events whose records the reader may see (an administrator is not cleared for everything)."""
    named = defaultdict(set)
    for event in events:
        for kind, item_id in _references(event):
            named[kind].add(item_id)
    visible = {kind: VISIBLE[kind](session, current_user, policy, list(ids)) for kind, ids in named.items()}
    return [e for e in events if all(item_id in visible[kind] for kind, item_id in _references(e))]


@bp.get("/audit")
@login_required
def audit_log():
    if not current_user.is_admin:
        abort(403)
    session = get_session()
    policy = NeedToKnow.from_config(current_app.config)
    filters = _log_filters(session)
    before = request.args.get("before", type=int)
    found = (
        [] if filters.errors else queries.events(session=session, before=before, limit=SHOWN, **filters.query)
    )
    events = _readable(session, policy, found)
    actors = structure.people_by_id(session=session, ids={e.actor_id for e in events})
    chain, chain_problems = queries.chain_state(session=session, latest=CHAIN_CHECKED)
    filter_args = {k: v for k, v in filters.typed.items() if v}
    return render_template(
        "audit/log.html",
        events=events,
        actors=actors,
        chain=chain,
        chain_problems=chain_problems,
        filters=filters,
        filter_args=filter_args,
        paged=before is not None,
        older=found[-1].id if len(found) == SHOWN else None,
    ), (400 if filters.errors else 200)


@bp.get("/audit/export.csv")
@login_required
def export_csv():
    return _export("csv")


@bp.get("/audit/export.jsonl")
@login_required
def export_jsonl():
    return _export("jsonl")


def _export(fmt: str):
    """The filtered log, every event of it the reader may know about, streamed as CSV or JSON Lines;
    every export of the log is itself audited."""
    if not current_user.is_admin:
        abort(403)
    session = get_session()
    filters = _log_filters(session)
    if filters.errors:
        return audit_log()
    policy = NeedToKnow.from_config(current_app.config)
    session = session_for_stream()

    def rows():
        for batch in queries.event_batches(session=session, batch=exports.BATCH, **filters.query):
            events = _readable(session, policy, batch)
            actors = structure.people_by_id(session=session, ids={e.actor_id for e in events})
            yield [_export_row(e, actors.get(e.actor_id)) for e in events]

    return exports.streamed(
        session=session,
        fmt=fmt,
        columns=EXPORT_COLUMNS,
        batches=rows(),
        filename="audit-log",
        on_end=exports.audited(
            session,
            actor_id=current_user.id,
            action="audit.export",
            object_type="audit_log",
            filters={k: v for k, v in filters.typed.items() if v},
            always=True,
        ),
    )


EXPORT_COLUMNS = ("id", "seq", "at", "actor", "action", "object_type", "object_id", "detail", "hash")


def _export_row(event, actor) -> dict:
    return {
        "id": event.id,
        "seq": event.seq,
        "at": event.at,
        "actor": actor.email if actor else None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
        "hash": event.hash,
    }


@bp.get("/admin/jobs")
@login_required
def jobs():
    """The scheduler's jobs: each one's last run, its result or error, its lease and its next run."""
    if not current_user.is_admin:
        abort(403)
    from coordination.jobs.status import job_statuses

    rows = job_statuses(session=get_session(), config=current_app.config, now=datetime.now(UTC))
    return render_template("audit/jobs.html", rows=rows)
