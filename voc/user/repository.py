"""Queries on users and tokens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.user.models import ApiToken, User


def by_email(session: Session, email: str) -> User | None:
    """The user with this email (case-insensitive), if any."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def all_users(session: Session) -> Sequence[User]:
    """Every user, oldest first."""
    return session.scalars(select(User).order_by(User.id)).all()


def active_token_owner(session: Session, token_hash: str) -> User | None:
    """The active user owning a non-revoked token with this hash."""
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == token_hash,
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    )
    return session.scalars(query).first()
