"""The audit log as a hash chain: each event carries the hash of the one before it, so that an event edited
or deleted with raw SQL shows (`coordination audit verify`).

Every writer chains, whatever its session (a request, the scheduler, `write_soon`, the CLI): the events a
transaction wrote get their place in the chain when it commits, under a lock that serialises the chain's
writers (on PostgreSQL a transaction-level advisory lock, taken after the transaction's last write so
that it cannot deadlock with row locks; on SQLite the write lock). The unique `seq` refuses a fork
should the lock ever be missing.
An attacker who can write the database can still rewrite the whole chain after an event: write down the
head that verify prints somewhere else to catch that."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, attributes

from coordination.audit.models import AuditEvent

GENESIS = "0" * 64  # the prev_hash of the first event
CHAIN_LOCK = 4_207_713_020  # pg_advisory_xact_lock key of the chain's writers
_FLUSHED = "coordination.audit.flushed_unchained"
_HEAD = "coordination.audit.chain_head"


def event_hash(
    *,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: Any,
) -> str:
    """SHA-256 over the canonical form of an event's content and the hash before it: sorted-key JSON,
    the time in UTC to the microsecond, the detail as the database gives it back."""
    content = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hash_of(audit_event: AuditEvent, prev_hash: str) -> str:
    return event_hash(
        prev_hash=prev_hash,
        at=audit_event.at,
        actor_id=audit_event.actor_id,
        action=audit_event.action,
        object_type=audit_event.object_type,
        object_id=str(audit_event.object_id),
        # as stored: a tuple comes back a list, an integer key a string
        detail=json.loads(json.dumps(audit_event.detail)),
    )


# --- chaining every writer's events -------------------------------------------------------------------


_LOCK = f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"
_HEAD_ROW = "SELECT seq, hash FROM auditevent WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"  # its index


def _locked_head(connection: Connection) -> list:
    """[seq, hash] of the last event in the chain, read under the chain's lock (plain SQL: this runs in
    every transaction that writes events)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_LOCK)
    row = connection.exec_driver_sql(_HEAD_ROW).first()
    return [row[0], row[1]] if row else [0, GENESIS]


def _chain_head(session: Session) -> list:
    """The chain's head, read once per transaction."""
    head = session.info.get(_HEAD)
    if head is None:
        head = session.info[_HEAD] = _locked_head(session.connection())
    return head


def link_rows(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain audit event rows that a bulk load inserts with Core (around the ORM, hence its hooks), in
    the transaction that inserts them."""
    return _chain_rows(_locked_head(connection), rows)


def link_rows_of(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain audit event rows that a session's transaction inserts with Core, after the events it has
    chained already; the session keeps the head, so the events it chains at commit come after them. Call
    it after the transaction's other writes, and with no ORM event flushed but not chained yet (those
    would be chained after these): on PostgreSQL it takes the chain's lock."""
    return _chain_rows(_chain_head(session), rows)


def _chain_rows(head: list, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        seq, prev_hash = head[0] + 1, head[1]
        digest = event_hash(
            prev_hash=prev_hash,
            at=row["at"],
            actor_id=row.get("actor_id"),
            action=row["action"],
            object_type=row["object_type"],
            object_id=str(row["object_id"]),
            detail=json.loads(json.dumps(row.get("detail", {}))),
        )
        row.update(seq=seq, prev_hash=prev_hash, hash=digest)
        head[:] = [seq, digest]
    return rows


def _link(session: Session, events: list[AuditEvent], *, flushed: bool) -> None:
    head = _chain_head(session)
    for audit_event in events:
        seq, prev_hash = head[0] + 1, head[1]
        digest = _hash_of(audit_event, prev_hash)
        if flushed:
            for name, value in (("seq", seq), ("prev_hash", prev_hash), ("hash", digest)):
                attributes.set_committed_value(audit_event, name, value)
        else:
            audit_event.seq, audit_event.prev_hash, audit_event.hash = seq, prev_hash, digest
        head[:] = [seq, digest]
    if flushed:
        table = AuditEvent.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("event_id"))
            .values(seq=bindparam("new_seq"), prev_hash=bindparam("new_prev"), hash=bindparam("new_hash")),
            [
                {"event_id": e.id, "new_seq": e.seq, "new_prev": e.prev_hash, "new_hash": e.hash}
                for e in events
            ],
        )


def _pending(objects) -> list[AuditEvent]:
    found = [obj for obj in objects if isinstance(obj, AuditEvent) and obj.seq is None]
    return sorted(found, key=lambda obj: inspect(obj).insert_order or 0)


@event.listens_for(Session, "before_flush")
def _refuse_edits(session: Session, _context, _instances) -> None:
    """An event is never changed or removed through the ORM; events flushed while the transaction commits
    (after the chain was linked) are linked at once."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly(f"audit event {obj.id} cannot be changed or deleted")
    if _HEAD in session.info and (late := _pending(session.new)):
        _link(session, late, flushed=False)


@event.listens_for(Session, "after_flush")
def _remember_unchained(session: Session, _context) -> None:
    if flushed := _pending(session.new):
        session.info.setdefault(_FLUSHED, []).extend(flushed)


@event.listens_for(Session, "before_commit")
def _link_on_commit(session: Session) -> None:
    """Give the events of the committing transaction their place in the chain: those flushed already
    (updated in one statement), then those about to be (set before their INSERT).

    On PostgreSQL everything is flushed first, so that the chain's lock comes after every row lock the
    transaction takes: a transaction holding the chain never waits for a row another one holds while
    waiting for the chain."""
    if session.in_nested_transaction():
        return
    pending = _pending(session.new)
    if not pending and not session.info.get(_FLUSHED):
        return
    if session.connection().dialect.name == "postgresql":
        session.flush()
        pending = _pending(session.new)
    flushed = [e for e in session.info.pop(_FLUSHED, []) if inspect(e).persistent and e.seq is None]
    if flushed:
        _link(session, sorted(flushed, key=lambda e: e.id), flushed=True)
    if pending:
        _link(session, pending, flushed=False)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    session.info.pop(_HEAD, None)  # a savepoint rolled back may have taken events with it: read it again
    if transaction.parent is None:
        session.info.pop(_FLUSHED, None)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised on an attempt to change or delete an audit event through the ORM."""


# --- verifying ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    event_id: int
    at: datetime
    kind: str  # edited, missing (events deleted before it), relinked (prev_hash changed), unchained
    message: str

    def __str__(self) -> str:
        return f"event {self.event_id} at {self.at.astimezone(UTC).isoformat()}: {self.message}"


@dataclass
class Verification:
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: int = 0
    unchained: int = 0


BATCH = 1000


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.detail,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def verify(session: Session, verification: Verification | None = None) -> Iterator[Problem]:
    """Walk the chain in order, yielding each problem: an event whose hash does not match its content
    (edited), whose prev_hash is not the hash of the event before it or whose seq does not follow
    (deleted or inserted before it), or that has no place in the chain (written around the ORM). Streams
    the log (constant memory); `verification` receives the counts and the head."""
    verification = verification if verification is not None else Verification()
    connection = session.connection()
    chained = select(*_COLUMNS).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq)
    rows = connection.execute(chained.execution_options(yield_per=BATCH))
    yield from _walk(rows, last_seq=0, last_hash=GENESIS, verification=verification)
    unchained = select(AuditEvent.id, AuditEvent.at).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)
    for row in connection.execute(unchained.execution_options(yield_per=BATCH)):
        verification.events += 1
        verification.problems += 1
        verification.unchained += 1
        yield Problem(row.id, row.at, "unchained", "not in the chain (written around the application)")


def check_head(session: Session, *, seq: int, hash_: str) -> str | None:
    """What is wrong, if anything, with a head written down earlier (`seq`, `hash_`): the event is gone
    (the end of the log deleted) or its hash changed (the chain rewritten from there on)."""
    row = (
        session.connection()
        .execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.seq == seq))
        .first()
    )
    if row is None:
        return f"the recorded head, seq {seq}, is missing: events at the end of the log were deleted"
    if row.hash != hash_:
        return (
            f"event {row.id}, the recorded head (seq {seq}), no longer has the hash recorded: chain rewritten"
        )
    return None


def verify_latest(session: Session, count: int) -> tuple[Verification, list[Problem]]:
    """Check the latest `count` events of the chain and count those outside it: two indexed reads, for
    a page (only `verify` vouches for the whole log)."""
    verification = Verification()
    latest = select(*_COLUMNS).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq.desc()).limit(count)
    rows = list(reversed(session.connection().execute(latest).all()))
    start = (rows[0].seq - 1, rows[0].prev_hash) if rows else (0, GENESIS)
    problems = list(_walk(rows, last_seq=start[0], last_hash=start[1], verification=verification))
    unchained = session.connection().execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))
    )
    verification.unchained = unchained.scalar_one()
    verification.problems += verification.unchained
    return verification, problems


def _walk(rows, *, last_seq: int, last_hash: str, verification: Verification) -> Iterator[Problem]:
    for row in rows:
        verification.events += 1
        if row.seq != last_seq + 1 or row.prev_hash != last_hash:
            verification.problems += 1
            if row.seq > last_seq + 1:
                gap = f"seq {last_seq + 1}" + (f" to {row.seq - 1}" if row.seq - 1 > last_seq + 1 else "")
                what = f"the event(s) before it are missing ({gap}): deleted"
            else:
                what = (
                    "its prev_hash is not the hash of the event before it: an event was deleted or inserted"
                )
            yield Problem(row.id, row.at, "missing" if row.seq > last_seq + 1 else "relinked", what)
        expected = event_hash(
            prev_hash=row.prev_hash or "",
            at=row.at,
            actor_id=row.actor_id,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            detail=row.detail,
        )
        if expected != row.hash:
            verification.problems += 1
            yield Problem(row.id, row.at, "edited", "edited: its hash does not match its content")
        last_seq, last_hash = row.seq, row.hash
    verification.head_seq, verification.head_hash = last_seq, last_hash
