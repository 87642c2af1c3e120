"""Users (with a role) and their personal API tokens (stored hashed)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from voc.db import Base
from voc.types import UtcDateTime, utcnow


class Role(StrEnum):
    """What a user may do; see ``ROLE_PERMISSIONS``."""

    VIEWER = "viewer"
    EDITOR = "editor"
    CS_OPS = "cs_ops"
    ADMIN = "admin"


class Permission(StrEnum):
    """One capability a route checks."""

    READ = "read"
    CURATE = "curate"
    LINK_REQUESTS = "link_requests"
    LOOP_CLOSURE = "loop_closure"
    ADMIN = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.EDITOR: frozenset({Permission.READ, Permission.CURATE, Permission.LINK_REQUESTS}),
    Role.CS_OPS: frozenset({Permission.READ, Permission.LOOP_CLOSURE}),
    Role.ADMIN: frozenset(Permission),
}


class User(Base):
    """A person who signs in to the pages or calls the API with a token."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def can(self, permission: Permission) -> bool:
        """Whether this active user's role grants ``permission``."""
        return self.is_active and permission in ROLE_PERMISSIONS[Role(self.role)]


class ApiToken(Base):
    """A personal API token: only its SHA-256 is stored; the secret is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
