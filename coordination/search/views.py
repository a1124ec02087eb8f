"""The search page: one box over reports, decisions, minutes, situation reports and lessons."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.search import queries as service
from coordination.search.index import KINDS

bp = Blueprint("search", __name__)
PAGE = 20
KIND_LABELS = {
    "report": _l("Field reports"),
    "decision": _l("Decisions"),
    "minutes": _l("Minutes"),
    "sitrep": _l("Situation reports"),
    "lesson": _l("Lessons"),
}


@bp.get("/search")
@login_required
def search():
    query = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    hits = []
    if query:
        hits = service.search(
            session=get_session(),
            viewer=current_user,
            policy=NeedToKnow.from_config(current_app.config),
            query=query,
            kinds=[kind] if kind in KINDS else None,
            limit=PAGE + 1,
            offset=(page - 1) * PAGE,
        )
    return render_template(
        "search/results.html",
        query=query,
        kind=kind if kind in KINDS else "",
        kinds=KIND_LABELS,
        hits=hits[:PAGE],
        page=page,
        more=len(hits) > PAGE,
        searched=bool(service.terms_of(query)),
    )
