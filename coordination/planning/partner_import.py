"""Import of partner activities (who does what where) from an HXL-tagged CSV into an effort's partner
register: a dry run names each bad row and writes nothing; the import writes every row or none.

The register keeps a partner's what/where/when in its `what` text (activity, sectors, country and
first-level area, period as an ISO 8601 interval), so an import needs no column of its own."""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session

from coordination.audit import service as audit
from coordination.planning.models import Partnership
from coordination.planning.registers import ACTOR_KINDS, _require_member
from coordination.standards import hxl
from coordination.structure.enums import Theme

if TYPE_CHECKING:
    from coordination.structure.models import Body, Person

MAX_ROWS = 2000
REQUIRED_COLUMNS = ("#org", "#activity", "#country+code")
# IASC clusters and common sector names partners use, beside the platform's own themes
CLUSTERS = {
    "health",
    "wash",
    "water sanitation hygiene",
    "shelter",
    "protection",
    "food security",
    "nutrition",
    "education",
    "logistics",
    "cccm",
    "camp coordination and camp management",
    "early recovery",
    "emergency telecommunications",
}
SECTORS = {t.value for t in Theme} | CLUSTERS
STATUSES = {
    "exploring": "exploring",
    "planned": "exploring",
    "pipeline": "exploring",
    "active": "active",
    "ongoing": "active",
    "implementation": "active",
    "ended": "ended",
    "completed": "ended",
    "finished": "ended",
    "closed": "ended",
}


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one line: `code` names the rule (the page words it), `value` what was found."""

    line: int
    # no_hashtags, unreadable, missing_column, no_rows, too_many_rows, missing_org, missing_activity,
    # unknown_country, unknown_sector, bad_date, end_before_start, unknown_status, unknown_org_type, too_long
    code: str
    value: str = ""


@dataclass
class PartnerImport:
    rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: int = 0


def _date(text: str) -> date | None:
    """A calendar date written YYYY-MM-DD, else None."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _partner(table: hxl.HxlTable, row: hxl.HxlRow, countries: set[str], problems: list[RowProblem]):
    """The register entry of one row, or None with its problems added."""
    found = len(problems)
    actor = table.value(row, "#org")
    activity = table.value(row, "#activity")
    country = table.value(row, "#country+code").upper()
    if not actor:
        problems.append(RowProblem(row.line, "missing_org"))
    if len(activity) < 3:
        problems.append(RowProblem(row.line, "missing_activity", activity))
    if country not in countries:
        problems.append(RowProblem(row.line, "unknown_country", country))
    sectors = [s.strip() for s in table.value(row, "#sector").replace(";", ",").split(",") if s.strip()]
    problems.extend(RowProblem(row.line, "unknown_sector", s) for s in sectors if s.lower() not in SECTORS)
    dates = {}
    for name in ("start", "end"):
        text = table.value(row, f"#date+{name}")
        dates[name] = _date(text) if text else None
        if text and dates[name] is None:
            problems.append(RowProblem(row.line, "bad_date", text))
    if dates.get("start") and dates.get("end") and dates["end"] < dates["start"]:
        problems.append(RowProblem(row.line, "end_before_start", f"{dates['start']}/{dates['end']}"))
    status_text = table.value(row, "#status")
    status = STATUSES.get(status_text.lower()) if status_text else "active"
    if status is None:
        problems.append(RowProblem(row.line, "unknown_status", status_text))
    kind_text = table.value(row, "#org+type")
    kind = next((k for k in ACTOR_KINDS if k.lower() == kind_text.lower()), None) if kind_text else "other"
    if kind is None:
        problems.append(RowProblem(row.line, "unknown_org_type", kind_text))
    where = "/".join(p for p in (country, table.value(row, "#adm1")) if p)
    when = "/".join(str(d) if d else ".." for d in (dates.get("start"), dates.get("end")))
    what = " · ".join(p for p in (activity, ", ".join(sectors), where, when if when != "../.." else "") if p)
    if len(actor) > 200 or len(what) > 1000:
        problems.append(RowProblem(row.line, "too_long"))
    if len(problems) > found:
        return None
    return Partnership(
        actor=actor,
        actor_kind=kind,
        what=what,
        contact=table.value(row, "#contact")[:200],
        status=status,
    )


def import_partners(
    *,
    session: Session,
    person: "Person",
    effort: "Body",
    text: str,
    countries: set[str],
    dry_run: bool,
) -> PartnerImport:
    """Check every row against the register's rules (`countries`: the known ISO alpha-3 codes); unless
    a dry run or a row is bad, add them all in one transaction with one audit event."""
    _require_member(session, person, effort)
    result = PartnerImport()
    try:
        table = hxl.read_hxl(text)
    except hxl.NoHashtags:
        result.problems.append(RowProblem(1, "no_hashtags"))
        return result
    except hxl.HxlError as error:
        result.problems.append(RowProblem(1, "unreadable", str(error)))
        return result
    missing = [c for c in REQUIRED_COLUMNS if not table.has(c)]
    result.problems.extend(RowProblem(table.hashtag_line, "missing_column", c) for c in missing)
    if not table.rows:
        result.problems.append(RowProblem(table.hashtag_line, "no_rows"))
    if len(table.rows) > MAX_ROWS:
        result.problems.append(RowProblem(table.rows[MAX_ROWS].line, "too_many_rows", str(MAX_ROWS)))
    if result.problems:
        return result
    result.rows = len(table.rows)
    partners = [_partner(table, row, countries, result.problems) for row in table.rows]
    if dry_run or result.problems:
        return result
    for partner in partners:
        partner.effort_id = effort.id
        session.add(partner)
    audit.record(
        session,
        actor_id=person.id,
        action="partner.import",
        object_type="body",
        object_id=effort.slug,
        rows=len(partners),
    )
    session.commit()
    result.written = len(partners)
    return result
