"""Coordination: whole-of-government crisis coordination for Belgium's Comprehensive Approach."""

from pathlib import Path

from flask_openapi3 import Info, OpenAPI

PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    """A top-level project folder (templates, seed) in a checkout, or its copy inside an installed wheel."""
    in_checkout = PACKAGE.parent / name
    return in_checkout if in_checkout.is_dir() else PACKAGE / f"_{name}"


TEMPLATES = _resource("templates")
SEED = _resource("seed")


def create_app(test_config: dict | None = None) -> OpenAPI:
    """Build the application: configuration, database, i18n, sign-in, pages, API, CLI, errors."""
    from coordination import api, benchref, config, db, errors, health, i18n, inputs, labels, security, webapp
    from coordination.alerts import views as alert_views
    from coordination.api import problems
    from coordination.api.spec import CoordinationOpenAPI
    from coordination.attachments import views as attachment_views
    from coordination.audit import views as audit_views
    from coordination.auth import views as auth_views
    from coordination.decisions import feeds as decision_feeds
    from coordination.decisions import views as decision_views
    from coordination.exercises import play
    from coordination.exercises import views as exercise_views
    from coordination.lessons import views as lesson_views
    from coordination.meetings import views as meeting_views
    from coordination.notifications import views as notification_views
    from coordination.places import views as place_views
    from coordination.planning import views as planning_views
    from coordination.reports import feeds as report_feeds
    from coordination.reports import views as report_views
    from coordination.search import views as search_views
    from coordination.sitreps import views as sitrep_views
    from coordination.steering import views as steering_views
    from coordination.structure import views as structure_views
    from coordination.taskforces import views as task_force_views

    app = CoordinationOpenAPI(
        __name__,
        info=Info(
            title="Coordination API",
            version="1",
            description="Whole-of-government crisis coordination (Belgium's Comprehensive Approach).",
        ),
        security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer"}},
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
        validation_error_status=422,
        validation_error_model=problems.ValidationProblem,
        validation_error_callback=problems.validation_problem,
        template_folder=str(TEMPLATES),
        instance_path=str(PACKAGE.parent / "instance"),
        instance_relative_config=True,
    )
    app.config.update(config.load(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    inputs.init_app(app)  # before any route: the bounded `int` converter

    db.init_app(app)
    play.init_app(app)  # before the other hooks: an exercise's pages read the exercise's database
    i18n.init_app(app)
    labels.init_app(app)
    auth_views.init_app(app)
    app.register_blueprint(structure_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(report_views.bp)
    app.register_blueprint(attachment_views.bp)
    app.register_blueprint(alert_views.bp)
    app.register_blueprint(place_views.bp)
    app.register_blueprint(decision_views.bp)
    app.register_blueprint(decision_feeds.bp)
    app.register_blueprint(report_feeds.bp)
    app.register_blueprint(steering_views.bp)
    app.register_blueprint(task_force_views.bp)
    app.register_blueprint(sitrep_views.bp)
    app.register_blueprint(notification_views.bp)
    app.register_blueprint(meeting_views.bp)
    app.register_blueprint(planning_views.bp)
    app.register_blueprint(lesson_views.bp)
    app.register_blueprint(exercise_views.bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(webapp.bp)
    api.init_app(app)
    benchref.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    return app
