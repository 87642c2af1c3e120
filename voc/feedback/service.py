"""Feedback use cases: import a file, create one item, create many. Services never commit.

``ingest_file`` runs inside the caller's transaction (the CLI's ``session_scope``): row problems
become rejections in the summary, file problems raise ``FileFormatError`` and the caller's
rollback leaves the database as it was. See :mod:`voc.feedback.ingest` for every rule.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.errors import Conflict, InvalidInput
from voc.export import neutralise_formula
from voc.feedback import repository as repo
from voc.feedback import text_index
from voc.feedback.ingest import PreparedRow, RowPreparer, resolve_columns
from voc.feedback.models import Feedback, Source
from voc.feedback.people import PeopleUpserter
from voc.feedback.reader import FeedbackFile, RawRecord
from voc.feedback.schemas import FeedbackCreate, FeedbackIn, IngestSummary, RowError
from voc.types import utcnow

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
Progress = Callable[[int, int], None]
"""Called as ``progress(bytes_read, rows_read)`` once per batch."""

_SENTIMENT_CLEARED = {
    "sentiment_label": None,
    "sentiment_score": None,
    "sentiment_is_mixed": None,
    "sentiment_model": None,
}


class _Writer:
    """Upserts batches of prepared rows and counts what happened."""

    def __init__(self, session: Session, summary: IngestSummary, now: datetime) -> None:
        self.session = session
        self.summary = summary
        self.now = now
        self.people = PeopleUpserter(session, now)

    def write(self, rows: Sequence[PreparedRow]) -> None:
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
        repo.insert_feedback(self.session, inserts)
        repo.update_feedback(self.session, updates)
        self.summary.inserted += len(inserts)
        self.summary.updated += len(updates)
        self.summary.customers_created = self.people.customers_created
        self.summary.accounts_created = self.people.accounts_created

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


@contextmanager
def _rejects_file(path: Path | None) -> Iterator[Callable[[RowError, RawRecord], None] | None]:
    """A CSV of rejected rows (line, field, reason, row as JSON), moved into place on success."""
    if path is None:
        yield None
        return
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "field", "reason", "row"])

        def write(error: RowError, record: RawRecord) -> None:
            row = json.dumps(record.values, ensure_ascii=False, default=str)
            cells = (error.field or "", error.reason, row)
            writer.writerow([error.line, *(neutralise_formula(cell) for cell in cells)])

        try:
            yield write
        except BaseException:
            fh.close()
            part.unlink(missing_ok=True)
            raise
    os.replace(part, path)


def ingest_file(
    session: Session,
    path: Path | str,
    *,
    source: Source | None = None,
    campaign: str | None = None,
    mapping: Mapping[str, str] | None = None,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
    row_keys: dict[int, tuple[str, str]] | None = None,
) -> IngestSummary:
    """Import a CSV/JSON/JSONL file of feedback in the caller's transaction.

    ``row_keys``, when given, receives line -> (source, external_id) of every valid row (a
    duplicate maps to the item its first occurrence stored), so callers can follow rows.
    """
    started = time.perf_counter()
    now = now or utcnow()
    file = FeedbackFile(Path(path))
    summary = IngestSummary(path=str(path), rejects_path=str(rejects_path or "") or None)
    writer = _Writer(session, summary, now)
    preparer: RowPreparer | None = None
    seen: set[int] = set()
    pending: list[PreparedRow] = []
    with _rejects_file(rejects_path) as write_reject, text_index.indexed_at_end(session):

        def reject(error: RowError, record: RawRecord) -> None:
            summary.rejected += 1
            if len(summary.errors) < IngestSummary.MAX_REPORTED:
                summary.errors.append(error)
            if write_reject is not None:
                write_reject(error, record)

        for record in file.records():
            summary.rows_read += 1
            if preparer is None and record.problem is None:
                columns = resolve_columns(file.columns or list(record.values), mapping or {})
                preparer = _preparer(columns, source, campaign, now)
            result = preparer.prepare(record) if preparer else _problem(record)
            _remember(row_keys, result)
            if isinstance(result, RowError):
                reject(result, record)
            elif (key := hash((result.source, result.external_id))) in seen:
                reject(_duplicate(result), record)
            else:
                seen.add(key)
                pending.append(result)
            if len(pending) >= batch_size:
                writer.write(pending)
                pending = []
            if progress is not None and summary.rows_read % batch_size == 0:
                progress(file.bytes_read(), summary.rows_read)
        if pending:
            writer.write(pending)
    if progress is not None:
        progress(file.size, summary.rows_read)
    summary.seconds = time.perf_counter() - started
    logger.info("ingested %s: %s", path, summary.model_dump(exclude={"errors"}))
    return summary


def _remember(keys: dict[int, tuple[str, str]] | None, result: PreparedRow | RowError) -> None:
    if keys is not None and not isinstance(result, RowError):
        keys[result.line] = (result.source, result.external_id)


def _preparer(
    columns: dict[str, str], source: Source | None, campaign: str | None, now: datetime
) -> RowPreparer:
    if "source" not in columns and source is None:
        raise InvalidInput("--source is required: the file has no source column")
    return RowPreparer(columns=columns, source=source, campaign=campaign, now=now)


def _problem(record: RawRecord) -> RowError:
    return RowError(line=record.line, field=None, reason=record.problem or "unreadable row")


def _duplicate(row: PreparedRow) -> RowError:
    if row.external_id.startswith("h:"):
        reason = "duplicate row: same text, date and email as an earlier row"
    else:
        reason = f"duplicate id {row.external_id!r} in this file (the first row wins)"
    return RowError(line=row.line, field="external_id", reason=reason)


def bulk_create(
    session: Session, *, items: Sequence[FeedbackCreate], now: datetime | None = None
) -> IngestSummary:
    """Upsert many items with the same rules as a file import (no file-level errors)."""
    now = now or utcnow()
    summary = IngestSummary(path="<api>", rows_read=len(items))
    preparer = RowPreparer(columns={}, source=None, campaign=None, now=now)
    rows: list[PreparedRow] = []
    seen: set[tuple[str, str]] = set()
    for index, data in enumerate(items, start=1):
        row = preparer.prepared(index, FeedbackIn.model_validate(data.model_dump()))
        if (row.source, row.external_id) in seen:
            summary.rejected += 1
            summary.errors.append(_duplicate(row))
            continue
        seen.add((row.source, row.external_id))
        rows.append(row)
    writer = _Writer(session, summary, now)
    for start in range(0, len(rows), BATCH_SIZE):
        writer.write(rows[start : start + BATCH_SIZE])
    return summary


def create(session: Session, *, data: FeedbackCreate, now: datetime | None = None) -> Feedback:
    """Store one new item; Conflict when its (source, external_id) already exists."""
    now = now or utcnow()
    preparer = RowPreparer(columns={}, source=None, campaign=None, now=now)
    row = preparer.prepared(0, FeedbackIn.model_validate(data.model_dump()))
    if repo.existing_feedback(session, source=row.source, external_ids=[row.external_id]):
        raise Conflict(f"feedback {row.source}/{row.external_id} already exists")
    _Writer(session, IngestSummary(path="<api>"), now).write([row])
    query = select(Feedback).where(
        Feedback.source == row.source, Feedback.external_id == row.external_id
    )
    return session.execute(query).scalar_one()
