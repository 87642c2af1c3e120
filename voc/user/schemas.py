"""Read schemas of users and tokens (never the secrets)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class UserRead(BaseModel):
    """A user as the API and CLI show it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str | None
    role: str
    is_active: bool
    created_at: datetime


class TokenRead(BaseModel):
    """A token's metadata: its name and the first characters of the secret."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
