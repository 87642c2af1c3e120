"""Queries of the close-the-loop tables: inserts that let a unique key decide, claims, marks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from loop_closure.models import EmailSuppression, OutboxMessage, OutboxStatus

DUE_STATUSES = (OutboxStatus.QUEUED.value, OutboxStatus.RETRYING.value)


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> int:
    """``INSERT ... ON CONFLICT DO NOTHING``: the database's unique keys decide; rows inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:  # pragma: no cover - the service supports SQLite and PostgreSQL
        raise NotImplementedError(dialect)
    inserted = 0
    statement = statement.returning(*table.primary_key.columns)
    for row in rows:  # one statement per row: RETURNING says which ones went in
        inserted += len(session.execute(statement.values(**row)).all())
    return inserted


def suppressed(session: Session, addresses: Iterable[str]) -> dict[str, str]:
    """Lowercased address -> suppression reason, for those of ``addresses`` that are suppressed."""
    wanted = sorted({a.lower() for a in addresses})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(EmailSuppression.address, EmailSuppression.reason).where(
            EmailSuppression.address.in_(chunk)
        )
        found.update({str(row[0]): str(row[1]) for row in session.execute(query)})
    return found


def _due(now: datetime, lease_s: float, due_at: datetime) -> Any:
    stale = now - timedelta(seconds=lease_s)
    return (
        OutboxMessage.status.in_(DUE_STATUSES)
        & (OutboxMessage.next_attempt_at <= due_at)
        & (OutboxMessage.claimed_at.is_(None) | (OutboxMessage.claimed_at <= stale))
    )


def claim_due(
    session: Session,
    *,
    token: str,
    limit: int,
    lease_s: float,
    now: datetime,
    due_at: datetime | None = None,
) -> list[OutboxMessage]:
    """Claim up to ``limit`` rows due by ``due_at`` (default now) for ``token``; commit at once.

    PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` so parallel relays take disjoint rows.
    SQLite: one ``UPDATE`` statement, which holds the database's single write lock: one
    claimer at a time, and the rows it claims are no longer due for the next.
    """
    order = (OutboxMessage.next_attempt_at, OutboxMessage.id)
    due = _due(now, lease_s, due_at or now)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(due)
                .order_by(*order)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    else:
        due_ids = select(OutboxMessage.id).where(due).order_by(*order).limit(limit)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due_ids.scalar_subquery()), due)
            .values(claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    query = select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(*order)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def finish(session: Session, *, outbox_id: int, token: str, now: datetime, **values: Any) -> bool:
    """Update a row this claim still holds, and release it; False when it no longer holds it."""
    table: Table = OutboxMessage.__table__  # type: ignore[assignment]
    statement = (  # Core, not the ORM: the relay runs this once per message
        update(table)
        .where(table.c.id == outbox_id, table.c.claimed_by == token)
        .values(claimed_by=None, claimed_at=None, updated_at=now, **values)
    )
    return bool(session.connection().execute(statement).rowcount)


def release(session: Session, *, token: str) -> int:
    """Give back every row this claim still holds, unchanged (they are due again at once)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == token)
        .values(claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
