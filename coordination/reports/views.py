"""Pages for field reports: post, inbox, report with thread and deliveries, triage board, early warning."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import ValidationError

from coordination import exports
from coordination.alerts import queries as alerts
from coordination.attachments import views as attachment_views
from coordination.classification import Clearance, NeedToKnow
from coordination.countries import country_choices, find_country
from coordination.db import get_session, session_for_stream
from coordination.decisions import queries as decisions
from coordination.i18n import BRUSSELS
from coordination.labels import label
from coordination.maps import queries as maps
from coordination.reports import queries, service
from coordination.reports.enums import TriageStatus
from coordination.reports.forms import CommentForm, ForwardForm, ReportForm, TriageForm
from coordination.reports.models import FieldReport
from coordination.reports.service import ReportCreate
from coordination.standards import hxl
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind

bp = Blueprint("reports", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every report page needs a signed-in person."""


def policy() -> NeedToKnow:
    return NeedToKnow.from_config(current_app.config)


def _visible_or_404(report_id: int) -> FieldReport:
    report = queries.get_visible_report(
        session=get_session(), viewer=current_user, report_id=report_id, policy=policy()
    )
    if report is None:
        abort(404)
    return report


def _unread_counts() -> dict[str, int]:
    """The signed-in person's unread counts, counted once per request (the header and the inbox)."""
    if "unread_counts" not in g:
        g.unread_counts = queries.unread_counts(session=get_session(), viewer=current_user, policy=policy())
    return g.unread_counts


@bp.app_context_processor
def _navigation():
    """Unread count for the header, and whether to show the steering group's early-warning board."""
    if not current_user.is_authenticated:
        return {}
    counts = _unread_counts()
    in_steering_group = any(m.body.kind == BodyKind.steering_group for m in current_user.memberships)
    untriaged = queries.untriaged_early_warning_count(
        session=get_session(), viewer=current_user, policy=policy()
    )
    return {
        "unread_total": counts.get("", 0),
        "unread_cap": queries.UNREAD_CAP,
        "sees_early_warning": in_steering_group or current_user.is_admin,
        "untriaged_early_warnings": untriaged,
        "untriaged_link": _untriaged_link(in_steering_group) if untriaged is not None else None,
    }


def _untriaged_link(in_steering_group: bool) -> str:
    """Where the header's untriaged count leads: the early-warning board for the steering group, else
    the triage board of the person's first task force."""
    if in_steering_group:
        return url_for("reports.early_warning")
    task_forces = sorted(
        (m.body for m in current_user.memberships if m.body.kind == BodyKind.task_force), key=lambda b: b.name
    )
    return (
        url_for("reports.triage_board", slug=task_forces[0].slug) if task_forces else url_for("reports.inbox")
    )


@bp.get("/early-warning/untriaged.json")
def untriaged_count():
    """The header's live count of untriaged early warnings (polled by static/untriaged.js)."""
    count = queries.untriaged_early_warning_count(session=get_session(), viewer=current_user, policy=policy())
    response = jsonify(count=count, cap=queries.UNREAD_CAP)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_filter("status_label")
def status_label(status: str) -> str:
    return label("report_status", status)


def _report_form(session) -> ReportForm:
    form = ReportForm()
    missions = queries.postable_missions(session=session, viewer=current_user)
    form.mission_code.choices = [("", _("None (not posted from a mission)"))] + [
        (m.code, m.name) for m in sorted(missions, key=lambda m: m.city)
    ]
    countries = structure.list_countries(session=session)
    form.country_code.choices = [("", _("The posting mission's host country"))] + country_choices(
        (c.code, c.name) for c in countries
    )
    clearance = Clearance(current_user.clearance)
    form.classification.choices = [c for c in form.classification.choices if clearance.covers(c[0])]
    if not service.may_write_intelligence(current_user):
        form.kind.choices = form.kind.choices[:1]
    if request.method == "GET":
        if missions:
            form.mission_code.data = sorted(missions, key=lambda m: m.city)[0].code
        if request.args.get("updates", "").isdigit():
            form.updates_report_id.data = int(request.args["updates"])
    if not form.idempotency_key.data:
        form.idempotency_key.data = str(uuid4())
    return form


# where the form shows an error on a place field of the report
PLACE_FIELDS = {
    "place_name": "place",
    "place_id": "place",
    "latitude": "coordinates",
    "longitude": "coordinates",
}


@bp.route("/reports/new", methods=["GET", "POST"])
def new_report():
    session = get_session()
    form = _report_form(session)
    if form.validate_on_submit():
        latitude, longitude = form.point()
        try:
            data = ReportCreate(
                title=form.title.data,
                body=form.body.data or "",
                mission_code=form.mission_code.data or None,
                country_code=form.country_code.data or None,
                themes=form.themes.data or [],
                severity=form.severity.data,
                early_warning=form.early_warning.data,
                classification=form.classification.data,
                restricted_distribution=form.restricted_distribution.data,
                source_reliability=form.source_reliability.data or None,
                information_credibility=form.information_credibility.data or None,
                kind=form.kind.data,
                intelligence_level=form.intelligence_level.data or None,
                updates_report_id=form.updates_report_id.data,
                place_name=form.place.data or None,
                latitude=latitude,
                longitude=longitude,
                event_at=form.event_at.data.replace(tzinfo=BRUSSELS).astimezone(UTC)
                if form.event_at.data
                else None,
            )
            posted = service.post_report(
                session=session,
                author=current_user,
                data=data,
                graph=structure.organisation_graph(session=session),
                policy=policy(),
                idempotency_key=form.idempotency_key.data or None,
            )
        except ValidationError as error:
            for item in error.errors(include_url=False):
                name = str(item["loc"][0]) if item["loc"] else "title"
                getattr(form, PLACE_FIELDS.get(name, name), form.title).errors.append(item["msg"])
        except service.IdempotencyConflict:
            stored = _refuse_changed_repost(session, form)
            return render_template("reports/new.html", form=form, stored=stored), 409
        except service.NotAllowed as refused:
            flash(str(refused), "error")
        except service.ReportError as error:
            name = error.field or "title"
            getattr(form, PLACE_FIELDS.get(name, name), form.title).errors.append(str(error))
        else:
            if posted.created:
                flash(
                    _("Report posted and routed to %(count)s bodies.", count=len(posted.deliveries)), "info"
                )
                attachment_views.attach_checked("report", posted.report.id, form.checked_files)
            else:
                flash(_("This report was already received: it was not posted a second time."), "info")
            return redirect(url_for("reports.report", report_id=posted.report.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("reports/new.html", form=form), status


def _refuse_changed_repost(session, form: ReportForm) -> FieldReport | None:
    """The form was posted before and stored, and now comes back with other content (edited after an
    answer that never arrived): refused, as the API's 409. The page gets a new key, so that posting it
    again is a deliberate second report."""
    stored = queries.own_report_by_key(
        session=session, author_id=current_user.id, key=form.idempotency_key.data
    )
    form.idempotency_key.errors.append(
        _(
            "This form was already posted with other content; that report is kept as it was. To send"
            " this text as a new report, post the form again."
        )
    )
    form.idempotency_key.data = str(uuid4())
    return stored


INBOX_AWAITING = 10  # soonest due; the decisions page lists them all
INBOX_PAGE = 50  # reports a page of the inbox lists; "Older reports" goes on from the last one


def _inbox_filters() -> dict:
    """The inbox's filters from the query string (the page's and its exports')."""
    return {
        "body_slug": request.args.get("body") or None,
        "country": find_country(request.args.get("country")) or request.args.get("country") or None,
        "severity": request.args.get("severity") or None,
        "unread_only": request.args.get("unread") == "1",
    }


@bp.get("/inbox")
def inbox():
    session = get_session()
    filters = _inbox_filters()
    after = None
    if request.args.get("older"):
        after = queries.InboxPlace.from_token(request.args["older"])
        if after is None:
            abort(400, description=_("This link to older reports is not valid: open the inbox again."))
    items = queries.inbox(
        session=session, viewer=current_user, policy=policy(), limit=INBOX_PAGE + 1, after=after, **filters
    )
    older = items[INBOX_PAGE - 1].place.token() if len(items) > INBOX_PAGE else None
    items = items[:INBOX_PAGE]
    counts = _unread_counts()
    my_bodies = sorted((m.body for m in current_user.memberships), key=lambda b: b.name)
    awaiting, awaiting_total = decisions.soonest_awaiting_my_answer(
        session=session, viewer=current_user, limit=INBOX_AWAITING
    )
    recent = decisions.list_decisions(session=session, viewer=current_user, status="adopted", limit=10)
    return render_template(
        "reports/inbox.html",
        items=items,
        counts=counts,
        bodies=my_bodies,
        filters=filters,
        older=older,
        newest_first=after is None,
        awaiting=awaiting,
        awaiting_total=awaiting_total,
        decisions=recent,
    )


@bp.get("/reports/export.csv")
def export_csv():
    return _export("csv")


@bp.get("/reports/export.jsonl")
def export_jsonl():
    return _export("jsonl")


def _export(fmt: str):
    """The inbox with its filters, every report of it, streamed as CSV or JSON Lines."""
    session = session_for_stream()
    filters = _inbox_filters()
    batches = queries.inbox_batches(
        session=session, viewer=current_user, policy=policy(), batch=exports.BATCH, **filters
    )
    return exports.streamed(
        session=session,
        fmt=fmt,
        columns=queries.EXPORT_COLUMNS,
        batches=([queries.export_row(item) for item in items] for items in batches),
        filename="reports",
        on_end=exports.audited(
            session,
            actor_id=current_user.id,
            action="report.export",
            object_type="field_report",
            filters=filters,
        ),
    )


REPORT_HXL = (
    hxl.HxlColumn("id", "#meta+id"),
    hxl.HxlColumn("title", "#description+title"),
    hxl.HxlColumn("country_code", "#country+code"),
    hxl.HxlColumn("country", "#country+name"),
    hxl.HxlColumn("reported", "#date+reported"),
    hxl.HxlColumn("occurred", "#date+occurred"),
    hxl.HxlColumn("severity", "#severity"),
    hxl.HxlColumn("early_warning", "#meta+early_warning"),
    hxl.HxlColumn("themes", "#sector+list"),
    hxl.HxlColumn("department_code", "#org+reporting+code"),
    hxl.HxlColumn("department", "#org+reporting+name"),
    hxl.HxlColumn("mission", "#org+mission+code"),
    hxl.HxlColumn("place", "#loc+name"),
    hxl.HxlColumn("latitude", "#geo+lat"),
    hxl.HxlColumn("longitude", "#geo+lon"),
    hxl.HxlColumn("classification", "#meta+classification"),
)


def _hxl_rows(session, items, countries: dict[str, str]) -> list[dict]:
    reports = [item.report for item in items]
    departments = structure.departments_by_id(session=session, ids={r.origin_department_id for r in reports})
    missions = structure.missions_by_id(session=session, ids={r.mission_id for r in reports})
    return [
        {
            "id": r.id,
            "title": r.title,
            "country_code": r.country_code,
            "country": countries.get(r.country_code, r.country_code),
            "reported": r.created_at.date().isoformat(),
            "occurred": r.event_at.date().isoformat() if r.event_at else None,
            "severity": r.severity,
            "early_warning": "yes" if r.early_warning else "no",
            "themes": ", ".join(r.themes),
            "department_code": departments[r.origin_department_id].code,
            "department": departments[r.origin_department_id].name,
            "mission": missions[r.mission_id].code if r.mission_id in missions else None,
            "place": r.place_name,
            "latitude": r.latitude,
            "longitude": r.longitude,
            "classification": r.classification,
        }
        for r in reports
    ]


@bp.get("/reports/export.hxl.csv")
def export_hxl():
    """The inbox with its filters as HXL-tagged CSV (Humanitarian Exchange Language), streamed."""
    session = session_for_stream()
    filters = _inbox_filters()
    countries = structure.country_names(session=session)
    batches = queries.inbox_batches(
        session=session, viewer=current_user, policy=policy(), batch=exports.BATCH, **filters
    )
    return exports.streamed(
        session=session,
        fmt="hxl.csv",
        columns=REPORT_HXL,
        batches=(_hxl_rows(session, items, countries) for items in batches),
        filename="reports",
        on_end=exports.audited(
            session,
            actor_id=current_user.id,
            action="report.export",
            object_type="field_report",
            filters=filters,
        ),
    )


@bp.get("/reports/mine")
def my_reports():
    session = get_session()
    reports = queries.my_reports(session=session, viewer=current_user)
    statuses = queries.triage_statuses(session=session, reports=reports)
    return render_template("reports/mine.html", reports=reports, statuses=statuses)


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    session = get_session()
    found = _visible_or_404(report_id)
    service.open_report(session=session, person=current_user, report=found)
    delivered = queries.deliveries_of(session=session, report=found)
    bodies = structure.bodies_by_id(session=session, ids=[d.body_id for d in delivered])
    deliveries = [(d, bodies[d.body_id]) for d in delivered]
    author = structure.people_by_id(session=session, ids=[found.author_id])[found.author_id]
    mission = structure.missions_by_id(session=session, ids=[found.mission_id]).get(found.mission_id)
    country = structure.get_country(session=session, code=found.country_code)
    triage_forms = []
    for slot in queries.triage_slots(session=session, viewer=current_user, report=found):
        if slot.transitions:
            form = TriageForm(prefix=slot.body.slug)
            form.status.choices = [(s.value, status_label(s)) for s in slot.transitions]
            triage_forms.append((slot, form))
    holders = structure.people_by_id(session=session, ids={d.holder_id for d in delivered if d.holder_id})
    escalated_to = None
    if found.escalated_at:
        escalated_to = structure.get_steering_group(session=session)
    forward_form = None
    if not found.restricted_distribution:
        delivered = {body.id for _delivery, body in deliveries}
        forward_form = ForwardForm()
        forward_form.body.choices = [
            (slug, name)
            for body_id, slug, name in structure.body_choices(
                session=session, kinds=[BodyKind.steering_group, BodyKind.task_force]
            )
            if body_id not in delivered
        ]
    return render_template(
        "reports/report.html",
        report=found,
        author=author,
        mission=mission,
        country=country,
        deliveries=deliveries,
        thread=queries.thread_of(session=session, viewer=current_user, report=found, policy=policy()),
        comments=queries.comments_of(session=session, report=found),
        triage_forms=triage_forms,
        triage_body_names={body.id: body.name for _delivery, body in deliveries},
        holders=holders,
        escalated_to=escalated_to,
        escalation_hours=current_app.config["EARLY_WARNING_ESCALATION_HOURS"],
        comment_form=CommentForm(),
        forward_form=forward_form,
        map=maps.report_map(report=found, mission=mission, tile_url=current_app.config["MAP_TILE_URL"]),
        external=alerts.origin_of_report(session=session, report_id=found.id)
        if found.kind == "external_alert"
        else None,
    )


@bp.post("/reports/<int:report_id>/triage")
def triage(report_id: int):
    session = get_session()
    found = _visible_or_404(report_id)
    slug = request.form.get("body", "")
    body = structure.find_body(session=session, slug=slug)
    if body is None:
        abort(400)
    form = TriageForm(prefix=slug)
    if not form.validate_on_submit():
        flash(_("Choose the new status (and keep the comment under 10,000 characters)."), "error")
        return redirect(url_for("reports.report", report_id=found.id))
    try:
        step = service.triage(
            session=session,
            person=current_user,
            report=found,
            body=body,
            to_status=form.status.data,
            comment=form.comment.data or "",
        )
    except service.ReportError as error:
        flash(str(error), "error")
    else:
        flash(
            _("%(body)s: report is now %(status)s.", body=body.name, status=status_label(step.to_status)),
            "info",
        )
    return redirect(url_for("reports.report", report_id=found.id))


@bp.post("/reports/<int:report_id>/comments")
def comment(report_id: int):
    session = get_session()
    found = _visible_or_404(report_id)
    form = CommentForm()
    if form.validate_on_submit():
        service.add_comment(session=session, person=current_user, report=found, body=form.body.data)
        flash(_("Comment added."), "info")
    else:
        flash(_("Write a comment first."), "error")
    return redirect(url_for("reports.report", report_id=found.id) + "#comments")


@bp.post("/reports/<int:report_id>/forward")
def forward(report_id: int):
    session = get_session()
    found = _visible_or_404(report_id)
    form = ForwardForm()
    body = structure.find_body(session=session, slug=form.body.data or "")
    if body is None:
        abort(400)
    service.forward(session=session, person=current_user, report=found, body=body, policy=policy())
    flash(_("Forwarded to %(body)s.", body=body.name), "info")
    return redirect(url_for("reports.report", report_id=found.id))


def _member_of(session, body) -> bool:
    return structure.role_in(session=session, person_id=current_user.id, body_id=body.id) is not None


@bp.get("/bodies/<slug>/triage")
def triage_board(slug: str):
    session = get_session()
    body = structure.get_body(session=session, slug=slug)
    if body is None:
        abort(404)
    if not _member_of(session, body):
        abort(403)
    items = queries.inbox(session=session, viewer=current_user, policy=policy(), body_slug=slug, limit=500)
    columns = {status: [] for status in TriageStatus}
    for item in items:
        columns[item.statuses[body.id]].append(item)
    return render_template("reports/triage_board.html", body=body, columns=columns)


@bp.get("/early-warning")
def early_warning():
    session = get_session()
    steering_group = structure.get_steering_group(session=session)
    if steering_group is None:
        abort(404)
    if not (_member_of(session, steering_group) or current_user.is_admin):
        abort(403)
    weeks = min(max(request.args.get("weeks", 8, type=int), 1), 52)
    queue = queries.early_warning_queue(session=session, viewer=current_user, policy=policy())
    holders = structure.people_by_id(
        session=session, ids={delivery.holder_id for _report, delivery in queue if delivery.holder_id}
    )
    now = datetime.now(UTC)
    by_country = queries.early_warnings_by_country(
        session=session, viewer=current_user, policy=policy(), now=now, weeks=weeks
    )
    world = maps.early_warning_map(
        session=session,
        viewer=current_user,
        policy=policy(),
        by_country=by_country,
        since=now - timedelta(weeks=weeks),
        tile_url=current_app.config["MAP_TILE_URL"],
    )
    return render_template(
        "reports/early_warning.html",
        queue=queue,
        holders=holders,
        now=now,
        by_country=by_country,
        map=world,
        weeks=weeks,
        steering_group=steering_group,
    )
