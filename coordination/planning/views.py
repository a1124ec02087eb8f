"""The plans-and-resources page of an effort, the press clearing queue, and CSV exports."""

from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordination.db import get_session
from coordination.markup import render_markdown
from coordination.planning import budget, partner_import, plans, press, printing, registers, roster
from coordination.rules import RuleViolation, StaleVersion
from coordination.standards import pdf
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind
from coordination.types import FIRST_YEAR, LAST_YEAR

bp = Blueprint("planning", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in person."""


def _now() -> datetime:
    return datetime.now(UTC)


def _effort(slug: str):
    body = structure.find_body(session=get_session(), slug=slug)
    if body is None or body.kind != BodyKind.task_force:
        abort(404)
    return body


def _date(name: str) -> date | None:
    value = request.form.get(name, "")
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _year_asked() -> int:
    """The plan year of the query string (`?year=`), this year when none; 400 outside the plans' years."""
    year = request.args.get("year", type=int) or _now().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(
            400,
            description=_("Give a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
        )
    return year


@bp.get("/task-forces/<slug>/plan")
def plan(slug: str):
    effort = _effort(slug)
    year = _year_asked()
    return _plan_page(effort, year)


def _plan_page(
    effort, year: int, *, conflict: dict | None = None, refused: dict | None = None, status: int = 200
):
    """The plan page; with a budget line or measurement refused as stale (`conflict`: which form, what is
    stored now in words, what the reader typed), the stored one beside the typed values, which the form
    keeps."""
    session = get_session()
    objectives = plans.objectives(session=session, effort=effort, year=year)
    series = plans.measurements(session=session, objective_ids=[o.id for o in objectives])
    charts = {o.id: plans.indicator_chart(o, series[o.id]) for o in objectives}
    departments = structure.all_departments_by_id(session=session)
    joint = budget.joint_budget(session=session, effort=effort, years=[year - 1, year, year + 1])
    today = _now().date()
    over = [
        o
        for o in roster.overcommitted(session=session, on=today)
        if any(body.id == effort.id for _a, body in o.assignments)
    ]
    risks = registers.risks(session=session, effort=effort)
    owners = structure.people_by_id(session=session, ids={r.owner_id for r in risks})
    return render_template(
        "planning/plan.html",
        effort=effort,
        year=year,
        objectives=objectives,
        series=series,
        charts=charts,
        departments=departments,
        joint=joint,
        overcommitted=over,
        missing=roster.missing_needs(session=session, task_force=effort, on=today),
        assignments=roster.assignments_of(session=session, task_force=effort, on=today),
        without_designations=roster.departments_without_designations(session=session),
        press_items=press.items(session=session, effort=effort),
        needs_clearance=press.needs_clearance(session, effort),
        partners=registers.partners(session=session, effort=effort),
        risks=risks,
        owners=owners,
        review_html=render_markdown(
            plans.annual_review(session=session, viewer=current_user, effort=effort, year=year, today=today)
        ),
        all_departments=structure.list_departments(session=session),
        actor_kinds=registers.ACTOR_KINDS,
        budget_version=budget.version(session=session, effort_id=effort.id),
        plan_version=plans.version(session=session, effort_id=effort.id),
        conflict=conflict,
        refused=refused,
    ), status


def _back(slug: str, anchor: str):
    return redirect(url_for("planning.plan", slug=slug, year=request.form.get("year") or None) + f"#{anchor}")


def _attempt(action, success: str) -> str | None:
    """Do `action`: None once done (and `success` flashed), else why it was refused, in words."""
    try:
        action()
    except StaleVersion:
        raise
    except RuleViolation as error:
        return str(error)
    except (TypeError, ValueError):
        return _("Check the values you entered.")
    flash(success, "info")
    return None


def _flash_refusal(refusal: str | None) -> None:
    if refusal:
        flash(refusal, "error")


def _done_or_refused(effort, form: str, anchor: str, refusal: str | None, objective_id: int | None = None):
    """Back to the page once done; refused, the page again with what was typed kept in its form and
    the reason above it (422), never a page that lost the typing."""
    if refusal is None:
        return _back(effort.slug, anchor)
    get_session().rollback()
    year = request.form.get("year", type=int) or _now().year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = _now().year
    refused = {"form": form, "typed": request.form, "message": refusal, "objective_id": objective_id}
    return _plan_page(effort, year, refused=refused, status=422)


@bp.post("/task-forces/<slug>/objectives")
def add_objective(slug: str):
    effort, form = _effort(slug), request.form
    refusal = _attempt(
        lambda: plans.add_objective(
            session=get_session(),
            person=current_user,
            effort=effort,
            year=int(form["year"]),
            statement=form["statement"],
            indicator=form["indicator"],
            unit=form.get("unit", ""),
            baseline=float(form["baseline"]),
            target=float(form["target"]),
            deadline=_date("deadline") or date(int(form["year"]), 12, 31),
            department_code=form["department"],
            resources=form.get("resources", ""),
        ),
        _("Objective added."),
    )
    return _done_or_refused(effort, "objective", "plan", refusal)


@bp.post("/objectives/<int:objective_id>/measurements")
def add_measurement(objective_id: int):
    session = get_session()
    objective = plans.get_objective(session=session, objective_id=objective_id)
    if objective is None:
        abort(404)
    effort = structure.bodies_by_id(session=session, ids=[objective.effort_id])[objective.effort_id]
    measured_on = _date("measured_on") or _now().date()
    try:
        refusal = _attempt(
            lambda: plans.record_measurement(
                session=session,
                person=current_user,
                objective=objective,
                measured_on=measured_on,
                value=float(request.form["value"]),
                note=request.form.get("note", ""),
                expected_version=request.form.get("version") or None,
            ),
            _("Measurement recorded."),
        )
    except StaleVersion:
        session.rollback()
        stored = plans.get_measurement(session=session, objective_id=objective.id, measured_on=measured_on)
        conflict = {
            "form": "measurement",
            "objective_id": objective.id,
            "typed": request.form,
            "stored": _("%(date)s: %(value)s", date=measured_on.isoformat(), value=stored.value)
            if stored
            else _("%(date)s: no measurement.", date=measured_on.isoformat()),
        }
        return _plan_page(effort, objective.year, conflict=conflict, status=409)
    return _done_or_refused(effort, "measurement", "plan", refusal, objective_id=objective.id)


@bp.post("/task-forces/<slug>/budget")
def set_budget(slug: str):
    effort, form, session = _effort(slug), request.form, get_session()
    try:
        refusal = _attempt(
            lambda: budget.set_line(
                session=session,
                person=current_user,
                effort=effort,
                department_code=form["department"],
                year=int(form["budget_year"]),
                pledged=form.get("pledged") or 0,
                committed=form.get("committed") or 0,
                spent=form.get("spent") or 0,
                note=form.get("note", ""),
                now=_now(),
                expected_version=form.get("version") or None,
            ),
            _("Budget line saved."),
        )
    except StaleVersion:
        session.rollback()
        year = int(form["budget_year"])
        return _plan_page(
            effort,
            year,
            conflict={
                "form": "budget",
                "typed": form,
                "stored": _stored_line(effort, form["department"], year),
            },
            status=409,
        )
    return _done_or_refused(effort, "budget", "budget", refusal)


def _stored_line(effort, department_code: str, year: int) -> str:
    """A department's budget line as now stored, in words."""
    session = get_session()
    department = structure.get_department(session=session, code=department_code)
    line = budget.get_line(session=session, effort_id=effort.id, department_id=department.id, year=year)
    if line is None:
        return _("%(department)s %(year)s: no line.", department=department.code, year=year)
    return _(
        "%(department)s %(year)s: pledged %(pledged)s, committed %(committed)s, spent %(spent)s "
        "(thousands of euros). %(note)s",
        department=department.code,
        year=year,
        pledged=line.pledged,
        committed=line.committed,
        spent=line.spent,
        note=line.note,
    )


@bp.post("/task-forces/<slug>/assignments")
def assign(slug: str):
    session, effort, form = get_session(), _effort(slug), request.form
    assignee = structure.get_person_by_email(session=session, email=form.get("email", ""))
    if assignee is None:
        flash(_("No person with that e-mail address."), "error")
        return _back(slug, "roster")
    refusal = _attempt(
        lambda: roster.assign(
            session=session,
            person=current_user,
            assignee=assignee,
            task_force=effort,
            share=int(form["share"]),
            start_on=_date("start_on") or _now().date(),
            end_on=_date("end_on"),
            now=_now(),
        ),
        _("Assignment recorded."),
    )
    return _done_or_refused(effort, "assign", "roster", refusal)


@bp.post("/task-forces/<slug>/assignments/<int:assignment_id>/end")
def end_assignment(slug: str, assignment_id: int):
    session, effort = get_session(), _effort(slug)
    assignment = roster.get_assignment(session=session, task_force=effort, assignment_id=assignment_id)
    if assignment is None:
        abort(404)
    _flash_refusal(
        _attempt(
            lambda: roster.end_assignment(
                session=session,
                person=current_user,
                assignment=assignment,
                reason=request.form.get("reason", ""),
                now=_now(),
            ),
            _("Assignment ended."),
        )
    )
    return _back(slug, "roster")


@bp.post("/task-forces/<slug>/press")
def draft_press(slug: str):
    effort = _effort(slug)
    refusal = _attempt(
        lambda: press.draft(
            session=get_session(),
            person=current_user,
            effort=effort,
            title=request.form.get("title", ""),
            body=request.form.get("body", ""),
            now=_now(),
        ),
        _("Press item drafted."),
    )
    return _done_or_refused(effort, "press", "press", refusal)


@bp.post("/press/<int:item_id>")
def move_press(item_id: int):
    session = get_session()
    item = press.get_item(session=session, item_id=item_id)
    if item is None:
        abort(404)
    person = structure.get_person(session=session, person_id=current_user.id)
    _flash_refusal(
        _attempt(
            lambda: press.move(
                session=session,
                person=person,
                item=item,
                to_status=request.form.get("to", ""),
                comment=request.form.get("comment", ""),
                now=_now(),
            ),
            _("Press item updated."),
        )
    )
    if request.form.get("from_queue"):
        return redirect(url_for("planning.press_queue"))
    return _back(structure.bodies_by_id(session=session, ids=[item.effort_id])[item.effort_id].slug, "press")


@bp.get("/press")
def press_queue():
    """Press material waiting for clearance by the Foreign Affairs press service."""
    session = get_session()
    waiting = press.waiting(session=session)
    reviewer = press.is_press_reviewer(structure.get_person(session=session, person_id=current_user.id))
    return render_template("planning/press_queue.html", waiting=waiting, reviewer=reviewer)


@bp.post("/task-forces/<slug>/partners")
def add_partner(slug: str):
    effort, form = _effort(slug), request.form
    refusal = _attempt(
        lambda: registers.add_partner(
            session=get_session(),
            person=current_user,
            effort=effort,
            actor=form.get("actor", ""),
            actor_kind=form.get("actor_kind", ""),
            what=form.get("what", ""),
            contact=form.get("contact", ""),
            status=form.get("status", "exploring"),
        ),
        _("Partner added."),
    )
    return _done_or_refused(effort, "partner", "partners", refusal)


def _import_problem(problem: partner_import.RowProblem) -> str:
    """One problem of a partner import, in words, by its line."""
    words = {
        "no_hashtags": _("no row of HXL hashtags (such as #org, #activity, #country+code) near the top"),
        "unreadable": _("the file cannot be read as CSV (%(value)s)"),
        "missing_column": _("the column %(value)s is missing"),
        "no_rows": _("there are no rows under the hashtags"),
        "too_many_rows": _("more than %(value)s rows: split the file"),
        "missing_org": _("no organisation (#org)"),
        "missing_activity": _("no activity (#activity)"),
        "unknown_country": _("unknown country code “%(value)s” (ISO 3166-1 alpha-3, such as NER)"),
        "unknown_sector": _("unknown sector “%(value)s”"),
        "bad_date": _("“%(value)s” is not a date written YYYY-MM-DD"),
        "end_before_start": _("the end comes before the start (%(value)s)"),
        "unknown_status": _("unknown status “%(value)s” (planned, ongoing or completed)"),
        "unknown_org_type": _("unknown kind of organisation “%(value)s”"),
        "too_long": _("the organisation or the activity is too long"),
    }
    return _(
        "Line %(line)s: %(problem)s",
        line=problem.line,
        problem=words[problem.code] % {"value": problem.value},
    )


@bp.route("/task-forces/<slug>/partners/import", methods=["GET", "POST"])
def import_partners(slug: str):
    """Partner activities from an HXL-tagged CSV: a dry run lists each bad row; the import writes all
    rows or none."""
    effort = _effort(slug)
    if request.method == "GET":
        return render_template("planning/partner_import.html", effort=effort, result=None, problems=[])
    session = get_session()
    dry_run = request.form.get("mode") != "import"
    upload = request.files.get("file")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
    except UnicodeDecodeError:
        text = None
    if not text:
        problems = [_("Choose a CSV file in UTF-8 with HXL hashtags.")]
        return render_template(
            "planning/partner_import.html", effort=effort, result=None, problems=problems
        ), 400
    result = partner_import.import_partners(
        session=session,
        person=current_user,
        effort=effort,
        text=text,
        countries=set(structure.country_names(session=session)),
        dry_run=dry_run,
    )
    if result.written:
        flash(
            _(
                "Partners imported: %(added)s added, %(updated)s updated, %(unchanged)s already in the "
                "register.",
                added=result.added,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
            "info",
        )
        return _back(effort.slug, "partners")
    problems = [_import_problem(p) for p in result.problems]
    return render_template(
        "planning/partner_import.html", effort=effort, result=result, problems=problems, dry_run=dry_run
    ), (422 if problems else 200)


@bp.post("/task-forces/<slug>/risks")
def add_risk(slug: str):
    effort, form = _effort(slug), request.form
    refusal = _attempt(
        lambda: registers.add_risk(
            session=get_session(),
            person=current_user,
            effort=effort,
            risk=form.get("risk", ""),
            likelihood=int(form["likelihood"]),
            impact=int(form["impact"]),
            owner=current_user,
            mitigation=form.get("mitigation", ""),
            review_on=_date("review_on") or _now().date(),
        ),
        _("Risk added."),
    )
    return _done_or_refused(effort, "risk", "risks", refusal)


@bp.post("/task-forces/<slug>/review-positions")
def add_position(slug: str):
    effort, form = _effort(slug), request.form
    refusal = _attempt(
        lambda: plans.add_position(
            session=get_session(),
            person=current_user,
            effort=effort,
            year=int(form["year"]),
            point=form.get("point", ""),
            position=form.get("position", ""),
            now=_now(),
        ),
        _("Position recorded."),
    )
    return _done_or_refused(effort, "position", "review", refusal)


@bp.get("/task-forces/<slug>/annual-review.pdf")
def annual_review_pdf(slug: str):
    """The annual review as this reader may read it, printed with the marking of what it quotes."""
    effort = _effort(slug)
    year = _year_asked()
    data = printing.annual_review(
        session=get_session(), viewer=current_user, effort=effort, year=year, today=_now().date()
    )
    return Response(
        data,
        mimetype=pdf.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{printing.filename(effort, year)}"'},
    )


@bp.get("/task-forces/<slug>/budget.csv")
def budget_csv(slug: str):
    effort = _effort(slug)
    return Response(
        budget.lines_csv(session=get_session(), effort=effort),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-budget.csv"'},
    )


@bp.get("/task-forces/<slug>/budget.hxl.csv")
def budget_hxl(slug: str):
    effort = _effort(slug)
    return Response(
        budget.lines_hxl(session=get_session(), effort=effort),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-budget.hxl.csv"'},
    )


@bp.get("/task-forces/<slug>/objectives.csv")
def objectives_csv(slug: str):
    effort = _effort(slug)
    return Response(
        plans.objectives_csv(session=get_session(), effort=effort),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{slug}-objectives.csv"'},
    )


@bp.route("/roster", methods=["GET", "POST"])
def roster_page():
    """The standby roster: who each department designated in advance, with skills and availability."""
    session = get_session()
    if request.method == "POST":
        designee = structure.get_person_by_email(session=session, email=request.form.get("email", ""))
        if designee is None:
            flash(_("No person with that e-mail address."), "error")
        else:
            refusal = _attempt(
                lambda: roster.designate(
                    session=session,
                    person=current_user,
                    designee=designee,
                    skills=request.form.get("skills", "").split(","),
                    available_from=_date("available_from") or _now().date(),
                    available_until=_date("available_until"),
                    note=request.form.get("note", ""),
                    now=_now(),
                ),
                _("Designation saved."),
            )
            _flash_refusal(refusal)
        return redirect(url_for("planning.roster_page"))
    return render_template(
        "planning/roster.html",
        entries=roster.roster(session=session),
        without=roster.departments_without_designations(session=session),
        overcommitted=roster.overcommitted(session=session, on=_now().date()),
    )


@bp.post("/task-forces/<slug>/needs")
def set_needs(slug: str):
    effort = _effort(slug)
    refusal = _attempt(
        lambda: roster.set_needs(
            session=get_session(),
            person=current_user,
            task_force=effort,
            skills=request.form.get("skills", "").split(","),
            languages=request.form.get("languages", "").split(","),
        ),
        _("Needs saved."),
    )
    return _done_or_refused(effort, "needs", "roster", refusal)
