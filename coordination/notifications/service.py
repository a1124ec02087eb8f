"""In-app notifications and their e-mail, by each person's preference (immediately, daily digest, off)."""

import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import force_locale, ngettext
from sqlalchemy import func, insert, or_, update
from sqlmodel import Session, select

from coordination.db import one_of
from coordination.i18n import language_for, language_of
from coordination.notifications.enums import EmailPreference, EmailState
from coordination.notifications.mail import Mailer
from coordination.notifications.models import Notification, NotificationSettings
from coordination.structure import queries as structure

if TYPE_CHECKING:
    from coordination.structure.models import Person

log = logging.getLogger(__name__)

EMAIL_STATE_FOR = {
    EmailPreference.immediately: EmailState.pending,
    EmailPreference.daily_digest: EmailState.digest,
    EmailPreference.off: EmailState.none,
}


def settings_of(*, session: Session, person_id: int) -> NotificationSettings:
    settings = session.get(NotificationSettings, person_id)
    return settings or NotificationSettings(person_id=person_id)


def preferences(*, session: Session, person_ids: set[int]) -> dict[int, EmailPreference]:
    rows = session.exec(
        select(NotificationSettings).where(one_of(session, NotificationSettings.person_id, person_ids))
    )
    found = {row.person_id: EmailPreference(row.email) for row in rows}
    return {pid: found.get(pid, EmailPreference.immediately) for pid in person_ids}


def set_email_preference(*, session: Session, person: "Person", preference: str) -> NotificationSettings:
    settings = settings_of(session=session, person_id=person.id)
    settings.email = EmailPreference(preference)
    session.add(settings)
    session.commit()
    return settings


@dataclass(frozen=True, slots=True)
class Notice:
    """A notification just written (what `notify` returns: its id goes to `send_pending`)."""

    id: int
    person_id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    email_state: EmailState


def notify(
    *,
    session: Session,
    person_ids: set[int] | list[int],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    now: datetime,
    mail: bool = True,
    urgent: bool = False,
    commit: bool = True,
) -> list[Notice]:
    """One in-app notification per person; its e-mail state follows the person's preference
    (mail=False when the caller sends the e-mail itself, e.g. one reminder per unit). An urgent one (an
    alert) is e-mailed at once even to those who chose the daily digest; never to those who turned
    e-mail off. commit=False leaves it in the caller's transaction."""
    words = {pid: (title, body) for pid in person_ids}
    return _write(session, words, kind=kind, link=link, now=now, mail=mail, urgent=urgent, commit=commit)


_INSERT_NOTIFICATIONS = insert(Notification.__table__).returning(
    Notification.id, sort_by_parameter_order=True
)


def _write(
    session: Session,
    words: dict[int, tuple[str, str]],
    *,
    kind: str,
    link: str,
    now: datetime,
    mail: bool,
    urgent: bool,
    commit: bool,
) -> list[Notice]:
    """The notifications of `words` (person id -> title and body), in one statement."""
    if not words:
        return []
    prefs = preferences(session=session, person_ids=set(words)) if mail else {}
    if urgent:
        prefs = {
            pid: EmailPreference.immediately if pref is EmailPreference.daily_digest else pref
            for pid, pref in prefs.items()
        }
    rows = [
        {
            "person_id": pid,
            "kind": kind,
            "title": words[pid][0],
            "body": words[pid][1],
            "link": link,
            "created_at": now,
            "email_state": EMAIL_STATE_FOR[prefs[pid]] if mail else EmailState.none,
        }
        for pid in sorted(words)
    ]
    # One multi-row INSERT of plain rows: a decision that reaches 5,000 people must not cost 5,000 ORM
    # objects (building them took 0.3 s for 2,185 people).
    ids = session.execute(_INSERT_NOTIFICATIONS, rows).scalars()
    created = [Notice(id=notification_id, **row) for notification_id, row in zip(ids, rows, strict=True)]
    if commit:
        session.commit()
    return created


def notify_in_their_language(
    *,
    session: Session,
    person_ids: set[int] | list[int],
    kind: str,
    message: Callable[[], tuple[str, str]],
    link: str = "",
    now: datetime,
    mail: bool = True,
    urgent: bool = False,
    commit: bool = True,
) -> list[Notice]:
    """`notify`, with the title and body written by `message()` in each person's language (one call
    per language, under Flask-Babel's forced locale); one statement for all languages."""
    spoken = structure.languages_of(session=session, ids=set(person_ids))
    languages = {person_id: language_for(langs) for person_id, langs in spoken.items()}
    texts = {}
    for language in sorted(set(languages.values())):
        with force_locale(language):
            title, body = message()
        texts[language] = (title[:300], body)
    words = {person_id: texts[language] for person_id, language in languages.items()}
    return _write(session, words, kind=kind, link=link, now=now, mail=mail, urgent=urgent, commit=commit)


SENDING_CLAIM = timedelta(minutes=10)
"""How long a sender's claim on a notification's e-mail holds: a sender killed mid-send leaves the claim,
and the e-mail goes with a run after this long (late, never lost)."""


def send_pending(
    *, session: Session, mailer: Mailer, base_url: str, now: datetime, ids: list[int] | None = None
) -> int:
    """E-mail notifications waiting to go out at once; failures stay pending for the next run.

    Several senders may run at once (the minute's e-mail job, a job that sends what it just created, a
    second scheduler process): each e-mail is claimed by one conditional update before it is sent, so
    it goes out once."""
    if not mailer.enabled:
        return 0
    claimable = or_(
        Notification.email_state == EmailState.pending,
        (Notification.email_state == EmailState.sending) & (Notification.emailed_at < now - SENDING_CLAIM),
    )
    query = select(Notification).where(claimable)
    if ids is not None:
        query = query.where(one_of(session, Notification.id, ids))
    pending = session.exec(query).all()
    people = structure.people_by_id(session=session, ids={n.person_id for n in pending})
    session.commit()  # end the reads: no transaction (nor SQLite's write lock, in a job) stays open for SMTP
    sent = 0
    for notification in pending:
        if not _claim(session, notification, claimable=claimable, now=now):
            continue  # another sender has it
        person = people[notification.person_id]
        if not person.active:
            _withhold([notification])
            session.commit()
            continue
        try:
            mailer.send(
                to=[person.email],
                subject=f"[Coordination] {notification.title}",
                body=_text(notification, base_url),
            )
        except Exception as error:  # noqa: BLE001  an SMTP outage must not lose the notification
            log.warning("e-mail to %s failed, will retry: %s", person.email, error)
            notification.email_state, notification.emailed_at = EmailState.pending, None
            session.add(notification)
            session.commit()
            continue
        notification.email_state = EmailState.sent
        notification.emailed_at = now
        session.add(notification)
        session.commit()
        sent += 1
    return sent


def _claim(session: Session, notification: Notification, *, claimable, now: datetime) -> bool:
    """Take the notification's e-mail for this sender (committed), unless another sender took it first."""
    claimed = session.execute(
        update(Notification)
        .where(Notification.id == notification.id, claimable)
        .values(email_state=EmailState.sending, emailed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed:
        notification.email_state, notification.emailed_at = EmailState.sending, now
    return bool(claimed)


def send_digests(*, session: Session, mailer: Mailer, base_url: str, now: datetime) -> int:
    """One e-mail per person with everything collected for their daily digest."""
    if not mailer.enabled:
        return 0
    query = (
        select(Notification)
        .where(Notification.email_state == EmailState.digest)
        .order_by(Notification.created_at, Notification.id)
    )
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in session.exec(query).all():
        by_person[notification.person_id].append(notification)
    people = structure.people_by_id(session=session, ids=by_person)
    session.commit()  # end the reads: no transaction (nor SQLite's write lock, in a job) stays open for SMTP
    sent = 0
    for person_id, notifications in by_person.items():
        person = people[person_id]
        if not person.active:
            _withhold(notifications)
            session.commit()
            continue
        body = "\n\n".join(_text(n, base_url) for n in notifications)
        with force_locale(language_of(person)):
            count = len(notifications)
            subject = ngettext("Daily digest: %(num)d item", "Daily digest: %(num)d items", count)
        try:
            mailer.send(to=[person.email], subject=f"[Coordination] {subject}", body=body)
        except Exception as error:  # noqa: BLE001
            log.warning("digest to %s failed, will retry: %s", person.email, error)
            continue
        for notification in notifications:
            notification.email_state = EmailState.sent
            notification.emailed_at = now
        settings = settings_of(session=session, person_id=person_id)
        settings.last_digest_at = now
        session.add_all([*notifications, settings])
        session.commit()
        sent += 1
    return sent


def _withhold(notifications: list[Notification]) -> None:
    """A deactivated person's mailbox receives nothing more from the structure."""
    for notification in notifications:
        notification.email_state = EmailState.none


def _text(notification: Notification, base_url: str) -> str:
    link = f"\n{base_url.rstrip('/')}{notification.link}" if notification.link else ""
    return f"{notification.title}\n{notification.body}{link}".strip()


def unread(*, session: Session, person: "Person", limit: int = 100) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.person_id == person.id)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
        .limit(limit)
    )
    return list(session.exec(query))


def unread_count(*, session: Session, person: "Person") -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
    ).one()


def mark_all_read(*, session: Session, person: "Person", now: datetime) -> None:
    for notification in session.exec(
        select(Notification).where(Notification.person_id == person.id, Notification.read_at.is_(None))
    ):
        notification.read_at = now
        session.add(notification)
    session.commit()


# --- personal feed token ----------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(*, session: Session, person: "Person") -> str:
    """A new personal token for the Atom and iCalendar feeds; the old one stops working."""
    token = secrets.token_urlsafe(24)
    settings = settings_of(session=session, person_id=person.id)
    settings.feed_token_hash = _digest(token)
    session.add(settings)
    session.commit()
    return token


def revoke_feed_token(*, session: Session, person: "Person") -> None:
    """The person's feed links stop working ("sign out everywhere"); they can make new ones (the caller
    commits)."""
    settings = session.get(NotificationSettings, person.id)
    if settings is not None and settings.feed_token_hash is not None:
        settings.feed_token_hash = None
        session.add(settings)


def person_for_feed_token(*, session: Session, token: str, production: bool = False) -> "Person | None":
    """The active person whose feed token this is; in production never a demo account (a token made
    before the switch to production stops working, as the demo account's password does)."""
    settings = session.exec(
        select(NotificationSettings).where(NotificationSettings.feed_token_hash == _digest(token))
    ).first()
    if settings is None:
        return None
    person = structure.people_by_id(session=session, ids=[settings.person_id]).get(settings.person_id)
    if person is None or not person.active or (production and person.is_demo):
        return None
    return person
