"""Storing prepared feedback rows in batches: the step every way feedback arrives shares.

A file import (:func:`voc.feedback.service.ingest_file`) and the API creates
(:func:`voc.feedback.service.create` and ``create_many``) both end here: one SELECT of the
stored keys, at most one INSERT and one UPDATE per batch, customers and accounts upserted
beside them. The writer learns the ids it stored from the statements themselves (INSERT ...
RETURNING), never by searching the table afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from voc.errors import Conflict
from voc.feedback import repository as repo
from voc.feedback.ingest import PreparedRow, RowPreparer
from voc.feedback.people import PeopleUpserter
from voc.feedback.schemas import FeedbackCreate, FeedbackIn, IngestSummary, RowError

BATCH_SIZE = 1000

_SENTIMENT_CLEARED = {
    "sentiment_label": None,
    "sentiment_score": None,
    "sentiment_is_mixed": None,
    "sentiment_model": None,
    "kind": None,
    "kind_confidence": None,
}


class FeedbackWriter:
    """Upserts batches of prepared rows and counts what happened in ``summary``."""

    def __init__(
        self, session: Session, summary: IngestSummary, now: datetime, *, want_ids: bool = False
    ) -> None:
        """Write in ``session``; with ``want_ids``, :meth:`write` returns the stored ids."""
        self.session = session
        self.summary = summary
        self.now = now
        self.want_ids = want_ids
        self.people = PeopleUpserter(session, now)

    def write(self, rows: Sequence[PreparedRow]) -> list[int]:
        """Insert new rows, update changed ones; the ids of both (when ``want_ids``)."""
        customer_ids = self.people.customer_ids([row.item for row in rows])
        by_source: dict[str, list[tuple[PreparedRow, int | None]]] = defaultdict(list)
        for row, customer_id in zip(rows, customer_ids, strict=True):
            by_source[row.source].append((row, customer_id))
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for source, group in by_source.items():
            ids = [row.external_id for row, _ in group]
            stored = repo.existing_feedback(self.session, source=source, external_ids=ids)
            for row, customer_id in group:
                found = stored.get(row.external_id)
                values = {**row.values, "customer_id": customer_id, "updated_at": self.now}
                if found is None:
                    inserts.append({**values, "ingested_at": self.now})
                elif found.content_hash == row.content_hash:
                    self.summary.unchanged += 1
                else:
                    updates.append(self._update(found.id, found.text_hash, values, row))
        inserted = repo.insert_feedback(self.session, inserts, returning=self.want_ids)
        repo.update_feedback(self.session, updates)
        self.summary.inserted += len(inserts)
        self.summary.updated += len(updates)
        self.summary.customers_created = self.people.customers_created
        self.summary.accounts_created = self.people.accounts_created
        return [*inserted, *(int(update["id"]) for update in updates)] if self.want_ids else []

    @staticmethod
    def _update(
        item_id: int, old_text_hash: str, values: dict[str, Any], row: PreparedRow
    ) -> dict[str, Any]:
        update = {"id": item_id, **values}
        del update["source"], update["external_id"]
        if row.created_at_defaulted:
            del update["created_at"]  # keep the time of the first import
        if old_text_hash != values["text_hash"]:
            update.update(_SENTIMENT_CLEARED)
        return update


@dataclass(frozen=True)
class Stored:
    """What a store of API items did, and the ids of the items it inserted or updated."""

    summary: IngestSummary
    feedback_ids: list[int]


def _prepared(preparer: RowPreparer, line: int, data: FeedbackCreate) -> PreparedRow:
    return preparer.prepared(line, FeedbackIn.model_validate(data.model_dump()))


def duplicate_error(row: PreparedRow) -> RowError:
    """The rejection of a row whose key an earlier row of the same batch already had."""
    if row.external_id.startswith("h:"):
        reason = "duplicate row: same text, date and email as an earlier row"
    else:
        reason = f"duplicate id {row.external_id!r} in this file (the first row wins)"
    return RowError(line=row.line, field="external_id", reason=reason)


def store_many(session: Session, *, items: Sequence[FeedbackCreate], now: datetime) -> Stored:
    """Upsert many items with the same rules as a file import (no file-level errors)."""
    summary = IngestSummary(path="<api>", rows_read=len(items))
    preparer = RowPreparer(columns={}, source=None, campaign=None, now=now)
    rows: list[PreparedRow] = []
    seen: set[tuple[str, str]] = set()
    for index, data in enumerate(items, start=1):
        row = _prepared(preparer, index, data)
        if (row.source, row.external_id) in seen:
            summary.rejected += 1
            summary.errors.append(duplicate_error(row))
            continue
        seen.add((row.source, row.external_id))
        rows.append(row)
    writer = FeedbackWriter(session, summary, now, want_ids=True)
    ids: list[int] = []
    for start in range(0, len(rows), BATCH_SIZE):
        ids += writer.write(rows[start : start + BATCH_SIZE])
    return Stored(summary=summary, feedback_ids=ids)


def store_one(session: Session, *, data: FeedbackCreate, now: datetime) -> int:
    """Store one new item and return its id; Conflict when its (source, external_id) exists."""
    row = _prepared(RowPreparer(columns={}, source=None, campaign=None, now=now), 0, data)
    if repo.existing_feedback(session, source=row.source, external_ids=[row.external_id]):
        raise Conflict(f"feedback {row.source}/{row.external_id} already exists")
    writer = FeedbackWriter(session, IngestSummary(path="<api>"), now, want_ids=True)
    [feedback_id] = writer.write([row])
    return feedback_id
