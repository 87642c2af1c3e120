"""Use cases on users: create, list, revoke, sign in, personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from voc.errors import Conflict, InvalidInput, NotFound
from voc.types import utcnow
from voc.user import repository
from voc.user.models import ApiToken, Role, User

_hasher = PasswordHasher()
TOKEN_PREFIX = "voc_"
MIN_PASSWORD_LENGTH = 8


def _normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 320:
        raise InvalidInput(f"email: {email!r} is not an email address")
    return email


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are high-entropy, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    name: str | None = None,
) -> User:
    """Create a user; the password (optional: token-only users) is hashed with Argon2."""
    email = _normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"role: {role!r} is not one of {choices}") from None
    if repository.by_email(session, email) is not None:
        raise Conflict(f"a user with email {email} already exists")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        email=email,
        name=name,
        role=role.value,
        password_hash=_hasher.hash(password) if password is not None else None,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> Sequence[User]:
    """Every user, oldest first."""
    return repository.all_users(session)


def get(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def get_by_email_or_raise(session: Session, *, email: str) -> User:
    """The user with this email, or NotFound."""
    user = repository.by_email(session, email)
    if user is None:
        raise NotFound(f"no user with email {email.strip().lower()}")
    return user


def revoke_user(session: Session, *, email: str) -> User:
    """Deactivate a user and revoke every token they own."""
    user = get_by_email_or_raise(session, email=email)
    now = utcnow()
    user.is_active = False
    user.revoked_at = now
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()
    return user


def authenticate_password(session: Session, *, email: str, password: str) -> User | None:
    """The active user whose password matches, else None (same answer for unknown emails)."""
    user = repository.by_email(session, email)
    if user is None or not user.is_active or user.password_hash is None:
        _hasher.hash(password)  # similar timing whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def create_token(session: Session, *, user_id: int, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the plaintext is returned once and never stored."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(f"no active user with id {user_id}")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(plaintext), prefix=plaintext[:12]
    )
    session.add(token)
    session.flush()
    return token, plaintext


def authenticate_token(session: Session, *, token: str) -> User | None:
    """The active owner of a valid, non-revoked token, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return repository.active_token_owner(session, hash_token(token))
