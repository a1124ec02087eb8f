"""Error pages for people and problem details for programs; never a bare 500 for bad input."""

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from coordination.api.problems import problem
from coordination.rules import Forbidden


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _found_for_no_method(error: MethodNotAllowed) -> bool:
    """Whether a 405 names nothing at all: werkzeug compares methods before it converts path values, so
    PATCH /api/v1/people/<a number beyond MAX_ID> is "method not allowed" where GET is "not found"."""
    adapter = current_app.create_url_adapter(request)
    for method in error.valid_methods or ():
        try:
            adapter.match(method=method)
        except (NotFound, MethodNotAllowed):
            continue
        except HTTPException:  # a redirect: the path exists
            return False
        return False
    return True


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if isinstance(error, MethodNotAllowed) and _found_for_no_method(error):
            error = NotFound()
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
