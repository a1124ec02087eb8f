"""The installable web app: its manifest and the service worker that keeps the app shell and the empty
report form for a phone with a bad connection.

Both answer without sign-in (a browser fetches the manifest without cookies) and hold nothing about
anyone. The worker is served from the site root so that its scope is the whole application."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_from_directory, url_for

bp = Blueprint("webapp", __name__)

THEME_COLOUR = "#0b4f8a"
"""The header's accent colour (app.css `--accent`), for the browser's toolbar and the installed app."""


@bp.get("/manifest.webmanifest")
def manifest():
    response = jsonify(
        name="Coordination",
        short_name="Coordination",
        description="Belgium's Comprehensive Approach to external conflicts and crises",
        id=url_for("structure.home"),
        start_url=url_for("structure.home"),
        scope=url_for("structure.home"),
        display="standalone",
        background_color="#f6f7f9",
        theme_color=THEME_COLOUR,
        icons=[
            {"src": url_for("static", filename="icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": url_for("static", filename="icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker script from the root: a script under /static could only control /static/."""
    response = send_from_directory(
        current_app.static_folder, "sw.js", mimetype="application/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
