"""Error pages for people and problem details for programs; never a bare 500 for bad input."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from coordination.api.problems import problem
from coordination.rules import Forbidden


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.response is not None and error.response.mimetype in (
            "application/json",
            "application/problem+json",
        ):
            return error.response
        if _wants_problem():
            response = problem(error.code or 500, error.description)
            for name, value in error.get_headers():
                if name in ("Allow", "Retry-After", "WWW-Authenticate"):
                    response.headers[name] = value
            return response
        template = f"errors/{error.code}.html" if error.code in (400, 403, 404) else "errors/generic.html"
        return render_template(template, error=error), error.code

    @app.errorhandler(Forbidden)
    def _forbidden(error: Forbidden):
        """A rule refused the person: the 403 page (the API blueprint answers with a problem itself)."""
        if _wants_problem():
            return problem(403, str(error))
        return render_template("errors/403.html", error=error), 403

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_problem():
            return problem(500, "An unexpected error occurred; it has been logged.")
        return render_template("errors/generic.html", error=InternalServerError()), 500
