"""Security headers on every response: a strict Content-Security-Policy with a per-request nonce,
no framing, no MIME sniffing, a same-origin referrer, no powerful browser features, HSTS in production,
and no caching of anything but static files (pages and API answers show what a signed-in person may see).
"""

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# The pages have no inline script, no inline event handler and no inline style: scripts and styles are
# files under /static. A nonce lets a page carry an inline <script nonce="{{ csp_nonce() }}"> if it must.
_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# flask-openapi3's API documentation page (/api/v1/) has an inline <style> (and UI plugins, when installed,
# inline scripts): only there are inline styles and scripts allowed.
_API_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_CACHEABLE_ENDPOINTS = {"static", "openapi.static", "webapp.service_worker"}


def csp_nonce() -> str:
    """This request's nonce for inline <script> blocks (the same for the whole response)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_origin(url: str) -> str:
    """The origin of the maps' optional tile server (COORDINATION_MAP_TILE_URL), as the CSP names it; a
    {s} subdomain placeholder becomes a wildcard."""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("https", "http") or not host or "{" in host or "}" in host:
        return ""
    return f"{parts.scheme}://{host}"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    policy = _POLICY
    if origin := tile_origin(app.config.get("MAP_TILE_URL", "")):
        policy = _POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")
    if hops := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    production = app.config["COORDINATION_ENV"] == "production"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        endpoint = request.endpoint or ""
        if endpoint.startswith("openapi.") and endpoint != "openapi.doc_url":
            headers["Content-Security-Policy"] = _API_DOCS_POLICY
        elif "sandbox" not in headers.get("Content-Security-Policy", ""):  # an attachment's own, stricter
            headers["Content-Security-Policy"] = policy.format(nonce=csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=(), payment=(), usb=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if endpoint not in _CACHEABLE_ENDPOINTS:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response
