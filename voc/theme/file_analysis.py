"""The whole pipeline on one file: ingest it, analyse exactly its items, report per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.feedback import repository as feedback_repository
from voc.feedback import service as feedback_service
from voc.feedback.date_bounds import DEFAULT_BOUNDS, DateBounds
from voc.feedback.models import Feedback, Source
from voc.feedback.schemas import IngestSummary
from voc.nlp_runtime import Models
from voc.theme import service as theme_service
from voc.theme.models import AnalysisRun, Theme, ThemeAssignment
from voc.theme.service import ProgressFactory

CHUNK = 900


@dataclass(frozen=True)
class ItemOutcome:
    """Theme, sentiment and kind of one stored item."""

    theme_id: int | None
    theme_label: str | None
    confidence: float | None
    sentiment: str | None
    sentiment_score: float | None
    kind: str | None = None
    kind_confidence: float | None = None


@dataclass(frozen=True)
class FileAnalysis:
    """What a file analysis produced: the ingest summary, the run and each row's outcome."""

    summary: IngestSummary
    run: AnalysisRun
    line_to_item: dict[int, int]
    outcomes: dict[int, ItemOutcome]


def _ids_for(session: Session, keys: dict[int, tuple[str, str]]) -> dict[int, int]:
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, external_id in keys.values():
        by_source[source].append(external_id)
    found: dict[tuple[str, str], int] = {}
    for source, external_ids in by_source.items():
        unique = sorted(set(external_ids))
        for start in range(0, len(unique), CHUNK):
            stored = feedback_repository.existing_feedback(
                session, source=source, external_ids=unique[start : start + CHUNK]
            )
            found.update({(source, ext): item.id for ext, item in stored.items()})
    return {line: found[key] for line, key in keys.items() if key in found}


def outcomes_of(session: Session, *, feedback_ids: Sequence[int]) -> dict[int, ItemOutcome]:
    """Theme (with its current label), sentiment and kind of each item, in bulk."""
    out: dict[int, ItemOutcome] = {}
    ids = sorted(set(feedback_ids))
    for start in range(0, len(ids), CHUNK):
        stmt = (
            select(
                Feedback.id,
                Feedback.sentiment_label,
                Feedback.sentiment_score,
                Feedback.kind,
                Feedback.kind_confidence,
                ThemeAssignment.theme_id,
                ThemeAssignment.confidence,
                Theme.human_label,
                Theme.machine_label,
            )
            .join(ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id, isouter=True)
            .join(Theme, Theme.id == ThemeAssignment.theme_id, isouter=True)
            .where(Feedback.id.in_(ids[start : start + CHUNK]))
        )
        for fid, label, score, kind, kind_conf, theme_id, conf, human, machine in session.execute(
            stmt
        ):
            out[fid] = ItemOutcome(theme_id, human or machine, conf, label, score, kind, kind_conf)
    return out


def analyze_file(
    session: Session,
    path: Path,
    *,
    text_column: str | None,
    id_column: str | None,
    source: Source,
    models: Models,
    seed: int,
    batch_size: int = 64,
    progress: ProgressFactory | None = None,
    bounds: DateBounds = DEFAULT_BOUNDS,
    product_names: Sequence[str] = (),
) -> FileAnalysis:
    """Ingest ``path`` (idempotently) and analyse exactly its items; themes persist."""
    mapping = {}
    if text_column:
        mapping["text"] = text_column
    if id_column:
        mapping["external_id"] = id_column
    keys: dict[int, tuple[str, str]] = {}
    summary = feedback_service.ingest_file(
        session, path, source=source, mapping=mapping, row_keys=keys, bounds=bounds
    )
    line_to_item = _ids_for(session, keys)
    run = theme_service.run_analysis(
        session,
        models=models,
        scope_ids=sorted(set(line_to_item.values())),
        seed=seed,
        product_names=product_names,
        batch_size=batch_size,
        progress=progress,
    )
    outcomes = outcomes_of(session, feedback_ids=list(line_to_item.values()))
    return FileAnalysis(summary, run, line_to_item, outcomes)
