"""Passwords (argon2), sign-in rules and API tokens."""

import functools
import hashlib
import math
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, or_, select, update

from coordination import db
from coordination.audit import service as audit
from coordination.auth.models import ApiToken, SignedInSession, SignInFailure
from coordination.auth.throttle import SignInLimits, locked_until
from coordination.i18n import local_time
from coordination.rules import Forbidden, RuleViolation
from coordination.structure import queries as structure
from coordination.types import utcnow

if TYPE_CHECKING:
    from coordination.structure.models import Person

# Argon2id as OWASP's first recommended setting (46 MiB, one pass, one lane), which it rates as strong as
# its others: argon2-cffi's default (RFC 9106's 64 MiB, three passes, four lanes) made every sign-in put
# 64 MB on top of a worker. A hash made with other settings is remade at its owner's next sign-in.
_hasher = PasswordHasher(time_cost=1, memory_cost=47_104, parallelism=1)
MIN_PASSWORD_LENGTH = 12
# A sign-in's "last seen" and a token's "last used" are written at most this often: a page or an API call
# otherwise writes nothing.
SEEN_EVERY = timedelta(minutes=5)


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this keeps the time of a failed sign-in the same whether or not the account
    exists; made at the first need, not at import (a hash takes 46 MiB: it made a worker's start its
    peak)."""
    return _hasher.hash("not a password")


class SignInRefused(Exception):
    """Wrong e-mail or password, an inactive account, a demo account in production, or too many failed
    sign-ins of the account or from the address (`until` says when the next attempt is allowed)."""

    MESSAGES = {
        "credentials": "wrong e-mail address or password",
        "disabled": "this account is disabled",
        "demo": "demo accounts cannot sign in to a production instance",
        "throttled": "too many failed sign-ins; try again after {until} or ask an administrator",
    }

    def __init__(self, reason: str, until: datetime | None = None):
        self.reason = reason
        self.until = until
        shown = local_time(until, "HH:mm", language="en") if until else None
        super().__init__(self.MESSAGES[reason].format(until=shown))


def retry_after(refused: SignInRefused, now: datetime | None = None) -> str:
    """The Retry-After header of a throttled sign-in: whole seconds until the lockout ends."""
    seconds = (refused.until - (now or utcnow())).total_seconds() if refused.until else 0
    return str(max(1, math.ceil(seconds)))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _normalised(email: str) -> str:
    return email.strip().lower()[:254]


def _failure_times(
    session: Session, *, since: datetime, email: str | None = None, address: str | None = None
):
    query = select(SignInFailure.at).where(SignInFailure.at > since)
    if email is not None:
        query = query.where(SignInFailure.email == email, SignInFailure.counts_for_account.is_(True))
    if address is not None:
        query = query.where(SignInFailure.address == address)
    return session.exec(query).all()


def _locks(session: Session, *, email: str, address: str, now: datetime, limits: SignInLimits):
    """When the account's and the address's lockouts end (None where there is none)."""
    account = locked_until(
        _failure_times(session, since=now - limits.account.memory, email=email), now, limits.account
    )
    by_address = locked_until(
        _failure_times(session, since=now - limits.address.memory, address=address), now, limits.address
    )
    return account, by_address


def account_locked_until(
    *, session: Session, email: str, now: datetime, limits: SignInLimits
) -> datetime | None:
    """When the lockout of this account ends, or None if it is not locked out."""
    times = _failure_times(session, since=now - limits.account.memory, email=_normalised(email))
    return locked_until(times, now, limits.account)


def authenticate(
    *,
    session: Session,
    email: str,
    password: str,
    production: bool,
    address: str | None = None,
    limits: SignInLimits | None = None,
    now: datetime | None = None,
) -> "Person":
    """The person with these credentials, or SignInRefused; demo accounts are refused in production.

    With `limits`, sign-in is throttled: an account or address with too many recent failures is refused
    (even with the right password) until its lockout ends. A failure, a lockout and a refused attempt are
    committed with their audit events before SignInRefused is raised; a success clears the account's
    failures (the caller commits)."""
    person = structure.get_person_by_email(session=session, email=email)
    if limits is None:
        return _check(session, person, password, production)
    now = now or utcnow()
    key, address = _normalised(email), (address or "unknown")[:64]
    actor_id = person.id if person else None
    account_until, address_until = _locks(session, email=key, address=address, now=now, limits=limits)
    if account_until or address_until:
        until = max(t for t in (account_until, address_until) if t)
        audit.record(
            session,
            actor_id=actor_id,
            action="auth.throttled",
            object_type="sign_in",
            object_id=key[:80],
            address=address,
            scope="account" if account_until else "address",
            until=until.isoformat(),
        )
        session.commit()
        raise SignInRefused("throttled", until)
    try:
        return _check(session, person, password, production, clear_failures_of=key)
    except SignInRefused as refused:
        if refused.reason != "credentials":
            raise
    session.add(SignInFailure(email=key, address=address, at=now))
    session.exec(delete(SignInFailure).where(col(SignInFailure.at) < now - limits.memory))
    audit.record(
        session,
        actor_id=actor_id,
        action="auth.sign_in_failed",
        object_type="sign_in",
        object_id=key[:80],
        address=address,
    )
    session.flush()
    account_until, address_until = _locks(session, email=key, address=address, now=now, limits=limits)
    for scope, until in (("account", account_until), ("address", address_until)):
        if until:
            audit.record(
                session,
                actor_id=actor_id,
                action="auth.locked",
                object_type="sign_in",
                object_id=key[:80],
                address=address,
                scope=scope,
                until=until.isoformat(),
            )
    session.commit()
    if account_until or address_until:
        raise SignInRefused("throttled", max(t for t in (account_until, address_until) if t))
    raise SignInRefused("credentials")


def _check(
    session: Session, person: "Person | None", password: str, production: bool, clear_failures_of: str = ""
) -> "Person":
    if not verify_password(person.password_hash if person else None, password) or person is None:
        raise SignInRefused("credentials")
    if not person.active:
        raise SignInRefused("disabled")
    if production and person.is_demo:
        raise SignInRefused("demo")
    if clear_failures_of:
        _clear_account_failures(session, clear_failures_of)
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
        session.add(person)
    return person


def _clear_account_failures(session: Session, email: str) -> None:
    session.exec(
        update(SignInFailure)
        .where(col(SignInFailure.email) == email, col(SignInFailure.counts_for_account).is_(True))
        .values(counts_for_account=False)
    )


def unlock(
    *, session: Session, actor: "Person", person: "Person", now: datetime, limits: SignInLimits
) -> bool:
    """An administrator lifts the lockout of a person's account (their failed sign-ins stop counting
    against the account; their address's throttle runs its course). True if it was locked out."""
    if not actor.is_admin:
        raise Forbidden("only an administrator of the structure lifts a sign-in lockout")
    until = account_locked_until(session=session, email=person.email, now=now, limits=limits)
    _clear_account_failures(session, _normalised(person.email))
    audit.record(
        session,
        actor_id=actor.id,
        action="auth.unlocked",
        object_type="person",
        object_id=person.id,
        was_locked_until=until.isoformat() if until else None,
    )
    session.commit()
    return until is not None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, person: "Person", lifetime: timedelta) -> tuple[str, ApiToken]:
    """A new random bearer token; the caller sees it once, the database keeps only its digest."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(person_id=person.id, token_hash=_digest(token), expires_at=utcnow() + lifetime)
    session.add(row)
    return token, row


_TOKEN_HOLDER = structure.person_with_statement(
    columns=(ApiToken.id, ApiToken.revoked, ApiToken.expires_at, ApiToken.last_used_at),
    joined=ApiToken,
    on=ApiToken.person_id,
    key=ApiToken.token_hash,
)


def person_for_token(
    *, session: Session, token: str, production: bool, now: datetime | None = None
) -> "Person | None":
    """The person a valid, unexpired, unrevoked token belongs to (every API request asks: one query, the
    token's row with its person). Their memberships and department load when a request needs them. The
    token's last use is recorded if the one on record is `SEEN_EVERY` old (`db.write_soon`: this commits
    the session)."""
    now = now or datetime.now(UTC)
    found = structure.person_with(session=session, statement=_TOKEN_HOLDER, key=_digest(token))
    if found is None:
        return None
    person, (token_id, revoked, expires_at, last_used_at) = found
    if revoked or expires_at <= now:
        return None
    if not person.active or (production and person.is_demo):
        return None
    if _due(last_used_at, now):
        _record_token_use(session, token_id=token_id, at=now)
    return person


def _due(last: datetime | None, now: datetime) -> bool:
    return last is None or now - last >= SEEN_EVERY


def _record_token_use(session: Session, *, token_id: int, at: datetime) -> None:
    def record(write: Session) -> None:
        write.exec(
            update(ApiToken)
            .where(
                col(ApiToken.id) == token_id,
                or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) <= at - SEEN_EVERY),
            )
            .values(last_used_at=at)
        )

    db.write_soon(session, record, what=f"last use of API token {token_id} at {at.isoformat()}")


def revoke_tokens(*, session: Session, person_id: int) -> int:
    """Revoke every token of a person (deactivation, a password change, "sign out everywhere"): their API
    access stops at once."""
    tokens = session.exec(
        select(ApiToken).where(ApiToken.person_id == person_id, ApiToken.revoked.is_(False))
    ).all()
    for token in tokens:
        token.revoked = True
        session.add(token)
    return len(tokens)


def tokens_of(*, session: Session, person_id: int) -> list[ApiToken]:
    """A person's API tokens that are neither revoked nor expired, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(
                ApiToken.person_id == person_id,
                ApiToken.revoked.is_(False),
                col(ApiToken.expires_at) > utcnow(),
            )
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        ).all()
    )


def revoke_token(*, session: Session, person: "Person", token_id: int) -> bool:
    """A person revokes one of their own tokens (audited; the caller commits). False if they have no such
    token that still works."""
    token = session.get(ApiToken, token_id)
    if token is None or token.person_id != person.id or token.revoked:
        return False
    token.revoked = True
    session.add(token)
    audit.record(
        session, actor_id=person.id, action="api_token.revoke", object_type="api_token", object_id=token.id
    )
    return True


# --- signed-in sessions -----------------------------------------------------------------------------
# The session cookie and the remember-me cookie carry "<person id>:<random key>" as Flask-Login's user id;
# the database keeps the key's digest. A cookie whose row is gone, or older than `lifetime`, signs nobody in.


PUBLIC_ID_LENGTH = 16  # of the digest: enough to name one of a person's sessions, useless as a cookie


def session_lifetime(config: Mapping) -> timedelta:
    """How long a sign-in lasts at most: the remember-me cookie's lifetime (Flask-Login's default)."""
    return config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))


def start_session(
    *,
    session: Session,
    person: "Person",
    lifetime: timedelta,
    user_agent: str = "",
    address: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new signed-in session (the caller commits); returns the user id for Flask-Login's cookies.
    Sessions older than `lifetime` are cleared away on the way."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    session.exec(delete(SignedInSession).where(col(SignedInSession.created_at) < now - lifetime))
    session.add(
        SignedInSession(
            id=_digest(key),
            person_id=person.id,
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:200],
            address=(address or "")[:64],
        )
    )
    return f"{person.id}:{key}"


def _parse(user_id: str) -> tuple[int, str] | None:
    person_id, _, key = user_id.partition(":")
    if not person_id.isdigit() or not key:
        return None
    return int(person_id), key


def signed_in_session(
    *, session: Session, user_id: str, lifetime: timedelta, now: datetime | None = None
) -> SignedInSession | None:
    """The sign-in of a session or remember-me cookie, if it has not been ended and is younger than
    `lifetime`."""
    parsed = _parse(user_id)
    if parsed is None:
        return None
    row = session.get(SignedInSession, _digest(parsed[1]))
    if row is None or row.person_id != parsed[0] or row.created_at <= (now or utcnow()) - lifetime:
        return None
    return row


def public_session_id(row: SignedInSession) -> str:
    """The name of a sign-in on pages and in the API: a prefix of its digest, never the cookie's key."""
    return row.id[:PUBLIC_ID_LENGTH]


def public_id_of_cookie(user_id: str | None) -> str | None:
    """The public id of the sign-in a session cookie carries (to mark "this browser")."""
    parsed = _parse(user_id or "")
    return _digest(parsed[1])[:PUBLIC_ID_LENGTH] if parsed else None


def note_session_seen(
    *,
    session: Session,
    row: SignedInSession,
    user_agent: str,
    address: str | None,
    now: datetime | None = None,
) -> bool:
    """Record that a sign-in made a request, from which browser and address, if what is on record is
    `SEEN_EVERY` old; whether it did. Written by `db.write_soon`, which commits the session first: call it
    before the request writes anything."""
    now = now or utcnow()
    if not _due(row.last_seen_at, now):
        return False
    digest, user_agent, address = row.id, user_agent[:200], (address or "")[:64]

    def record(write: Session) -> None:
        write.exec(
            update(SignedInSession)
            .where(
                col(SignedInSession.id) == digest,
                or_(
                    col(SignedInSession.last_seen_at).is_(None),
                    col(SignedInSession.last_seen_at) <= now - SEEN_EVERY,
                ),
            )
            .values(last_seen_at=now, user_agent=user_agent, address=address)
        )

    db.write_soon(
        session, record, what=f"last sign-in activity {digest[:PUBLIC_ID_LENGTH]} at {now.isoformat()}"
    )
    return True


def sessions_of(
    *, session: Session, person_id: int, lifetime: timedelta, now: datetime | None = None
) -> list[SignedInSession]:
    """A person's sign-ins that still work, newest first."""
    return list(
        session.exec(
            select(SignedInSession)
            .where(
                SignedInSession.person_id == person_id,
                col(SignedInSession.created_at) > (now or utcnow()) - lifetime,
            )
            .order_by(col(SignedInSession.created_at).desc(), col(SignedInSession.id))
        ).all()
    )


def revoke_session(*, session: Session, person: "Person", session_id: str) -> bool:
    """A person ends one of their sign-ins by its public id (audited; the caller commits): its session and
    remember-me cookies stop working at once. False if they have no such sign-in."""
    if not re.fullmatch(f"[0-9a-f]{{{PUBLIC_ID_LENGTH}}}", session_id):
        return False
    ended = session.exec(
        delete(SignedInSession).where(
            col(SignedInSession.person_id) == person.id, col(SignedInSession.id).startswith(session_id)
        )
    )
    if not ended.rowcount:
        return False
    audit.record(
        session,
        actor_id=person.id,
        action="session.revoke",
        object_type="person",
        object_id=person.id,
        sign_in=session_id,
    )
    return True


def end_session(*, session: Session, user_id: str | None) -> None:
    """Sign-out: the session (and its remember-me cookie) stops working, saved copies too (caller commits)."""
    parsed = _parse(user_id or "")
    if parsed is not None:
        session.exec(delete(SignedInSession).where(col(SignedInSession.id) == _digest(parsed[1])))


def end_sessions(*, session: Session, person_id: int) -> int:
    """End every signed-in session of a person (the caller commits); returns how many there were."""
    ended = session.exec(delete(SignedInSession).where(col(SignedInSession.person_id) == person_id))
    return ended.rowcount or 0


def sign_out_everywhere(*, session: Session, person: "Person") -> tuple[int, int]:
    """A person ends all their sessions and revokes all their API tokens (audited; the caller commits and
    replaces the feed token). Returns (sessions ended, tokens revoked)."""
    sessions = end_sessions(session=session, person_id=person.id)
    tokens = revoke_tokens(session=session, person_id=person.id)
    audit.record(
        session,
        actor_id=person.id,
        action="session.sign_out_everywhere",
        object_type="person",
        object_id=person.id,
        sessions_ended=sessions,
        tokens_revoked=tokens,
    )
    return sessions, tokens


def set_password(*, session: Session, person: "Person", password: str) -> tuple[int, int]:
    """Set a person's password; every session and API token of theirs ends (the caller audits and
    commits). Returns (sessions ended, tokens revoked)."""
    person.password_hash = hash_password(password)
    session.add(person)
    sessions = end_sessions(session=session, person_id=person.id)
    return sessions, revoke_tokens(session=session, person_id=person.id)


def change_password(
    *,
    session: Session,
    person: "Person",
    current_password: str,
    new_password: str,
    production: bool,
    limits: SignInLimits,
    lifetime: timedelta,
    user_agent: str = "",
    address: str | None = None,
    now: datetime | None = None,
) -> str:
    """A signed-in person changes their password (audited; the caller commits). The current password is
    checked like a sign-in: a wrong one counts as a failed sign-in of the account and the address (committed
    before SignInRefused is raised), and a throttled account is refused even with the right one, so that a
    stolen session cannot guess it. Every session and API token of theirs ends; returns the user id of a
    fresh session for the browser that asked."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(f"use at least {MIN_PASSWORD_LENGTH} characters", field="new_password")
    authenticate(
        session=session,
        email=person.email,
        password=current_password,
        production=production,
        address=address,
        limits=limits,
        now=now,
    )
    sessions, tokens = set_password(session=session, person=person, password=new_password)
    user_id = start_session(
        session=session, person=person, lifetime=lifetime, user_agent=user_agent, address=address, now=now
    )
    audit.record(
        session,
        actor_id=person.id,
        action="person.password_change",
        object_type="person",
        object_id=person.id,
        other_sessions_ended=max(sessions - 1, 0),
        tokens_revoked=tokens,
    )
    return user_id
