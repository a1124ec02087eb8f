"""Pages for decisions, acknowledgements and actions."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination import exports, playmode
from coordination.audit import service as audit
from coordination.classification import Clearance, NeedToKnow
from coordination.db import get_session, session_for_stream
from coordination.decisions import flows, printing, queries, service
from coordination.decisions.enums import DecisionStatus
from coordination.decisions.forms import (
    ACKNOWLEDGEMENT_LABELS,
    DECISION_STATUS_LABELS,
    AcknowledgeForm,
    ActionForm,
    ActionUpdateForm,
    DecisionForm,
)
from coordination.decisions.models import Decision
from coordination.formchecks import confirmed
from coordination.standards import cap_out, pdf
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind

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


def _visible_or_404(decision_id: int) -> Decision:
    decision = queries.get_visible_decision(
        session=get_session(), viewer=current_user, decision_id=decision_id
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
    decisions = queries.list_decisions(session=session, viewer=current_user, status=status)
    bodies = structure.bodies_by_id(session=session, ids={d.issuing_body_id for d in decisions})
    awaiting = queries.awaiting_my_answer(session=session, viewer=current_user)
    return render_template(
        "decisions/list.html",
        decisions=decisions,
        bodies=bodies,
        awaiting=awaiting,
        status=status,
        statuses=list(DecisionStatus),
    )


@bp.get("/decisions/export.csv")
def export_csv():
    return _export("csv")


@bp.get("/decisions/export.jsonl")
def export_jsonl():
    return _export("jsonl")


def _export(fmt: str):
    """The decisions list with its filter, every decision of it with its acknowledgements and actions,
    streamed as CSV or JSON Lines."""
    session = session_for_stream()
    status = request.args.get("status") or None
    batches = queries.decision_batches(
        session=session, viewer=current_user, status=status, batch=exports.BATCH
    )
    return exports.streamed(
        session=session,
        fmt=fmt,
        columns=queries.EXPORT_COLUMNS,
        batches=([queries.export_row(item) for item in items] for items in batches),
        filename="decisions",
        on_end=exports.audited(
            session,
            actor_id=current_user.id,
            action="decision.export",
            object_type="decision",
            filters={"status": status},
        ),
    )


@bp.route("/decisions/new", methods=["GET", "POST"])
def new_decision():
    session = get_session()
    form = DecisionForm()
    issuing = queries.issuing_bodies_for(session=session, viewer=current_user)
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
        form.issuing_body.data = structure.bodies_by_id(session=session, ids=[meeting.body_id])[
            meeting.body_id
        ].slug
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
                    policy=NeedToKnow.from_config(current_app.config),
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
    """The meeting a decision is taken in, when the form came from the page of a meeting the person may
    see."""
    from coordination.meetings import queries as meetings

    if not value.isdigit() or len(value) > 12:
        return None
    return meetings.get_visible_meeting(session=session, viewer=current_user, meeting_id=int(value))


@bp.get("/decisions/<int:decision_id>")
def decision(decision_id: int):
    session = get_session()
    found = _visible_or_404(decision_id)
    audit.record_opening(
        session,
        actor_id=current_user.id,
        action="decision.open",
        object_type="decision",
        object_id=found.id,
        classification=found.classification,
    )
    body = structure.bodies_by_id(session=session, ids=[found.issuing_body_id])[found.issuing_body_id]
    roles = {m.role for m in current_user.memberships if m.body_id == body.id}
    table = queries.acknowledgement_table(session=session, decision=found, now=now())
    my_units = queries.units_i_answer_for(session=session, viewer=current_user, decision=found)
    ack_form = None
    if my_units:
        ack_form = AcknowledgeForm()
        ack_form.unit.choices = [(f"{u.kind.value}:{u.key}", u.label) for u in my_units]
    action_form = None
    manages = bool(roles & {r.value for r in queries.MANAGING_ROLES})
    if manages and found.status == DecisionStatus.adopted:
        action_form = ActionForm()
        action_form.owner.choices = [
            (f"{row.unit.kind.value}:{row.unit.key}", row.unit.label) for row in table
        ]
    actions = queries.action_rows(
        session=session,
        actions=queries.actions_of_decision(session=session, decision=found),
        today=now().date(),
    )
    people = structure.people_by_id(session=session, ids={found.created_by_id, found.adopted_by_id})
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
        reports=queries.motivating_reports(
            session=session,
            viewer=current_user,
            decision=found,
            policy=NeedToKnow.from_config(current_app.config),
        ),
    )


@bp.get("/decisions/<int:decision_id>/acknowledgements.cap.xml")
def acknowledgements_cap(decision_id: int):
    """Each answer to the decision as a CAP 1.2 Ack referencing the decision's own CAP identity, in an
    Atom feed (for a partner's alerting system that tracks who has confirmed)."""
    session = get_session()
    found = _visible_or_404(decision_id)
    base = playmode.site_url()  # before url_for paths
    issued = found.adopted_at or found.created_at
    decision_identity = cap_out.CapIdentity(cap_out.sender_for(base), f"decision-{found.id}", issued)
    issuer = structure.bodies_by_id(session=session, ids=[found.issuing_body_id])[found.issuing_body_id]
    link = f"{base}{url_for('decisions.decision', decision_id=found.id)}"
    entries = []
    for row in queries.acknowledgement_table(session=session, decision=found, now=now()):
        answer = row.addressee
        if answer.answered_at is None:
            continue
        who = row.answered_by.name if row.answered_by else ""
        note = f"{row.unit.label}: {answer.status.replace('_', ' ')}" + (f" ({who})" if who else "")
        alert = cap_out.CapAlert(
            identity=cap_out.CapIdentity(
                cap_out.sender_for(base, f"{row.unit.kind.value}.{row.unit.key}"),
                f"decision-{found.id}-ack-{answer.id}",
                answer.answered_at,
            ),
            msg_type="Ack",
            restriction=f"Need to know: readers of the decision only. Classification: {found.classification}",
            addresses=[issuer.slug],
            references=[decision_identity],
            note=f"{note}. {answer.comment}".strip() if answer.comment else note,
        )
        entries.append(
            cap_out.FeedEntry(
                alert=alert, title=note, link=f"{link}#ack-{answer.id}", updated=answer.answered_at
            )
        )
    feed = cap_out.Feed(
        id=f"{link}/acknowledgements",
        title=f"Acknowledgements: {found.title}",
        link=link,
        updated=max((e.updated for e in entries), default=issued),
        entries=entries,
    )
    return Response(cap_out.atom_feed(feed), mimetype="application/atom+xml")


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
    if not confirmed(request.form):
        abort(400, description=_("Tick the confirmation box to withdraw the decision; nothing was changed."))
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
    rows = queries.monitored_actions(
        session=session,
        viewer=current_user,
        today=now().date(),
        body_slug=request.args.get("body") or None,
        include_done=request.args.get("done") == "1",
    )
    rows.sort(key=lambda row: (not row.late, row.action.due_on))
    return render_template("decisions/actions.html", rows=rows)


def _visible_action_or_404(action_id: int):
    found = queries.get_visible_action(session=get_session(), viewer=current_user, action_id=action_id)
    if found is None:
        abort(404)
    return found


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
def action(action_id: int):
    session = get_session()
    found, decision_found = _visible_action_or_404(action_id)
    form = ActionUpdateForm(status=found.status)
    may_update = queries.may_update_action(session=session, person=current_user, action=found)
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
    row = queries.action_rows(session=session, actions=[found], today=now().date())[0]
    return render_template(
        "decisions/action.html",
        row=row,
        decision=decision_found,
        form=form if may_update else None,
        updates=queries.updates_of(session=session, action=found),
    )


@bp.get("/decisions/<int:decision_id>.pdf")
def decision_pdf(decision_id: int):
    """The decision with its acknowledgement table, printed."""
    found = _visible_or_404(decision_id)
    data = printing.printed(session=get_session(), viewer=current_user, decision=found, now=now())
    return Response(
        data,
        mimetype=pdf.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{printing.filename(found)}"'},
    )
