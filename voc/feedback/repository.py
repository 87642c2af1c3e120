"""Bulk queries behind ingestion: one SELECT and at most one INSERT/UPDATE per batch and table."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from voc.customer.models import Account, Customer
from voc.feedback.models import Feedback
from voc.theme.models import ThemeAssignment


@dataclass(frozen=True, slots=True)
class StoredItem:
    """What an import needs to know about an existing feedback row."""

    id: int
    content_hash: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class StoredAccount:
    """An account's id and the attributes an import may change."""

    id: int
    segment: str | None
    plan: str | None
    region: str | None
    arr: float | None


@dataclass(frozen=True, slots=True)
class StoredCustomer:
    """A customer's id and the attributes an import may change."""

    id: int
    name: str | None
    account_id: int | None
    is_consenting: bool


def existing_feedback(
    session: Session, *, source: str, external_ids: Collection[str]
) -> dict[str, StoredItem]:
    """Stored items of one source among ``external_ids``, keyed by external id."""
    if not external_ids:
        return {}
    query = select(
        Feedback.external_id, Feedback.id, Feedback.content_hash, Feedback.text_hash
    ).where(Feedback.source == source, Feedback.external_id.in_(list(external_ids)))
    return {row[0]: StoredItem(row[1], row[2], row[3]) for row in session.execute(query)}


def insert_feedback(
    session: Session, rows: Sequence[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Insert many items in batched statements; with ``returning``, their ids (in no order).

    ``render_nulls``: a None is sent as NULL instead of leaving the column out, so every row
    has the same columns and the rows go in batches; otherwise rows with and without a score
    or a customer alternate and each one becomes a statement of its own.
    """
    if not rows:
        return []
    options = {"render_nulls": True}
    if not returning:  # a file import does not need them
        session.execute(insert(Feedback), list(rows), execution_options=options)
        return []
    statement = insert(Feedback).returning(Feedback.id)
    return [int(i) for i in session.scalars(statement, list(rows), execution_options=options)]


def update_feedback(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Update many items by primary key (each dict carries ``id``)."""
    if not rows:
        return
    session.execute(update(Feedback), list(rows))
    moved = [int(row["id"]) for row in rows if "created_at" in row]
    for start in range(0, len(moved), 900):
        _copy_created_at(session, moved[start : start + 900])


def _copy_created_at(session: Session, feedback_ids: Sequence[int]) -> None:
    """Keep the theme assignments' copy of ``created_at`` in step with their items."""
    created_at = (
        select(Feedback.created_at)
        .where(Feedback.id == ThemeAssignment.feedback_id)
        .scalar_subquery()
    )
    session.execute(
        update(ThemeAssignment)
        .where(ThemeAssignment.feedback_id.in_(feedback_ids))
        .values(feedback_created_at=created_at)
        .execution_options(synchronize_session=False)
    )


def accounts_by_name(session: Session, names: Collection[str]) -> dict[str, StoredAccount]:
    """Stored accounts among ``names``."""
    if not names:
        return {}
    query = select(
        Account.name, Account.id, Account.segment, Account.plan, Account.region, Account.arr
    ).where(Account.name.in_(list(names)))
    return {row[0]: StoredAccount(*row[1:]) for row in session.execute(query)}


def customers_by_email(session: Session, emails: Collection[str]) -> dict[str, StoredCustomer]:
    """Stored customers among ``emails`` (already lower-cased)."""
    if not emails:
        return {}
    query = select(
        Customer.email, Customer.id, Customer.name, Customer.account_id, Customer.is_consenting
    ).where(Customer.email.in_(list(emails)))
    return {row[0]: StoredCustomer(*row[1:]) for row in session.execute(query)}


def insert_accounts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many accounts."""
    if rows:
        session.execute(insert(Account), list(rows))


def update_accounts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Update many accounts by primary key."""
    if rows:
        session.execute(update(Account), list(rows))


def insert_customers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many customers."""
    if rows:
        session.execute(insert(Customer), list(rows))


def update_customers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Update many customers by primary key."""
    if rows:
        session.execute(update(Customer), list(rows))
