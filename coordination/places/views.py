"""The gazetteer's suggestions for the report form (static/place_suggest.js asks as a place is typed)."""

from flask import Blueprint, jsonify, request
from flask_login import login_required

from coordination.db import get_session
from coordination.places import queries
from coordination.structure import queries as structure

bp = Blueprint("places", __name__)
SUGGESTIONS = 10


@bp.before_request
@login_required
def _signed_in():
    """Suggestions are for people writing a report."""


@bp.get("/places/search")
def search():
    """Places of a country matching the typed text: the country chosen, else the posting mission's host."""
    country = request.args.get("country", "").strip().upper()
    if not country and request.args.get("mission"):
        mission = structure.mission_by_code(session=get_session(), code=request.args["mission"])
        country = mission.host_country_code if mission else ""
    text = request.args.get("q", "")[:200]
    found = queries.search(country, text, limit=SUGGESTIONS) if country and text.strip() else []
    response = jsonify(
        country=country,
        places=[
            {
                "id": p.id,
                "label": p.label,
                "name": p.name,
                "kind": p.kind,
                "admin_area": p.admin_area,
                "latitude": p.latitude,
                "longitude": p.longitude,
            }
            for p in found
        ],
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
