"""The steering group's pages: priorities (with what changed since a date) and the dashboard."""

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination.classification import NeedToKnow
from coordination.db import get_session
from coordination.decisions import queries as decisions
from coordination.maps import queries as maps
from coordination.reports import queries as reports
from coordination.rules import RuleViolation
from coordination.sitreps import queries as sitreps
from coordination.steering import queries, service
from coordination.steering.forms import PriorityForm, ReviewForm
from coordination.structure import queries as structure

bp = Blueprint("steering", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/priorities", methods=["GET", "POST"])
def priorities():
    session = get_session()
    form = PriorityForm()
    if form.validate_on_submit():
        try:
            service.set_priority(
                session=session,
                person=current_user,
                subject_kind=form.subject_kind.data,
                subject=form.subject.data,
                tier=int(form.tier.data),
                rationale=form.rationale.data or "",
                reason=form.reason.data or "",
                review_every_months=form.review_every_months.data,
                countries=form.country_codes(),
                now=_now(),
            )
        except RuleViolation as error:
            getattr(form, error.field or "subject", form.subject).errors.append(str(error))
        else:
            flash(_("Priority saved."), "info")
            return redirect(url_for("steering.priorities"))
    elif request.method == "GET" and request.args.get("edit", "").isdigit():
        _fill(form, session, int(request.args["edit"]))
    since_text = request.args.get("since") or (_now().date() - timedelta(days=30)).isoformat()
    try:
        since = datetime.combine(date.fromisoformat(since_text), datetime.min.time(), UTC)
    except ValueError:
        since = _now() - timedelta(days=30)
    rows = queries.list_priorities(session=session)
    owners = structure.people_by_id(session=session, ids={r.owner_id for r in rows})
    labels = queries.subject_labels(session=session, priorities=rows)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "steering/priorities.html",
        form=form,
        priorities=rows,
        owners=owners,
        labels=labels,
        members=queries.member_country_names(session=session, priorities=rows),
        changes=queries.changes_since(session=session, since=since),
        since=since.date(),
        today=_now().date(),
    ), status


def _fill(form: PriorityForm, session, priority_id: int) -> None:
    """Pre-fill the form with a priority to change (`?edit=<id>` from its page)."""
    found = queries.get_priority(session=session, priority_id=priority_id)
    if found is None:
        return
    form.subject_kind.data = str(found.subject_kind)
    form.subject.data = found.subject
    form.tier.data = str(found.tier)
    form.rationale.data = found.rationale
    form.review_every_months.data = found.review_every_months
    form.countries.data = " ".join(queries.member_countries(session=session, priorities=[found])[found.id])


def _priority_page(found, review_form: ReviewForm, status: int = 200):
    session = get_session()
    return render_template(
        "steering/priority.html",
        priority=found,
        label=queries.subject_label(session, found),
        countries=queries.member_country_names(session=session, priorities=[found])[found.id],
        owner=structure.people_by_id(session=session, ids=[found.owner_id]).get(found.owner_id),
        history=queries.history(session=session, priority=found),
        may_change=service.may_change_priorities(session=session, person=current_user),
        review_form=review_form,
        today=_now().date(),
    ), status


@bp.get("/priorities/<int:priority_id>")
def priority(priority_id: int):
    found = queries.get_priority(session=get_session(), priority_id=priority_id)
    if found is None:
        abort(404)
    return _priority_page(found, ReviewForm())


@bp.post("/priorities/<int:priority_id>/review")
def review_priority(priority_id: int):
    """Record a review that keeps the tier, with a note; the next review moves on."""
    session = get_session()
    found = queries.get_priority(session=session, priority_id=priority_id)
    if found is None:
        abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.review_priority(
                session=session,
                person=current_user,
                priority=found,
                reason=form.reason.data or "",
                now=_now(),
            )
        except RuleViolation as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("Review recorded; next review on %(date)s.", date=found.next_review_on), "info")
            return redirect(url_for("steering.priority", priority_id=found.id))
    return _priority_page(found, form, 400)


def task_force_status(counts: dict) -> tuple[str, list[str]]:
    """Red, amber or green with the reasons, from what the reader may see of a task force's overdue
    actions, pending acknowledgements and early warnings (see `dashboard`)."""
    overdue, late_acks, pending_acks = counts["overdue"], counts["late_acks"], counts["pending_acks"]
    warnings = counts["warnings"]
    reasons = []
    if overdue:
        reasons.append(_("%(n)s overdue action(s)", n=overdue))
    if late_acks:
        reasons.append(_("%(n)s acknowledgement(s) past the deadline", n=late_acks))
    if warnings.get("critical"):
        reasons.append(_("%(n)s critical early warning(s) in 14 days", n=warnings["critical"]))
    if reasons:
        return "red", reasons
    if pending_acks:
        reasons.append(_("%(n)s acknowledgement(s) pending", n=pending_acks))
    if sum(warnings.values()):
        reasons.append(_("%(n)s early warning(s) in 14 days", n=sum(warnings.values())))
    return ("amber", reasons) if reasons else ("green", [_("nothing overdue, no early warning")])


DASHBOARD_COUNTRIES = 15  # the chart's rows; the early-warning page charts every country


EARLY_WARNING_DAYS = 14


@bp.get("/dashboard")
def dashboard():
    """The steering group's dashboard, rendered for its reader: every figure and line counts only what
    the reader may see."""
    session = get_session()
    now = _now()
    policy = NeedToKnow.from_config(current_app.config)
    steering_group = structure.get_steering_group(session=session)
    rows = queries.list_priorities(session=session)
    task_forces = structure.active_task_forces(session=session)
    ids = [tf.id for tf in task_forces]
    counts = decisions.signals_by_body(session=session, viewer=current_user, body_ids=ids, now=now)
    warnings = reports.early_warnings_by_body(
        session=session,
        viewer=current_user,
        policy=policy,
        body_ids=ids,
        since=now - timedelta(days=EARLY_WARNING_DAYS),
    )
    statuses = {
        tf.id: task_force_status({**counts[tf.id], "warnings": warnings[tf.id]}) for tf in task_forces
    }
    by_country = reports.early_warnings_by_country(
        session=session, viewer=current_user, policy=policy, now=now
    )
    return render_template(
        "steering/dashboard.html",
        priorities=rows,
        labels=queries.subject_labels(session=session, priorities=rows),
        today=now.date(),
        task_forces=task_forces,
        statuses=statuses,
        sitreps=sitreps.latest(session=session, viewer=current_user, policy=policy),
        due_sitreps=sitreps.due_by(session=session, until=now.date() + timedelta(days=7)),
        by_country=by_country[:DASHBOARD_COUNTRIES],
        more_countries=max(len(by_country) - DASHBOARD_COUNTRIES, 0),
        weeks=8,
        map=maps.early_warning_map(
            session=session,
            viewer=current_user,
            policy=policy,
            by_country=by_country,
            since=now - timedelta(weeks=8),
            tile_url=current_app.config["MAP_TILE_URL"],
        ),
        decisions=decisions.latest_of_body(session=session, viewer=current_user, body_id=steering_group.id)
        if steering_group
        else [],
        steering_group=steering_group,
    )
