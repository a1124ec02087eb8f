"""Ranked full-text search, filtered by need-to-know before ranking and paging.

Each kind of record is matched only among the ids its own visibility query yields (the same queries the
lists and pages use), so a hidden record never shows up, not even as a count or a snippet.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from sqlalchemy import bindparam, column, func, literal_column, select, table, text, tuple_, union_all
from sqlmodel import Session

from coordination.classification import NeedToKnow
from coordination.search.index import BY_CODE, KINDS

if TYPE_CHECKING:
    from coordination.structure.models import Person

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


# Ranking looks at the most recent matches only: a common word matches hundreds of thousands of
# records, and ranking (and checking need-to-know for) all of them would cost seconds. Rare words are
# ranked over all their matches; common ones get the best of the newest CANDIDATES. Not fewer: at 1M
# reports, a limit of 1,000 made PostgreSQL's planner walk the newest-first index for a rare word too,
# through every document (1.8 s instead of 12 ms).
CANDIDATES = 2000


def _visible_among(session: Session, kind: str, ids: list[int], person: "Person", policy) -> set[int]:
    """Which of these candidate ids of one kind the person may see, by that kind's own need-to-know
    query (one query per kind, probing the candidates by primary key)."""
    return KINDS[kind].visible_ids(session, person, policy, ids)


def search(
    *,
    session: Session,
    viewer: "Person",
    policy: NeedToKnow,
    query: str,
    kinds: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """The best-ranked records matching every word of the query that this viewer may see."""
    terms = terms_of(query)
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    if not terms or not kinds:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    codes = [KINDS[k].code for k in kinds]
    prefix = False
    ranked = _ranked(session, sqlite, terms, codes, viewer, policy, prefix=False)
    if sqlite and len(ranked) < offset + limit:
        # Too few whole-word matches: try the words as prefixes too (a Dutch plural for its singular).
        # Prefixes are costly on common words, which is why they come second.
        prefix = True
        seen = set(ranked)
        ranked += [
            row
            for row in _ranked(session, sqlite, terms, codes, viewer, policy, prefix=True)
            if row not in seen
        ]
    found = ranked[offset : offset + limit]
    if not found:
        return []
    snippets = _snippets(session, sqlite, terms, found, prefix)
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


def _ranked(session, sqlite: bool, terms, codes, person, policy, *, prefix: bool) -> list[tuple[int, int]]:
    """(kind, id) of the visible matches among the newest CANDIDATES, best first."""
    if sqlite:
        star = "*" if prefix else ""
        match = " AND ".join(f'"{t}"{star}' for t in terms)
        candidates = (
            select(
                fts.c.kind, fts.c.item_id, literal_column("bm25(search_index, 0, 0, 4.0, 1.0)").label("score")
            )
            .where(text("search_index MATCH :match").bindparams(match=match), fts.c.kind.in_(codes))
            .order_by(fts.c.rowid.desc())
            .limit(CANDIDATES)
        )
    else:
        # The newest matches first, then their rank: ranking every match of a common word costs more
        # than finding them.
        tsquery = func.coordination_query(" ".join(terms))
        newest = (
            select(pg_index.c.kind, pg_index.c.item_id, pg_index.c.document)
            .where(pg_index.c.document.op("@@")(tsquery), pg_index.c.kind.in_(codes))
            .order_by(pg_index.c.item_id.desc())
            .limit(CANDIDATES)
            .subquery()
        )
        candidates = select(
            newest.c.kind, newest.c.item_id, (-func.ts_rank_cd(newest.c.document, tsquery)).label("score")
        )
    rows = session.execute(candidates).all()
    by_kind: dict[int, list[int]] = {}
    for kind_code, item_id, _score in rows:
        by_kind.setdefault(kind_code, []).append(item_id)
    visible = {
        code: _visible_among(session, BY_CODE[code].name, ids, person, policy)
        for code, ids in by_kind.items()
    }
    ranked = sorted((row for row in rows if row[1] in visible[row[0]]), key=lambda row: (row[2], -row[1]))
    return [(kind_code, item_id) for kind_code, item_id, _score in ranked]


def _highlight(raw: str) -> Markup:
    escaped = str(escape(raw or ""))
    return Markup(escaped.replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>"))


def _snippets(
    session: Session, sqlite: bool, terms: list[str], found: list[tuple[int, int]], prefix: bool = False
) -> dict:
    """Snippets for the page of hits only (computing them is the costly part of a search)."""
    if sqlite:
        # One probe per hit: FTS5 seeks to a single rowid, but scans every match for a rowid IN list. The
        # probes go as one statement (UNION ALL), not one round trip each.
        match = " OR ".join(f'"{t}"' + ("*" if prefix else "") for t in terms)
        probes = [
            select(
                fts.c.kind,
                fts.c.item_id,
                literal_column("snippet(search_index, 3, char(2), char(3), ' … ', 24)"),
            ).where(
                text(f"search_index MATCH :match_{n}").bindparams(**{f"match_{n}": match}),
                fts.c.rowid == bindparam(f"rowid_{n}", item_id * 8 + kind),
            )
            for n, (kind, item_id) in enumerate(found)
        ]
        rows = session.execute(union_all(*probes)).all() if probes else []
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
    return {
        (kind, item_id): detail
        for kind, kind_ids in ids.items()
        for item_id, detail in KINDS[kind].details(session, kind_ids).items()
    }
