"""Ranked full-text search, filtered by need-to-know before ranking and paging.

Each kind of record is matched only among the ids its own visibility query yields (the same queries the
lists and pages use), so a hidden record never shows up, not even as a count or a snippet.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import and_, column, func, literal_column, or_, select, table, text, tuple_
from sqlmodel import Session

from coordination.decisions import service as decisions
from coordination.decisions.models import Decision
from coordination.lessons import service as lessons
from coordination.lessons.models import Lesson
from coordination.meetings import service as meetings
from coordination.meetings.models import Meeting
from coordination.reports import service as reports
from coordination.reports.models import FieldReport
from coordination.search.index import BY_CODE, KINDS
from coordination.sitreps import service as sitreps
from coordination.sitreps.models import SituationReport
from coordination.structure.models import Body, Person

MAX_TERMS = 12
SNIPPET_START, SNIPPET_END = "\x02", "\x03"

fts = table(
    "search_index", column("rowid"), column("kind"), column("item_id"), column("title"), column("body")
)
pg_index = table("search_index", column("kind"), column("item_id"), column("body"), column("document"))


@dataclass(frozen=True)
class Hit:
    kind: str
    item_id: int
    title: str
    snippet: Markup
    when: datetime | None
    link: str
    detail: str = ""

    @property
    def snippet_text(self) -> str:
        return re.sub(r"</?mark>", "", str(self.snippet))


def terms_of(query: str) -> list[str]:
    """The words of a query: letters and digits in any script, lower-cased, without operators."""
    return [t for t in re.findall(r"\w+", (query or "").lower()) if len(t) <= 60][:MAX_TERMS]


def _visible_ids(person: Person, policy: reports.NeedToKnow) -> dict[str, object]:
    return {
        "report": reports.visible_reports(person=person, policy=policy).with_only_columns(FieldReport.id),
        "decision": decisions.visible_decisions(person=person).with_only_columns(Decision.id),
        "minutes": meetings.visible_meetings(person=person).with_only_columns(Meeting.id),
        "sitrep": sitreps.visible_sitreps(person=person).with_only_columns(SituationReport.id),
        "lesson": lessons.visible_lessons(person=person).with_only_columns(Lesson.id),
    }


def search(
    *,
    session: Session,
    person: Person,
    policy: reports.NeedToKnow,
    query: str,
    kinds: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """The best-ranked records matching every word of the query that this person may see."""
    terms = terms_of(query)
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    if not terms or not kinds:
        return []
    visible = _visible_ids(person, policy)
    sqlite = session.get_bind().dialect.name == "sqlite"
    index = fts if sqlite else pg_index
    allowed = or_(*(and_(index.c.kind == KINDS[k].code, index.c.item_id.in_(visible[k])) for k in kinds))
    if sqlite:
        match = " AND ".join(f'"{t}"*' for t in terms)
        ranked = (
            select(index.c.kind, index.c.item_id)
            .where(text("search_index MATCH :match").bindparams(match=match), allowed)
            .order_by(literal_column("bm25(search_index, 0, 0, 4.0, 1.0)"))
        )
    else:
        tsquery = func.coordination_query(" ".join(terms))
        ranked = (
            select(index.c.kind, index.c.item_id)
            .where(index.c.document.op("@@")(tsquery), allowed)
            .order_by(func.ts_rank_cd(index.c.document, tsquery).desc())
        )
    found = [(kind, item_id) for kind, item_id in session.execute(ranked.limit(limit).offset(offset))]
    if not found:
        return []
    snippets = _snippets(session, sqlite, terms, found)
    details = _details(session, found)
    hits = []
    for kind_code, item_id in found:
        kind = BY_CODE[kind_code].name
        if (kind, item_id) in details:
            title, when, link, detail = details[kind, item_id]
            hits.append(
                Hit(kind, item_id, title, snippets.get((kind_code, item_id), Markup("")), when, link, detail)
            )
    return hits


def _highlight(raw: str) -> Markup:
    escaped = str(escape(raw or ""))
    return Markup(escaped.replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>"))


def _snippets(session: Session, sqlite: bool, terms: list[str], found: list[tuple[int, int]]) -> dict:
    """Snippets for the page of hits only (computing them is the costly part of a search)."""
    if sqlite:
        rowids = [item_id * 8 + kind for kind, item_id in found]
        rows = session.execute(
            select(
                fts.c.kind,
                fts.c.item_id,
                literal_column("snippet(search_index, 3, char(2), char(3), ' … ', 24)"),
            ).where(
                text("search_index MATCH :match").bindparams(match=" OR ".join(f'"{t}"*' for t in terms)),
                fts.c.rowid.in_(rowids),
            )
        )
    else:
        tsquery = func.coordination_query(" ".join(terms))
        rows = session.execute(
            select(
                pg_index.c.kind,
                pg_index.c.item_id,
                func.ts_headline(
                    literal_column("'simple'::regconfig"),
                    pg_index.c.body,
                    tsquery,
                    f"StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords=30, MinWords=12",
                ),
            ).where(tuple_(pg_index.c.kind, pg_index.c.item_id).in_(found))
        )
    return {(kind, item_id): _highlight(snippet) for kind, item_id, snippet in rows}


def _details(session: Session, found: list[tuple[int, int]]) -> dict:
    """Title, date, link and a short description of each hit, one query per kind."""
    ids: dict[str, list[int]] = {}
    for kind_code, item_id in found:
        ids.setdefault(BY_CODE[kind_code].name, []).append(item_id)
    details = {}
    if ids.get("report"):
        for r in session.execute(
            select(
                FieldReport.id,
                FieldReport.title,
                FieldReport.created_at,
                FieldReport.country_code,
                FieldReport.classification,
            ).where(FieldReport.id.in_(ids["report"]))
        ):
            details["report", r.id] = (
                r.title,
                r.created_at,
                f"/reports/{r.id}",
                f"{r.country_code} · {r.classification}",
            )
    if ids.get("decision"):
        for d in session.execute(
            select(Decision.id, Decision.title, Decision.created_at, Decision.status, Body.name)
            .join(Body, Body.id == Decision.issuing_body_id)
            .where(Decision.id.in_(ids["decision"]))
        ):
            details["decision", d.id] = (
                d.title,
                d.created_at,
                f"/decisions/{d.id}",
                f"{d.name} · {d.status}",
            )
    if ids.get("minutes"):
        for m in session.execute(
            select(Meeting.id, Meeting.title, Meeting.starts_at, Body.name)
            .join(Body, Body.id == Meeting.body_id)
            .where(Meeting.id.in_(ids["minutes"]))
        ):
            details["minutes", m.id] = (m.title, m.starts_at, f"/meetings/{m.id}", m.name)
    if ids.get("sitrep"):
        for s in session.execute(
            select(
                SituationReport.id,
                SituationReport.period_start,
                SituationReport.period_end,
                SituationReport.created_at,
                Body.name,
            )
            .join(Body, Body.id == SituationReport.task_force_id)
            .where(SituationReport.id.in_(ids["sitrep"]))
        ):
            details["sitrep", s.id] = (
                f"{s.name}: {s.period_start} – {s.period_end}",
                s.created_at,
                f"/situation-reports/{s.id}",
                s.name,
            )
    if ids.get("lesson"):
        for le in session.execute(
            select(Lesson.id, Lesson.title, Lesson.submitted_at, Lesson.stage, Lesson.effort).where(
                Lesson.id.in_(ids["lesson"])
            )
        ):
            details["lesson", le.id] = (
                le.title,
                le.submitted_at,
                f"/lessons/{le.id}",
                " · ".join(p for p in (le.effort, le.stage) if p),
            )
    return details
