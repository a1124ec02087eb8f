"""Import of partner activities (who does what where) from an HXL-tagged CSV into an effort's partner
register: a dry run names each bad row and writes nothing; the import writes every row or none. A file
imported again (a cluster's 3W sheet, published anew each week) adds only what the register lacks and
brings the status, contact and kind of the activities it has up to date.

The register keeps a partner's what/where/when in its `what` text (activity, sectors, country and
first-level area, period as an ISO 8601 interval), so an import needs no column of its own."""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, select

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
    added: int = 0  # activities new to the register
    updated: int = 0  # already there, with another status, contact or kind (those the file has)
    unchanged: int = 0  # already there as the file has them
    written: bool = False


def _identity(partner: Partnership) -> tuple[str, str]:
    """The same activity: the same organisation (letter case and spacing aside) doing the same thing in
    the same place over the same period (the register's `what`)."""
    return " ".join(partner.actor.split()).casefold(), partner.what


# what an import brings up to date in an activity the register has, when the file has its column (a
# sheet without #contact leaves the contacts typed in by hand as they are)
UPDATED_FROM = {"actor_kind": "#org+type", "contact": "#contact", "status": "#status"}


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
    a dry run or a row is bad, add the activities the register lacks and update those it has, in one
    transaction with one audit event (a dry run counts what the import would add and update)."""
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
    if result.problems:
        return result
    registered = {
        _identity(p): p for p in session.exec(select(Partnership).where(Partnership.effort_id == effort.id))
    }
    latest = {_identity(p): p for p in partners}  # a row repeated in the file counts once, as last written
    columns = [name for name, tag in UPDATED_FROM.items() if table.has(tag)]

    def details(partner: Partnership) -> list[str]:
        return [getattr(partner, name) for name in columns]

    new = [p for key, p in latest.items() if key not in registered]
    changed = [
        (registered[key], p)
        for key, p in latest.items()
        if key in registered and details(registered[key]) != details(p)
    ]
    result.added, result.updated = len(new), len(changed)
    result.unchanged = len(latest) - len(new) - len(changed)
    if dry_run:
        return result
    for partner in new:
        partner.effort_id = effort.id
        session.add(partner)
    for known, partner in changed:
        for name in columns:
            setattr(known, name, getattr(partner, name))
        session.add(known)
    audit.record(
        session,
        actor_id=person.id,
        action="partner.import",
        object_type="body",
        object_id=effort.slug,
        rows=len(partners),
        added=result.added,
        updated=result.updated,
    )
    session.commit()
    result.written = True
    return result
