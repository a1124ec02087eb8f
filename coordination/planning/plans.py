"""Operational plans: SMART objectives per effort and calendar year, indicator measurements, a chart per
indicator (target line, measurements, trend) drawn server-side as SVG, and the annual review in which each
party keeps its own position."""

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.classification import highest
from coordination.decisions import queries as decisions
from coordination.planning import budget
from coordination.planning.models import Measurement, Objective, ReviewPosition
from coordination.planning.roster import MANAGING_ROLES
from coordination.rules import Forbidden, RuleViolation, check_version
from coordination.structure import queries as structure
from coordination.types import FIRST_YEAR, LAST_YEAR
from coordination.versions import version_of

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person


class PlanError(RuleViolation):
    """A plan change the rules refuse."""


def add_objective(
    *,
    session: Session,
    person: "Person",
    effort: "Body",
    year: int,
    statement: str,
    indicator: str,
    baseline: float,
    target: float,
    deadline: date,
    department_code: str,
    directorate_code: str | None = None,
    unit: str = "",
    resources: str = "",
) -> Objective:
    """A SMART objective: specific statement, indicator, baseline, target, deadline, responsible service."""
    structure.require_role(
        session=session,
        person_id=person.id,
        body_id=effort.id,
        roles=MANAGING_ROLES,
        refusal="the task force's chairs and secretary keep its operational plan",
    )
    if len((statement or "").strip()) < 10:
        raise PlanError("state the objective specifically", "statement")
    if len((indicator or "").strip()) < 3:
        raise PlanError("name the indicator that measures it", "indicator")
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise PlanError("give the calendar year", "year")
    for name, number in (("baseline", baseline), ("target", target)):
        if not math.isfinite(float(number)):
            raise PlanError("give a finite number", name)
    if deadline.year != int(year):
        raise PlanError(
            "an operational plan covers one calendar year: the deadline falls within it", "deadline"
        )
    department = structure.get_department(session=session, code=department_code)
    if department is None:
        raise PlanError(f"no department {department_code!r}", "department_code")
    directorate_id = None
    if directorate_code:
        directorate = structure.get_directorate(
            session=session, department_code=department.code, code=directorate_code
        )
        if directorate is None:
            raise PlanError(f"no directorate {directorate_code!r} in {department.code}", "directorate_code")
        directorate_id = directorate.id
    objective = Objective(
        effort_id=effort.id,
        year=int(year),
        statement=statement.strip(),
        indicator=indicator.strip(),
        unit=unit.strip(),
        baseline=float(baseline),
        target=float(target),
        deadline=deadline,
        department_id=department.id,
        directorate_id=directorate_id,
        resources=resources.strip(),
        created_by_id=person.id,
    )
    session.add(objective)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="objective.create",
        object_type="objective",
        object_id=objective.id,
        effort=effort.slug,
    )
    session.commit()
    return objective


def record_measurement(
    *,
    session: Session,
    person: "Person",
    objective: Objective,
    measured_on: date,
    value: float,
    note: str = "",
    expected_version: str | None = None,
) -> Measurement:
    """Measurements are entered by the responsible service (its department), or an administrator; one a
    day, a second entry corrects it. Refused if the plan changed since `expected_version` was read."""
    if person.department_id != objective.department_id and not person.is_admin:
        raise Forbidden("the responsible service enters the measurements")
    if not math.isfinite(float(value)):
        raise PlanError("give a finite number", "value")
    if expected_version is not None:
        session.refresh(objective, with_for_update=True)
        current = version(session=session, effort_id=objective.effort_id)
        check_version(expected=expected_version, current=current, what="operational plan")
    existing = session.exec(
        select(Measurement).where(
            Measurement.objective_id == objective.id, Measurement.measured_on == measured_on
        )
    ).first()
    measurement = existing or Measurement(
        objective_id=objective.id, measured_on=measured_on, value=0, entered_by_id=person.id
    )
    measurement.value = float(value)
    measurement.note = note.strip()
    measurement.entered_by_id = person.id
    session.add(measurement)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="objective.measure",
        object_type="objective",
        object_id=objective.id,
        on=measured_on.isoformat(),
        value=float(value),
    )
    session.commit()
    return measurement


def version(*, session: Session, effort_id: int) -> str:
    """The version of an effort's operational plan, every year of it: its objectives and measurements."""
    objective_ids = session.exec(select(Objective.id).where(Objective.effort_id == effort_id)).all()
    series = measurements(session=session, objective_ids=sorted(objective_ids))
    return version_of(
        "plan",
        effort_id,
        [[oid, [(m.measured_on, m.value, m.note) for m in series[oid]]] for oid in sorted(objective_ids)],
    )


def get_measurement(*, session: Session, objective_id: int, measured_on: date) -> Measurement | None:
    return session.exec(
        select(Measurement).where(
            Measurement.objective_id == objective_id, Measurement.measured_on == measured_on
        )
    ).first()


def objectives(*, session: Session, effort: "Body", year: int | None = None) -> list[Objective]:
    query = select(Objective).where(Objective.effort_id == effort.id).order_by(Objective.year, Objective.id)
    if year:
        query = query.where(Objective.year == year)
    return list(session.exec(query))


def measurements(*, session: Session, objective_ids: list[int]) -> dict[int, list[Measurement]]:
    found: dict[int, list[Measurement]] = {oid: [] for oid in objective_ids}
    if objective_ids:
        for m in session.exec(
            select(Measurement)
            .where(Measurement.objective_id.in_(objective_ids))
            .order_by(Measurement.measured_on)
        ):
            found[m.objective_id].append(m)
    return found


def achievement(objective: Objective, series: list[Measurement]) -> float | None:
    """Share of the way from baseline to target reached by the latest measurement (1.0 = target met)."""
    if not series or objective.target == objective.baseline:
        return None
    return (series[-1].value - objective.baseline) / (objective.target - objective.baseline)


# --- chart ------------------------------------------------------------------------------------------


@dataclass
class Chart:
    width: int
    height: int
    target_y: float
    baseline_y: float
    points: list[tuple[float, float, Measurement]]
    trend: tuple[float, float, float, float] | None
    y_labels: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]


def indicator_chart(
    objective: Objective, series: list[Measurement], width: int = 520, height: int = 220
) -> Chart:
    """Coordinates for the SVG chart: time on x (1 January to the deadline), value on y; the trend is the
    least-squares line through the measurements."""
    left, right, top, bottom = 50, 15, 15, 30
    start = date(objective.year, 1, 1)
    span_days = max((objective.deadline - start).days, 1)
    values = [objective.baseline, objective.target, *(m.value for m in series)]
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad

    def x(day: date) -> float:
        return left + (width - left - right) * min(max((day - start).days / span_days, 0), 1.2) / 1.2

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - (value - low) / (high - low))

    points = [(round(x(m.measured_on), 1), round(y(m.value), 1), m) for m in series]
    trend = None
    if len(series) >= 2:
        xs = [(m.measured_on - start).days for m in series]
        ys = [m.value for m in series]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((a - mean_x) ** 2 for a in xs)
        if var:
            slope = sum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys, strict=True)) / var
            first, last = xs[0], span_days
            trend = (
                round(x(start.fromordinal(start.toordinal() + first)), 1),
                round(y(mean_y + slope * (first - mean_x)), 1),
                round(x(objective.deadline), 1),
                round(y(mean_y + slope * (last - mean_x)), 1),
            )
    ticks = [low + (high - low) * i / 4 for i in range(5)]
    y_labels = [(round(y(t), 1), f"{t:,.0f}" if abs(high - low) >= 10 else f"{t:,.1f}") for t in ticks]
    x_labels = [
        (round(x(date(objective.year, month, 1)), 1), date(objective.year, month, 1).strftime("%b"))
        for month in (1, 4, 7, 10)
    ]
    return Chart(
        width,
        height,
        round(y(objective.target), 1),
        round(y(objective.baseline), 1),
        points,
        trend,
        y_labels,
        x_labels,
    )


# --- annual review ----------------------------------------------------------------------------------


def add_position(
    *, session: Session, person: "Person", effort: "Body", year: int, point: str, position: str, now: datetime
) -> ReviewPosition:
    """A party (the person's department) records its position on a point where the parties disagree."""
    if (
        structure.role_in(session=session, person_id=person.id, body_id=effort.id) is None
        and not person.is_admin
    ):
        raise Forbidden("parties to the effort record positions in its annual review")
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise PlanError("give the calendar year", "year")
    if len((point or "").strip()) < 3 or len((position or "").strip()) < 3:
        raise PlanError("name the point and state the position", "position")
    entry = ReviewPosition(
        effort_id=effort.id,
        year=int(year),
        department_id=person.department_id,
        author_id=person.id,
        point=point.strip(),
        position=position.strip(),
        created_at=now,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="review.position",
        object_type="body",
        object_id=effort.slug,
        year=int(year),
    )
    session.commit()
    return entry


def annual_review_classification(*, session: Session, viewer: "Person", effort: "Body", year: int) -> str:
    """The highest classification of what this reader's annual review quotes: the decisions whose
    actions it lists (objectives, budget and positions are not classified)."""
    actions = decisions.actions_concerning(
        session=session,
        viewer=viewer,
        body_id=effort.id,
        due_from=date(year, 1, 1),
        due_until=date(year, 12, 31),
    )
    quoted = decisions.visible_among(session=session, viewer=viewer, ids={a.decision_id for a in actions})
    return highest(d.classification for d in quoted.values()).value


def annual_review(*, session: Session, viewer: "Person", effort: "Body", year: int, today: date) -> str:
    """The annual review in Markdown as this reader may read it: objectives against target, the actions
    of the decisions they may see, budget use, and every party's position kept side by side."""
    objs = objectives(session=session, effort=effort, year=year)
    series = measurements(session=session, objective_ids=[o.id for o in objs])
    departments = structure.all_departments_by_id(session=session)
    lines = [
        "## " + _("Annual review %(year)s: %(effort)s", year=year, effort=effort.name),
        "",
        "### " + _("Objectives"),
        "",
    ]
    for o in objs:
        reached = achievement(o, series[o.id])
        latest = (
            f"{series[o.id][-1].value:g}{o.unit and ' ' + o.unit}" if series[o.id] else _("no measurement")
        )
        verdict = (
            _("not measured")
            if reached is None
            else (_("target met") if reached >= 1 else _("%(share)s of the way", share=f"{reached:.0%}"))
        )
        progress = _(
            "baseline %(baseline)s, target %(target)s by %(deadline)s, latest %(latest)s: %(verdict)s.",
            baseline=f"{o.baseline:g}",
            target=f"{o.target:g}",
            deadline=o.deadline.isoformat(),
            latest=latest,
            verdict=verdict,
        )
        lines.append(f"- **{o.statement}** ({departments[o.department_id].code}). {o.indicator}: {progress}")
    if not objs:
        lines.append("- " + _("No objectives were set for this year."))
    actions = decisions.actions_concerning(
        session=session,
        viewer=viewer,
        body_id=effort.id,
        due_from=date(year, 1, 1),
        due_until=date(year, 12, 31),
    )
    lines += ["", "### " + _("Actions"), ""]
    late = " (" + _("late") + ")"
    lines += [
        f"- {a.title}: {a.status}{late if a.status != 'done' and a.due_on < today else ''}" for a in actions
    ] or ["- " + _("No actions fell due this year.")]
    joint = budget.joint_budget(session=session, effort=effort, years=[year])
    totals = joint.totals[year]
    lines += [
        "",
        "### " + _("Budget (thousands of euros, sum of the departmental lines)"),
        "",
        "- "
        + _(
            "Pledged %(pledged)s, committed %(committed)s, spent %(spent)s.",
            pledged=totals["pledged"],
            committed=totals["committed"],
            spent=totals["spent"],
        ),
    ]
    if totals["committed"]:
        share = f"{totals['spent'] / totals['committed']:.0%}"
        lines.append("- " + _("Spent %(share)s of what was committed.", share=share))
    if joint.missing[year]:
        missing = ", ".join(d.code for d in joint.missing[year])
        lines.append("- " + _("No budget line from: %(departments)s.", departments=missing))
    positions = session.exec(
        select(ReviewPosition)
        .where(ReviewPosition.effort_id == effort.id, ReviewPosition.year == year)
        .order_by(ReviewPosition.id)
    ).all()
    lines += ["", "### " + _("Points of disagreement: each party's position"), ""]
    by_point: dict[str, list[ReviewPosition]] = {}
    for p in positions:
        by_point.setdefault(p.point, []).append(p)
    for point, entries in by_point.items():
        lines.append(f"- **{point}**")
        lines += [f"  - {departments[e.department_id].code}: {e.position}" for e in entries]
    if not positions:
        lines.append("- " + _("No party recorded a disagreement."))
    return "\n".join(lines)


def objectives_csv(*, session: Session, effort: "Body") -> str:
    """Objectives with their measurements, one row per measurement (or one row if none yet)."""
    import csv
    import io

    objs = objectives(session=session, effort=effort)
    series = measurements(session=session, objective_ids=[o.id for o in objs])
    departments = {i: d.code for i, d in structure.all_departments_by_id(session=session).items()}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "effort",
            "year",
            "objective",
            "indicator",
            "unit",
            "baseline",
            "target",
            "deadline",
            "responsible",
            "measured_on",
            "value",
            "note",
        ]
    )
    for o in objs:
        rows = series[o.id] or [None]
        for m in rows:
            writer.writerow(
                [
                    effort.slug,
                    o.year,
                    o.statement,
                    o.indicator,
                    o.unit,
                    o.baseline,
                    o.target,
                    o.deadline.isoformat(),
                    departments[o.department_id],
                    m.measured_on.isoformat() if m else "",
                    m.value if m else "",
                    m.note if m else "",
                ]
            )
    return out.getvalue()


def get_objective(*, session: Session, objective_id: int) -> Objective | None:
    return session.get(Objective, objective_id)
