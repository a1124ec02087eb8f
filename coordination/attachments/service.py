"""Commands on attachments: add a checked file to an item (idempotent by key), remove one. The file goes
to the store first and the row is committed after; a failed commit takes the file back out."""

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from coordination.attachments import queries
from coordination.attachments.content import Checked, FileRefused, check, safe_file_name
from coordination.attachments.models import Attachment
from coordination.attachments.queries import Owner
from coordination.attachments.storage import Store
from coordination.audit import service as audit
from coordination.rules import Conflict, Forbidden, RuleViolation
from coordination.types import utcnow

if TYPE_CHECKING:
    from coordination.structure.models import Person

__all__ = ["Checked", "FileRefused", "check"]


class NotAllowed(Forbidden):
    """The person may not add files to this item, or remove this file."""


class IdempotencyConflict(Conflict):
    """The Idempotency-Key was used before for another file."""


@dataclass
class Added:
    attachment: Attachment
    created: bool


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_per_owner: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(max_bytes=config["ATTACHMENT_MAX_BYTES"], max_per_owner=config["ATTACHMENT_MAX_PER_OWNER"])


def fingerprint(owner: Owner, data: bytes, file_name: str, keep_location: bool) -> str:
    digest = hashlib.sha256(data)
    digest.update(f"\x00{owner.kind}:{owner.id}\x00{file_name}\x00{int(keep_location)}".encode())
    return digest.hexdigest()


def upload(
    *,
    session: Session,
    person: "Person",
    owner: Owner,
    file_name: str,
    data: bytes,
    keep_location: bool,
    store: Store,
    limits: Limits,
    idempotency_key: str | None = None,
) -> Added:
    """Check a file and add it to the item; a repeated Idempotency-Key with the same file returns the
    attachment of the first time and stores nothing, with another file it is refused."""
    request_fingerprint = fingerprint(owner, data, file_name, keep_location)
    if idempotency_key:
        replay = _replay(session, person, idempotency_key, request_fingerprint)
        if replay:
            return replay
    if not owner.may_add:
        raise NotAllowed(_("You may not add files to this item."))
    checked = check(data, file_name, max_bytes=limits.max_bytes, keep_location=keep_location)
    return attach(
        session=session,
        person=person,
        owner=owner,
        file_name=file_name,
        checked=checked,
        store=store,
        limits=limits,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint if idempotency_key else None,
    )


def check_uploads(files, *, keep_location: bool, limits: Limits) -> list[tuple[str, Checked]]:
    """Check the files of a form (werkzeug FileStorage) before what they belong to is stored; the first
    refused one refuses them all, named in the message."""
    files = [f for f in files if f and f.filename]
    if len(files) > limits.max_per_owner:
        raise FileRefused(_("At most %(count)s files may be attached.", count=limits.max_per_owner), 422)
    checked = []
    for file in files:
        try:
            found = check(
                file.read(limits.max_bytes + 1),
                file.filename,
                max_bytes=limits.max_bytes,
                keep_location=keep_location,
            )
        except FileRefused as refused:
            raise FileRefused(f"{file.filename}: {refused}", refused.status) from None
        checked.append((file.filename, found))
    return checked


def attach(
    *,
    session: Session,
    person: "Person",
    owner: Owner,
    file_name: str,
    checked: Checked,
    store: Store,
    limits: Limits,
    idempotency_key: str | None = None,
    request_fingerprint: str | None = None,
) -> Added:
    """Store a file already checked (the report form checks its files before it posts the report)."""
    if queries.count_of(session=session, owner=owner) >= limits.max_per_owner:
        raise RuleViolation(_("At most %(count)s files may be attached.", count=limits.max_per_owner), "file")
    keys = [store.put(checked.data)]
    if checked.thumbnail:
        keys.append(store.put(checked.thumbnail))
    attachment = Attachment(
        owner_kind=owner.kind,
        owner_id=owner.id,
        file_name=safe_file_name(file_name, checked.media_type),
        media_type=checked.media_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        storage_key=keys[0],
        thumbnail_key=keys[1] if checked.thumbnail else None,
        location_kept=checked.location_kept,
        uploaded_by=person.id,
        created_at=utcnow(),
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )
    try:
        session.add(attachment)
        session.flush()
        audit.record(
            session,
            actor_id=person.id,
            action="attachment.add",
            object_type=owner.kind,
            object_id=owner.id,
            attachment=attachment.id,
            media_type=attachment.media_type,
            size=attachment.size,
            sha256=attachment.sha256,
            location_kept=attachment.location_kept,
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        _forget(store, keys)
        replay = _replay(session, person, idempotency_key, request_fingerprint) if idempotency_key else None
        if replay:
            return replay
        raise
    except BaseException:
        session.rollback()
        _forget(store, keys)
        raise
    return Added(attachment=attachment, created=True)


def remove(*, session: Session, person: "Person", owner: Owner, attachment: Attachment, store: Store) -> None:
    """Take a file off an item: the person who added it, or the item's author, may."""
    if person.id not in (attachment.uploaded_by, owner.author_id) or not owner.may_add:
        raise NotAllowed(_("Only the person who added this file or the item's author may remove it."))
    audit.record(
        session,
        actor_id=person.id,
        action="attachment.remove",
        object_type=owner.kind,
        object_id=owner.id,
        attachment=attachment.id,
        file_name=attachment.file_name,
        sha256=attachment.sha256,
    )
    keys = [attachment.storage_key, attachment.thumbnail_key]
    session.delete(attachment)
    session.commit()
    _forget(store, [key for key in keys if key])


def _forget(store: Store, keys: list[str]) -> None:
    for key in keys:
        store.delete(key)


def _replay(session: Session, person: "Person", key: str, request_fingerprint: str) -> Added | None:
    existing = queries.own_attachment_by_key(session=session, person_id=person.id, key=key)
    if existing is None:
        return None
    if existing.request_fingerprint != request_fingerprint:
        raise IdempotencyConflict("this Idempotency-Key was already used for another file", "Idempotency-Key")
    return Added(attachment=existing, created=False)
