"""The search index: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL.

Rows follow the indexed records automatically: a session listener re-indexes whatever a flush
inserted, changed or deleted, so no service has to remember to do it. `rebuild` fills the index from
the tables (after a migration, or after a bulk load that bypassed the ORM)."""

from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from coordination.db import follows_inserts
from coordination.decisions import queries as decisions
from coordination.lessons import queries as lessons
from coordination.meetings import queries as meetings
from coordination.reports import queries as reports
from coordination.search.kinds import Searchable
from coordination.sitreps import queries as sitreps

# Stemming in the three working languages, plus the unstemmed words, so that Dutch, French and English
# text are all found whatever the language of the query.
PG_LANGUAGES = ("simple", "english", "dutch", "french")

KINDS: dict[str, Searchable] = {
    kind.name: kind
    for kind in (
        reports.SEARCHABLE,
        decisions.SEARCHABLE,
        meetings.SEARCHABLE,
        sitreps.SEARCHABLE,
        lessons.SEARCHABLE,
    )
}
BY_CODE = {kind.code: kind for kind in KINDS.values()}
BY_MODEL = {kind.model: kind for kind in KINDS.values()}


def _rowid(kind: Searchable, item_id: int) -> int:
    return item_id * 8 + kind.code


# --- schema -----------------------------------------------------------------------------------------


def create_schema(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
            "kind UNINDEXED, item_id UNINDEXED, title, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        return
    vectors = " || ".join(f"to_tsvector('{lang}', coalesce($1, ''))" for lang in PG_LANGUAGES)
    body_vectors = vectors.replace("$1", "$2")
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION coordination_document(text, text) RETURNS tsvector "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT setweight({vectors}, 'A') || {body_vectors} $$"
    )
    queries = " || ".join(f"websearch_to_tsquery('{lang}', $1)" for lang in PG_LANGUAGES)
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION coordination_query(text) RETURNS tsquery "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {queries} $$"
    )
    connection.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS search_index ("
        "kind smallint NOT NULL, item_id integer NOT NULL, title text NOT NULL, body text NOT NULL, "
        "document tsvector NOT NULL, PRIMARY KEY (kind, item_id))"
    )
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_index_document ON search_index USING gin (document)"
    )
    create_recency_index(connection)


def create_recency_index(connection: Connection) -> None:
    """Newest first on PostgreSQL: for a common word, walking this index backwards and testing each
    document finds the newest matches sooner than collecting every match from the GIN index."""
    connection.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_search_index_item_id ON search_index (item_id)")


def drop_schema(connection: Connection) -> None:
    connection.exec_driver_sql("DROP TABLE IF EXISTS search_index")
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS coordination_document(text, text)")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS coordination_query(text)")


# --- writing ----------------------------------------------------------------------------------------


# built once (every post writes its report's entry)
_REMOVE_SQLITE = text("DELETE FROM search_index WHERE rowid = :rowid")
_REMOVE = text("DELETE FROM search_index WHERE kind = :kind AND item_id = :item_id")
_PUT_SQLITE = text(
    "INSERT INTO search_index (rowid, kind, item_id, title, body) "
    "VALUES (:rowid, :kind, :item_id, :title, :body)"
)
_PUT = text(
    "INSERT INTO search_index (kind, item_id, title, body, document) "
    "VALUES (:kind, :item_id, :title, :body, coordination_document(:title, :body)) "
    "ON CONFLICT (kind, item_id) DO UPDATE SET title = excluded.title, body = excluded.body, "
    "document = excluded.document"
)


def remove(connection: Connection, kind: Searchable, item_ids: list[int]) -> None:
    if not item_ids:
        return
    if connection.dialect.name == "sqlite":
        connection.execute(
            _REMOVE_SQLITE,
            [{"rowid": _rowid(kind, i)} for i in item_ids],
        )
    else:
        connection.execute(
            _REMOVE,
            [{"kind": kind.code, "item_id": i} for i in item_ids],
        )


def put(
    connection: Connection, kind: Searchable, rows: list[tuple[int, str, str]], new: bool = False
) -> None:
    """Index (item_id, title, body) rows of one kind, replacing what was there (nothing, if `new`)."""
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        if not new:
            remove(connection, kind, [row[0] for row in rows])
        connection.execute(
            _PUT_SQLITE,
            [
                {"rowid": _rowid(kind, i), "kind": kind.code, "item_id": i, "title": t or "", "body": b or ""}
                for i, t, b in rows
            ],
        )
    else:
        connection.execute(
            _PUT,
            [{"kind": kind.code, "item_id": i, "title": t or "", "body": b or ""} for i, t, b in rows],
        )


def rebuild(connection: Connection, kinds: list[str] | None = None, batch: int = 5000) -> int:
    """Index every record of the given kinds again from its table; returns how many were indexed."""
    total = 0
    for kind in (KINDS[k] for k in (kinds or KINDS)):
        connection.execute(text("DELETE FROM search_index WHERE kind = :kind"), {"kind": kind.code})
        columns = [kind.model.id] + [getattr(kind.model, name) for name in kind.columns]
        result = connection.execute(select(*columns).order_by(kind.model.id))
        while rows := result.fetchmany(batch):
            indexed = [(row.id, kind.title(row), kind.body(row) or "") for row in rows]
            put(connection, kind, [row for row in indexed if row[1] is not None], new=True)
            total += len(rows)
    return total


# --- following the ORM ------------------------------------------------------------------------------


def _changed(obj, names: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _follow_flush(session: Session, _context) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)]
    _follow(session, list(session.new), changed, list(session.deleted))


@follows_inserts
def _follow_inserts(session: Session, records: list) -> None:
    _follow(session, records, [], [])


def _follow(session: Session, new: list, changed: list, deleted: list) -> None:
    puts: dict[Searchable, list[tuple[int, str, str]]] = {}
    removals: dict[Searchable, list[int]] = {}
    written = [(obj, False) for obj in new] + [(obj, True) for obj in changed]
    for obj, was_there in written:
        kind = BY_MODEL.get(type(obj))
        if kind is None or (was_there and not _changed(obj, kind.columns)):
            continue
        title = kind.title(obj)
        if title is None:
            removals.setdefault(kind, []).append(obj.id)
        else:
            puts.setdefault(kind, []).append((obj.id, title, kind.body(obj) or ""))
    for obj in deleted:
        kind = BY_MODEL.get(type(obj))
        if kind is not None:
            removals.setdefault(kind, []).append(obj.id)
    if not puts and not removals:
        return
    connection = session.connection()
    for kind, ids in removals.items():
        remove(connection, kind, ids)
    for kind, rows in puts.items():
        # Replace even for new records: a row deleted around the ORM can leave its entry behind, and
        # SQLite may give its id to the next record.
        put(connection, kind, rows)
