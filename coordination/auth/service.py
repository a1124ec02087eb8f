"""Passwords (argon2), sign-in rules and API tokens."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from coordination.auth.models import ApiToken
from coordination.structure import queries as structure
from coordination.types import utcnow

if TYPE_CHECKING:
    from coordination.structure.models import Person

_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed sign-in the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash("not a password")


class SignInRefused(Exception):
    """Wrong e-mail or password, an inactive account, or a demo account in production."""

    MESSAGES = {
        "credentials": "wrong e-mail address or password",
        "disabled": "this account is disabled",
        "demo": "demo accounts cannot sign in to a production instance",
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(*, session: Session, email: str, password: str, production: bool) -> "Person":
    """The person with these credentials, or SignInRefused; demo accounts are refused in production."""
    person = structure.get_person_by_email(session=session, email=email)
    if not verify_password(person.password_hash if person else None, password) or person is None:
        raise SignInRefused("credentials")
    if not person.active:
        raise SignInRefused("disabled")
    if production and person.is_demo:
        raise SignInRefused("demo")
    if _hasher.check_needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
        session.add(person)
    return person


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, person: "Person", lifetime: timedelta) -> tuple[str, ApiToken]:
    """A new random bearer token; the caller sees it once, the database keeps only its digest."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(person_id=person.id, token_hash=_digest(token), expires_at=utcnow() + lifetime)
    session.add(row)
    return token, row


def person_for_token(*, session: Session, token: str, production: bool) -> "Person | None":
    """The person a valid, unexpired, unrevoked token belongs to (every API request asks: two primary-key
    probes). Their memberships and department load when a request needs them."""
    found = session.exec(
        select(ApiToken.person_id, ApiToken.revoked, ApiToken.expires_at).where(
            ApiToken.token_hash == _digest(token)
        )
    ).first()
    if found is None:
        return None
    person_id, revoked, expires_at = found
    if revoked or expires_at <= datetime.now(UTC):
        return None
    person = structure.people_by_id(session=session, ids=[person_id]).get(person_id)
    if person is None:
        return None
    if not person.active or (production and person.is_demo):
        return None
    return person


def revoke_tokens(*, session: Session, person_id: int) -> int:
    """Revoke every token of a person (deactivation): their API access stops at once."""
    tokens = session.exec(
        select(ApiToken).where(ApiToken.person_id == person_id, ApiToken.revoked.is_(False))
    ).all()
    for token in tokens:
        token.revoked = True
        session.add(token)
    return len(tokens)
