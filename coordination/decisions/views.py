"""Pages for decisions, acknowledgements, actions, notifications and personal settings."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlmodel import select

from coordination.db import get_session
from coordination.decisions import flows, service
from coordination.decisions.forms import (
    ACKNOWLEDGEMENT_LABELS,
    DECISION_STATUS_LABELS,
    AcknowledgeForm,
    ActionForm,
    ActionUpdateForm,
    DecisionForm,
    PreferencesForm,
)
from coordination.decisions.models import Action, Decision, DecisionStatus
from coordination.notifications import service as notifications
from coordination.structure import service as structure
from coordination.structure.models import Body, BodyKind, Clearance, Person

bp = Blueprint("decisions", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def now() -> datetime:
    return datetime.now(UTC)


@bp.app_template_filter("decision_status")
def decision_status(status: str) -> str:
    return str(DECISION_STATUS_LABELS.get(status, status))


@bp.app_template_filter("acknowledgement")
def acknowledgement(status: str) -> str:
    return str(ACKNOWLEDGEMENT_LABELS.get(status, status))


@bp.app_context_processor
def _notification_count():
    if not current_user.is_authenticated:
        return {}
    return {"notifications_unread": notifications.unread_count(session=get_session(), person=current_user)}


def _visible_or_404(decision_id: int) -> Decision:
    decision = service.get_visible_decision(
        session=get_session(), person=current_user, decision_id=decision_id
    )
    if decision is None:
        abort(404)
    return decision


def _unit_choices(session) -> dict[str, list[tuple[str, str]]]:
    return {
        "task_forces": [
            (f"body:{b.slug}", b.name)
            for b in structure.list_bodies(session=session, kind=BodyKind.task_force)
        ],
        "missions": [(f"mission:{m.code}", m.name) for m in structure.list_missions(session=session)],
        "departments": [
            (f"department:{d.code}", d.name) for d in structure.list_departments(session=session)
        ],
    }


@bp.get("/decisions")
def list_decisions():
    session = get_session()
    status = request.args.get("status") or None
    decisions = service.list_decisions(session=session, person=current_user, status=status)
    bodies = {
        b.id: b for b in session.exec(select(Body).where(Body.id.in_({d.issuing_body_id for d in decisions})))
    }
    awaiting = service.awaiting_my_answer(session=session, person=current_user)
    return render_template(
        "decisions/list.html",
        decisions=decisions,
        bodies=bodies,
        awaiting=awaiting,
        status=status,
        statuses=list(DecisionStatus),
    )


@bp.route("/decisions/new", methods=["GET", "POST"])
def new_decision():
    session = get_session()
    form = DecisionForm()
    issuing = service.issuing_bodies_for(session=session, person=current_user)
    if not issuing:
        abort(403)
    form.issuing_body.choices = [(b.slug, b.name) for b in issuing]
    for name, choices in _unit_choices(session).items():
        getattr(form, name).choices = choices
    clearance = Clearance(current_user.clearance)
    form.classification.choices = [c for c in form.classification.choices if clearance.covers(c[0])]
    if request.method == "GET" and request.args.get("report", "").isdigit():
        form.report_ids.data = request.args["report"]
    meeting = _meeting_from(request.values.get("meeting", ""), session)
    if meeting is not None and request.method == "GET":
        form.issuing_body.data = session.get(Body, meeting.body_id).slug
        form.procedure.data = "meeting"
    if form.validate_on_submit():
        addressees = [
            tuple(value.split(":", 1))
            for value in (form.task_forces.data + form.missions.data + form.departments.data)
        ]
        report_text = (form.report_ids.data or "").replace(" ", "")
        try:
            report_ids = [int(part) for part in report_text.split(",") if part]
        except ValueError:
            form.report_ids.errors.append(_("Give report numbers separated by commas."))
        else:
            try:
                decision = service.draft_decision(
                    session=session,
                    author=current_user,
                    issuing_body=form.issuing_body.data,
                    title=form.title.data,
                    text=form.text.data or "",
                    rationale=form.rationale.data or "",
                    procedure=form.procedure.data,
                    classification=form.classification.data,
                    acknowledgement_hours=form.acknowledgement_hours.data,
                    addressees=addressees,
                    report_ids=report_ids,
                    meeting_id=meeting.id if meeting else None,
                    now=now(),
                )
            except service.DecisionError as error:
                field = {"addressees": "task_forces"}.get(error.field, error.field)
                getattr(form, field or "title", form.title).errors.append(str(error))
            else:
                flash(_("Draft saved. The chair or a co-chair adopts it."), "info")
                return redirect(url_for("decisions.decision", decision_id=decision.id))
    status = 400 if request.method == "POST" else 200
    return render_template("decisions/new.html", form=form, meeting=meeting), status


def _meeting_from(value: str, session):
    """The meeting a decision is taken in, when the form came from a meeting page."""
    from coordination.meetings.models import Meeting

    return session.get(Meeting, int(value)) if value.isdigit() else None


@bp.get("/decisions/<int:decision_id>")
def decision(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    body = session.get(Body, found.issuing_body_id)
    roles = {m.role for m in current_user.memberships if m.body_id == body.id}
    table = service.acknowledgement_table(session=session, decision=found, now=now())
    my_units = service.units_i_answer_for(session=session, person=current_user, decision=found)
    ack_form = None
    if my_units:
        ack_form = AcknowledgeForm()
        ack_form.unit.choices = [(f"{u.kind.value}:{u.key}", u.label) for u in my_units]
    action_form = None
    manages = bool(roles & {r.value for r in service.MANAGING_ROLES})
    if manages and found.status == DecisionStatus.adopted:
        action_form = ActionForm()
        action_form.owner.choices = [
            (f"{row.unit.kind.value}:{row.unit.key}", row.unit.label) for row in table
        ]
    actions = service.action_rows(
        session=session,
        actions=list(
            session.exec(select(Action).where(Action.decision_id == found.id).order_by(Action.due_on))
        ),
        today=now().date(),
    )
    people = {
        p.id: p
        for p in session.exec(
            select(Person).where(
                Person.id.in_({found.created_by_id, found.adopted_by_id or found.created_by_id})
            )
        )
    }
    counts = {
        status: sum(1 for row in table if row.addressee.status == status) for status in ACKNOWLEDGEMENT_LABELS
    }
    return render_template(
        "decisions/decision.html",
        decision=found,
        body=body,
        table=table,
        counts=counts,
        ack_form=ack_form,
        action_form=action_form,
        actions=actions,
        people=people,
        may_adopt=found.status == DecisionStatus.draft and bool(roles & {"chair", "co_chair"}),
        may_withdraw=found.status == DecisionStatus.adopted and bool(roles & {"chair", "co_chair"}),
        reports=service.motivating_reports(session=session, person=current_user, decision=found),
    )


@bp.post("/decisions/<int:decision_id>/adopt")
def adopt(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    try:
        flows.adopt_and_notify(session=session, person=current_user, decision=found, now=now())
    except service.DecisionError as error:
        flash(str(error), "error")
    else:
        flash(_("Decision adopted; its addressees have been notified."), "info")
    return redirect(url_for("decisions.decision", decision_id=found.id))


@bp.post("/decisions/<int:decision_id>/withdraw")
def withdraw(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    try:
        service.withdraw(session=session, person=current_user, decision=found)
    except service.DecisionError as error:
        flash(str(error), "error")
    return redirect(url_for("decisions.decision", decision_id=found.id))


@bp.post("/decisions/<int:decision_id>/acknowledge")
def acknowledge(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    form = AcknowledgeForm()
    kind, _sep, key = (form.unit.data or "").partition(":")
    try:
        flows.answer_and_notify(
            session=session,
            person=current_user,
            decision=found,
            unit_kind=kind,
            unit_key=key,
            comply=form.answer.data != "cannot_comply",
            comment=form.comment.data or "",
            now=now(),
        )
    except service.DecisionError as error:
        flash(str(error), "error")
    else:
        flash(_("Your answer is recorded."), "info")
    return redirect(url_for("decisions.decision", decision_id=found.id))


@bp.post("/decisions/<int:decision_id>/actions")
def create_action(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    form = ActionForm()
    kind, _sep, key = (request.form.get("owner") or "").partition(":")
    form.owner.choices = [(request.form.get("owner", ""), "")]
    if not form.validate_on_submit():
        flash(_("Give the action a title, an owner and a due date."), "error")
        return redirect(url_for("decisions.decision", decision_id=found.id))
    try:
        service.create_action(
            session=session,
            person=current_user,
            decision=found,
            title=form.title.data,
            owner_kind=kind,
            owner_key=key,
            due_on=form.due_on.data,
            now=now(),
        )
    except service.DecisionError as error:
        flash(str(error), "error")
    return redirect(url_for("decisions.decision", decision_id=found.id))


@bp.get("/actions")
def actions():
    session = get_session()
    rows = service.monitored_actions(
        session=session,
        person=current_user,
        today=now().date(),
        body_slug=request.args.get("body") or None,
        include_done=request.args.get("done") == "1",
    )
    rows.sort(key=lambda row: (not row.late, row.action.due_on))
    return render_template("decisions/actions.html", rows=rows)


def _visible_action_or_404(action_id: int) -> tuple[Action, Decision]:
    session = get_session()
    action = session.get(Action, action_id)
    if action is None:
        abort(404)
    return action, _visible_or_404(action.decision_id)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
def action(action_id: int):
    session = get_session()
    found, decision_found = _visible_action_or_404(action_id)
    form = ActionUpdateForm(status=found.status)
    may_update = service.may_update_action(session=session, person=current_user, action=found)
    if request.method == "POST":
        if not may_update:
            abort(403)
        if form.validate_on_submit():
            service.update_action(
                session=session,
                person=current_user,
                action=found,
                status=form.status.data,
                body=form.body.data or "",
                now=now(),
            )
            flash(_("Progress recorded."), "info")
            return redirect(url_for("decisions.action", action_id=found.id))
    row = service.action_rows(session=session, actions=[found], today=now().date())[0]
    return render_template(
        "decisions/action.html",
        row=row,
        decision=decision_found,
        form=form if may_update else None,
        updates=service.updates_of(session=session, action=found),
    )


@bp.get("/notifications")
def notifications_page():
    items = notifications.unread(session=get_session(), person=current_user)
    return render_template("decisions/notifications.html", items=items)


@bp.post("/notifications/read")
def notifications_read():
    notifications.mark_all_read(session=get_session(), person=current_user, now=now())
    return redirect(url_for("decisions.notifications_page"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    session = get_session()
    current = notifications.settings_of(session=session, person_id=current_user.id)
    form = PreferencesForm(email=current.email)
    token = None
    if request.method == "POST":
        if request.form.get("new_feed_token") and form.validate_on_submit():
            token = notifications.new_feed_token(session=session, person=current_user)
            flash(_("New feed links made; the old ones no longer work."), "info")
        elif form.validate_on_submit():
            notifications.set_email_preference(
                session=session, person=current_user, preference=form.email.data
            )
            flash(_("Preferences saved."), "info")
            return redirect(url_for("decisions.settings"))
    base = current_app.config["BASE_URL"].rstrip("/")
    return render_template(
        "decisions/settings.html", form=form, token=token, has_token=bool(current.feed_token_hash), base=base
    )
