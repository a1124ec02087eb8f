"""The audit log page, for administrators only, rendered for its reader: an event about a report, a
decision, an action, a lesson, a situation report or a meeting the reader may not see is left out."""

from collections import defaultdict
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from coordination.audit import queries
from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.decisions import queries as decisions
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


@bp.get("/audit")
@login_required
def audit_log():
    if not current_user.is_admin:
        abort(403)
    session = get_session()
    policy = NeedToKnow.from_config(current_app.config)
    events = queries.recent_events(session=session, limit=SHOWN * 3)
    named = defaultdict(set)
    for event in events:
        for kind, item_id in _references(event):
            named[kind].add(item_id)
    visible = {kind: VISIBLE[kind](session, current_user, policy, list(ids)) for kind, ids in named.items()}
    events = [e for e in events if all(item_id in visible[kind] for kind, item_id in _references(e))][:SHOWN]
    actors = structure.people_by_id(session=session, ids={e.actor_id for e in events})
    chain, chain_problems = queries.chain_state(session=session, latest=CHAIN_CHECKED)
    return render_template(
        "audit/log.html", events=events, actors=actors, chain=chain, chain_problems=chain_problems
    )


@bp.get("/admin/jobs")
@login_required
def jobs():
    """The scheduler's jobs: each one's last run, its result or error, its lease and its next run."""
    if not current_user.is_admin:
        abort(403)
    from coordination.jobs.status import job_statuses

    rows = job_statuses(session=get_session(), config=current_app.config, now=datetime.now(UTC))
    return render_template("audit/jobs.html", rows=rows)
