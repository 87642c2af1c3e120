"""Writing a run's themes: keep ids and human fields of continued themes, record lineage."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from nlp.continuity import PriorState
from nlp.matching import LineageEvent
from nlp.types import DiscoveredTheme, DiscoveryResult
from voc.theme import repository
from voc.theme.models import AnalysisRun, LineageKind, Theme, ThemeLineage, ThemeStatus


def load_prior_state(
    session: Session, *, feedback_ids: Sequence[int], whole_database: bool
) -> tuple[PriorState, dict[int, Theme]]:
    """Stored themes and each item's current theme (a scoped run only sees its own themes)."""
    current = repository.assignments_of(
        session, feedback_ids=None if whole_database else feedback_ids
    )
    themes = {t.id: t for t in repository.active_themes(session) if t.centroid is not None}
    if not whole_database:
        seen = {theme_id for theme_id, _ in current.values()}
        themes = {tid: t for tid, t in themes.items() if tid in seen}
    order = sorted(themes)
    position = {tid: k for k, tid in enumerate(order)}
    previous = np.full(len(feedback_ids), -1, dtype=np.int64)
    for row, fid in enumerate(feedback_ids):
        assigned = current.get(fid)
        if assigned is not None and assigned[0] in position:
            previous[row] = position[assigned[0]]
    centroids = (
        np.stack([np.frombuffer(themes[t].centroid or b"", dtype=np.float32) for t in order])
        if order
        else np.zeros((0, 1), dtype=np.float32)
    )
    state = PriorState(tuple(str(t) for t in order), centroids, previous)
    return state, themes


def _write_machine_fields(
    theme: Theme, found: DiscoveredTheme, run: AnalysisRun, feedback_ids: Sequence[int], size: int
) -> None:
    theme.machine_label = found.label
    theme.keywords = list(found.keywords)
    theme.representative_ids = [int(feedback_ids[i]) for i in found.representative_indices]
    theme.centroid = np.asarray(found.centroid, dtype=np.float32).tobytes()
    theme.size = size
    theme.last_run_id = run.id
    theme.status = ThemeStatus.ACTIVE


def save_themes(
    session: Session,
    *,
    run: AnalysisRun,
    result: DiscoveryResult,
    feedback_ids: Sequence[int],
    stored_ids: Sequence[str | None],
    events: Sequence[LineageEvent],
    stored: dict[int, Theme],
) -> list[int]:
    """Persist the run's themes; returns the theme id of each discovered index."""
    sizes = np.bincount(result.labels[result.labels >= 0], minlength=len(result.themes))
    theme_ids: list[int] = []
    for found, matched in zip(result.themes, stored_ids, strict=True):
        theme = stored.get(int(matched)) if matched is not None else None
        if theme is None:
            theme = Theme(machine_label=found.label, created_run_id=run.id)
            session.add(theme)
        _write_machine_fields(theme, found, run, feedback_ids, int(sizes[found.index]))
        session.flush()
        theme_ids.append(theme.id)
    _record_lineage(session, run, events, theme_ids, stored, sizes)
    return theme_ids


def _record_lineage(
    session: Session,
    run: AnalysisRun,
    events: Sequence[LineageEvent],
    theme_ids: Sequence[int],
    stored: dict[int, Theme],
    sizes: npt.NDArray[np.int64],
) -> None:
    for event in events:
        kind = LineageKind(event.kind)
        previous = [int(p) for p in event.previous_ids]
        if kind == LineageKind.RETIRED or event.current_index is None:
            for pid in previous:
                stored[pid].status, stored[pid].retired_run_id = ThemeStatus.RETIRED, run.id
                session.add(ThemeLineage(run_id=run.id, kind=kind, theme_id=pid, size=0))
            continue
        theme_id = theme_ids[event.current_index]
        related = [p for p in previous if p != theme_id]
        if kind == LineageKind.MERGED:
            for pid in related:
                absorbed = stored[pid]
                absorbed.status, absorbed.retired_run_id = ThemeStatus.RETIRED, run.id
                absorbed.merged_into_id = theme_id
        session.add(
            ThemeLineage(
                run_id=run.id,
                kind=kind,
                theme_id=theme_id,
                related_theme_ids=related,
                size=int(sizes[event.current_index]),
            )
        )
    session.flush()
