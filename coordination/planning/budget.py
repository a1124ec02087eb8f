"""Departmental budget lines and the virtual joint budget of an effort (the sum, per year, per department)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from coordination.audit import service as audit
from coordination.planning.models import BudgetLine
from coordination.rules import Forbidden, RuleViolation, check_version
from coordination.standards import hxl
from coordination.structure import queries as structure
from coordination.structure.enums import BodyKind
from coordination.versions import version_of

if TYPE_CHECKING:
    from coordination.structure.models import Body, Department, Person

AMOUNTS = ("pledged", "committed", "spent")
MAX_AMOUNT = Decimal(10**12)  # thousands of euros; the columns hold 13 digits before the decimal point


class BudgetError(RuleViolation):
    """A budget line the rules refuse."""


def _amount(value, name: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise BudgetError(f"{name} is not an amount", name) from exc
    if not amount.is_finite() or amount > MAX_AMOUNT:
        raise BudgetError(f"{name} is not an amount (at most {MAX_AMOUNT:,} thousand euros)", name)
    if amount < 0:
        raise BudgetError(f"{name} cannot be negative", name)
    return amount


def set_line(
    *,
    session: Session,
    person: "Person",
    effort: "Body",
    department_code: str,
    year: int,
    pledged,
    committed,
    spent,
    note: str = "",
    now: datetime,
    expected_version: str | None = None,
) -> BudgetLine:
    """A department records (or corrects) its own line; only its own people, or an administrator, may.
    Refused if the effort's budget changed since `expected_version` (of `version`) was read."""
    if effort.kind != BodyKind.task_force:
        raise BudgetError("budget lines belong to an effort (a task force)", "effort")
    department = structure.get_department(session=session, code=department_code)
    if department is None:
        raise BudgetError(f"no department {department_code!r}", "department_code")
    if person.department_id != department.id and not person.is_admin:
        raise Forbidden("each department records its own budget line")
    if not 2000 <= int(year) <= 2100:
        raise BudgetError("give the calendar year", "year")
    amounts = {
        name: _amount(value, name) for name, value in zip(AMOUNTS, (pledged, committed, spent), strict=True)
    }
    if expected_version is not None:
        current = version(session=session, effort_id=effort.id, lock=True)
        check_version(expected=expected_version, current=current, what="budget")
    line = session.exec(
        select(BudgetLine).where(
            BudgetLine.effort_id == effort.id,
            BudgetLine.department_id == department.id,
            BudgetLine.year == int(year),
        )
    ).first()
    if line is None:
        line = BudgetLine(
            effort_id=effort.id, department_id=department.id, year=int(year), updated_by_id=person.id
        )
    before = {name: str(getattr(line, name)) for name in AMOUNTS}
    for name, amount in amounts.items():
        setattr(line, name, amount)
    line.note = note.strip()
    line.updated_by_id = person.id
    line.updated_at = now
    session.add(line)
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="budget.set",
        object_type="budget_line",
        object_id=line.id,
        effort=effort.slug,
        department=department.code,
        year=int(year),
        before=before,
        after={name: str(a) for name, a in amounts.items()},
    )
    session.commit()
    return line


def get_line(*, session: Session, effort_id: int, department_id: int, year: int) -> BudgetLine | None:
    return session.exec(
        select(BudgetLine).where(
            BudgetLine.effort_id == effort_id,
            BudgetLine.department_id == department_id,
            BudgetLine.year == year,
        )
    ).first()


def version(*, session: Session, effort_id: int, lock: bool = False) -> str:
    """The version of an effort's budget: of every line's amounts and note (one form or request corrects
    one line, but reads them all). `lock` holds the lines until the transaction ends (PostgreSQL)."""
    query = select(BudgetLine).where(BudgetLine.effort_id == effort_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    lines = session.exec(query).all()
    return version_of(
        "budget",
        effort_id,
        sorted(
            (line.year, line.department_id, *(str(getattr(line, name)) for name in AMOUNTS), line.note)
            for line in lines
        ),
    )


@dataclass
class JointBudget:
    """The virtual joint budget: cells[year][department code] = line; totals per year; who has no line."""

    years: list[int]
    departments: "list[Department]"
    cells: dict[int, dict[str, BudgetLine]] = field(default_factory=dict)
    totals: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    missing: "dict[int, list[Department]]" = field(default_factory=dict)

    @property
    def grand_total(self) -> dict[str, Decimal]:
        return {name: sum((t[name] for t in self.totals.values()), Decimal(0)) for name in AMOUNTS}


def participating_departments(session: Session, effort: "Body") -> "list[Department]":
    """Departments with people in the effort: each is expected to put aside its own budget line."""
    return structure.departments_seated_in(session=session, body_id=effort.id)


def joint_budget(*, session: Session, effort: "Body", years: list[int] | None = None) -> JointBudget:
    lines = session.exec(select(BudgetLine).where(BudgetLine.effort_id == effort.id)).all()
    departments = {d.id: d for d in participating_departments(session, effort)}
    extra_ids = {line.department_id for line in lines} - set(departments)
    departments.update(structure.departments_by_id(session=session, ids=extra_ids))
    years = sorted(set(years or []) | {line.year for line in lines})
    budget = JointBudget(years=years, departments=sorted(departments.values(), key=lambda d: d.code))
    for year in years:
        budget.cells[year] = {}
        budget.totals[year] = {name: Decimal(0) for name in AMOUNTS}
    for line in lines:
        code = departments[line.department_id].code
        budget.cells[line.year][code] = line
        for name in AMOUNTS:
            budget.totals[line.year][name] += getattr(line, name)
    participating = participating_departments(session, effort)
    for year in years:
        budget.missing[year] = [d for d in participating if d.code not in budget.cells[year]]
    return budget


def lines_csv(*, session: Session, effort: "Body") -> str:
    """Budget lines of an effort as CSV (thousands of euros)."""
    lines = session.exec(select(BudgetLine).where(BudgetLine.effort_id == effort.id)).all()
    departments = structure.departments_by_id(session=session, ids={line.department_id for line in lines})
    rows = sorted(
        ((line, departments[line.department_id]) for line in lines),
        key=lambda row: (row[0].year, row[1].code),
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["effort", "year", "department", "pledged_keur", "committed_keur", "spent_keur", "note"])
    for line, department in rows:
        writer.writerow(
            [effort.slug, line.year, department.code, line.pledged, line.committed, line.spent, line.note]
        )
    return out.getvalue()


BUDGET_HXL = (
    hxl.HxlColumn("effort", "#meta+effort"),
    hxl.HxlColumn("year", "#date+year"),
    hxl.HxlColumn("department", "#org+code"),
    hxl.HxlColumn("department_name", "#org+name"),
    hxl.HxlColumn("pledged_keur", "#value+pledged+k_eur"),
    hxl.HxlColumn("committed_keur", "#value+committed+k_eur"),
    hxl.HxlColumn("spent_keur", "#value+spent+k_eur"),
    hxl.HxlColumn("currency", "#currency"),
    hxl.HxlColumn("note", "#description+note"),
)


def lines_hxl(*, session: Session, effort: "Body") -> str:
    """Budget lines of an effort as HXL-tagged CSV (thousands of euros), for humanitarian data tools."""
    lines = session.exec(select(BudgetLine).where(BudgetLine.effort_id == effort.id)).all()
    departments = structure.departments_by_id(session=session, ids={line.department_id for line in lines})
    rows = sorted(
        ((line, departments[line.department_id]) for line in lines),
        key=lambda row: (row[0].year, row[1].code),
    )
    return hxl.hxl_csv(
        BUDGET_HXL,
        (
            {
                "effort": effort.slug,
                "year": line.year,
                "department": dept.code,
                "department_name": dept.name,
                "pledged_keur": line.pledged,
                "committed_keur": line.committed,
                "spent_keur": line.spent,
                "currency": "EUR",
                "note": line.note,
            }
            for line, dept in rows
        ),
    )
