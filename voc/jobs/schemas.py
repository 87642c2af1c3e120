"""Read schemas of background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobRead(BaseModel):
    """A background job and its progress."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    params: dict[str, Any]
    n_total: int
    n_done: int
    n_batches: int
    n_batches_done: int
    run_id: int | None
    error: str | None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
