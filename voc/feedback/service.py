"""Feedback use cases: import a file; create one item or many through the API.

Services never commit. ``ingest_file`` runs inside the caller's transaction (the CLI's
``session_scope``): row problems become rejections in the summary, file problems raise
``FileFormatError`` and the caller's rollback leaves the database as it was. See
:mod:`voc.feedback.ingest` for every rule.

``create`` and ``create_many`` store through the same writer, then assign: one item (or a
small bulk) is embedded, scored and assigned to a theme at once; a large bulk is assigned by
batch jobs sent after the request's commit.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from voc.errors import InvalidInput
from voc.export import neutralise_formula
from voc.feedback import queries as feedback_queries
from voc.feedback import text_index
from voc.feedback.date_bounds import DEFAULT_BOUNDS, DateBounds
from voc.feedback.ingest import PreparedRow, RowPreparer, resolve_columns
from voc.feedback.models import Source
from voc.feedback.reader import FeedbackFile, RawRecord
from voc.feedback.schemas import BulkResult, FeedbackCreate, FeedbackRead, IngestSummary, RowError
from voc.feedback.writer import BATCH_SIZE, FeedbackWriter, duplicate_error, store_many, store_one
from voc.jobs import service as job_service
from voc.jobs.models import JobKind
from voc.jobs.queue import JobQueue, enqueue_after_commit
from voc.jobs.schemas import JobRead
from voc.nlp_runtime import Models
from voc.types import utcnow

logger = logging.getLogger(__name__)

INLINE_LIMIT = 32  # bulks up to this size are embedded and assigned inside the request
Progress = Callable[[int, int], None]
"""Called as ``progress(bytes_read, rows_read)`` once per batch."""


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
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> IngestSummary:
    """Import a CSV/JSON/JSONL file of feedback in the caller's transaction.

    ``row_keys``, when given, receives line -> (source, external_id) of every valid row (a
    duplicate maps to the item its first occurrence stored), so callers can follow rows.
    """
    started = time.perf_counter()
    now = now or utcnow()
    file = FeedbackFile(Path(path))
    summary = IngestSummary(path=str(path), rejects_path=str(rejects_path or "") or None)
    writer = FeedbackWriter(session, summary, now)
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
                preparer = _preparer(columns, source, campaign, now, bounds)
            result = preparer.prepare(record) if preparer else _problem(record)
            _remember(row_keys, result)
            if isinstance(result, RowError):
                reject(result, record)
            elif (key := hash((result.source, result.external_id))) in seen:
                reject(duplicate_error(result), record)
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
    columns: dict[str, str],
    source: Source | None,
    campaign: str | None,
    now: datetime,
    bounds: DateBounds,
) -> RowPreparer:
    if "source" not in columns and source is None:
        raise InvalidInput("--source is required: the file has no source column")
    return RowPreparer(columns=columns, source=source, campaign=campaign, now=now, bounds=bounds)


def _check_dates(
    items: Sequence[FeedbackCreate], *, bounds: DateBounds, now: datetime, is_bulk: bool
) -> None:
    """InvalidInput naming the field (``items.<i>.created_at`` in a bulk) of an implausible date."""
    for index, item in enumerate(items):
        if (problem := bounds.problem(item.created_at, now=now)) is not None:
            where = f"items.{index}.created_at" if is_bulk else "created_at"
            raise InvalidInput(f"{where}: {problem}")


def _problem(record: RawRecord) -> RowError:
    return RowError(line=record.line, field=None, reason=record.problem or "unreadable row")


def _assign_now(
    session: Session, *, feedback_ids: list[int], models: Models, queue: JobQueue
) -> None:
    """Embed, score and assign at once; index the items and add them to stats after commit."""
    from voc.theme import service as theme_service  # the analysis stack loads on first use

    assigned = theme_service.assign_incremental(session, feedback_ids=feedback_ids, models=models)
    theme_ids = sorted({t for t in assigned.values() if t is not None})
    enqueue_after_commit(
        session, queue, "item_added", feedback_ids=feedback_ids, theme_ids=theme_ids
    )


def create(
    session: Session,
    *,
    data: FeedbackCreate,
    models: Models,
    queue: JobQueue,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> FeedbackRead:
    """Store an item, score and assign it at once; index it in the background."""
    now = utcnow()
    _check_dates([data], bounds=bounds, now=now, is_bulk=False)
    feedback_id = store_one(session, data=data, now=now)
    _assign_now(session, feedback_ids=[feedback_id], models=models, queue=queue)
    return feedback_queries.get_or_raise(session, feedback_id)


def create_many(
    session: Session,
    *,
    items: Sequence[FeedbackCreate],
    models: Models | None,
    queue: JobQueue,
    created_by: str,
    bounds: DateBounds = DEFAULT_BOUNDS,
) -> BulkResult:
    """Store items; small bulks are assigned inline, large ones by batch jobs after commit."""
    now = utcnow()
    _check_dates(items, bounds=bounds, now=now, is_bulk=True)
    stored = store_many(session, items=items, now=now)
    ids, summary = stored.feedback_ids, stored.summary
    if not ids:
        return BulkResult(summary=summary, n_assigned_inline=0, job=None)
    if len(ids) <= INLINE_LIMIT and models is not None:
        _assign_now(session, feedback_ids=ids, models=models, queue=queue)
        return BulkResult(summary=summary, n_assigned_inline=len(ids), job=None)
    parts = job_service.batches(ids)
    job = job_service.create(
        session,
        kind=JobKind.IMPORT,
        n_total=len(ids),
        n_batches=len(parts),
        created_by=created_by,
        params={"rows_read": summary.rows_read},
    )
    for part in parts:
        enqueue_after_commit(session, queue, "assign_batch", job_id=job.id, feedback_ids=part)
    return BulkResult(summary=summary, n_assigned_inline=0, job=JobRead.model_validate(job))
