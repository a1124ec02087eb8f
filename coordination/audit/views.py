"""The audit log page, for administrators only."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlmodel import select

from coordination.audit import recent_events
from coordination.db import get_session
from coordination.structure.models import Person

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@login_required
def audit_log():
    if not current_user.is_admin:
        abort(403)
    session = get_session()
    events = recent_events(session=session)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = (
        {p.id: p for p in session.exec(select(Person).where(Person.id.in_(actor_ids)))} if actor_ids else {}
    )
    return render_template("audit/log.html", events=events, actors=actors)
