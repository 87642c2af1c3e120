"""Use cases of the theme engine: full (re-)analysis and incremental assignment.

A run embeds (through the cache), scores sentiment and kind (request, bug, ...; from the same
embeddings), discovers themes (nlp), matches them to the themes already stored so that ids,
human names and links survive, records lineage, and replaces the machine assignments of its
scope. Manual assignments (a person moved an item) are never
overwritten. Services flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from nlp.assign import assign_to_themes
from nlp.continuity import continue_themes
from nlp.discovery import discover_themes
from nlp.labels import PhraseEmbedder
from nlp.matching import LineageEvent
from nlp.types import DiscoveryParams, DiscoveryResult
from voc.errors import InvalidInput, NotFound
from voc.feedback.embeddings import embed_with_cache
from voc.nlp_runtime import Models
from voc.request import evidence as request_evidence
from voc.request import links as request_links
from voc.theme import hierarchy, repository
from voc.theme import stats as theme_stats
from voc.theme.kinds import fill_kinds
from voc.theme.models import AnalysisRun, AssignmentMethod, RunStatus, Theme
from voc.theme.persist import load_prior_state, save_themes
from voc.theme.repository import ItemRow
from voc.theme.sentiment import fill_sentiment
from voc.types import utcnow

logger = logging.getLogger(__name__)

# step name, total -> advance(n); the CLI draws progress bars with it, servers pass None.
ProgressFactory = Callable[[str, int], Callable[[int], None]]


def create_run(
    session: Session, *, seed: int, trigger: str = "cli", params: dict[str, Any] | None = None
) -> AnalysisRun:
    """A pending run row, so that a background job can pick it up."""
    run = AnalysisRun(status=RunStatus.PENDING, trigger=trigger, seed=seed, params=params or {})
    session.add(run)
    session.flush()
    return run


def get_run_or_raise(session: Session, *, run_id: int) -> AnalysisRun:
    """The run with this id, or NotFound."""
    run = session.get(AnalysisRun, run_id)
    if run is None:
        raise NotFound(f"analysis run {run_id} does not exist")
    return run


def fingerprint(items: Sequence[ItemRow]) -> str:
    """A digest of the analysed data (ids and text hashes)."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(f"{item.id}:{item.text_hash};".encode())
    return digest.hexdigest()


def _embed_items(
    session: Session,
    items: Sequence[ItemRow],
    models: Models,
    batch_size: int,
    progress: ProgressFactory | None,
) -> tuple[npt.NDArray[np.float32], dict[str, Any]]:
    texts_by_hash: dict[str, str] = {}
    for item in items:
        texts_by_hash.setdefault(item.text_hash, item.text)
    advance = progress("embedding", len(texts_by_hash)) if progress else None
    hashes, outcome = embed_with_cache(
        session,
        texts_by_hash=texts_by_hash,
        embedder=models.embedder,
        batch_size=batch_size,
        progress=advance,
    )
    row_of = {h: i for i, h in enumerate(hashes)}
    matrix = outcome.vectors[np.fromiter((row_of[i.text_hash] for i in items), dtype=np.int64)]
    kinds = fill_kinds(session, items=items, matrix=matrix, model_id=models.embedder.model_id)
    fill_sentiment(
        session,
        items=items,
        scorer=models.scorer,
        from_joint=outcome.sentiments,
        batch_size=batch_size,
        kinds=kinds,
    )
    stats = {"embedded": outcome.n_computed, "from_cache": outcome.n_cached}
    return matrix, stats


def run_analysis(
    session: Session,
    *,
    models: Models,
    run: AnalysisRun | None = None,
    scope_ids: Sequence[int] | None = None,
    seed: int,
    batch_size: int = 64,
    params: DiscoveryParams | None = None,
    progress: ProgressFactory | None = None,
    product_names: Sequence[str] = (),
) -> AnalysisRun:
    """Analyse every item (or the scope's items) and persist themes, lineage and assignments.

    ``seed`` (``settings.nlp.seed`` at every entry point) makes the run reproducible; a pending
    ``run`` brings the seed it was created with.
    """
    run = run or create_run(session, seed=seed)
    run.status, run.started_at = RunStatus.RUNNING, utcnow()
    run.model_id, run.sentiment_model_id = models.embedder.model_id, models.scorer.model_id
    session.flush()
    clock = time.perf_counter()
    items = repository.load_items(session, ids=scope_ids)
    if len(items) < 2:
        raise InvalidInput("not enough feedback with text to analyse: run `voc ingest` first")
    matrix, embed_stats = _embed_items(session, items, models, batch_size, progress)
    timings = {"load_and_embed": time.perf_counter() - clock}

    def phrase_embedder(phrases: Sequence[str]) -> npt.NDArray[np.float32]:
        return models.embedder.embed(phrases, batch_size=batch_size)

    params = params or _params_for(session, len(items))
    if product_names:
        params = replace(params, product_names=tuple(product_names))
    result = discover_themes(
        matrix,
        [i.text for i in items],
        seed=run.seed,
        params=params,
        phrase_embedder=phrase_embedder,
    )
    timings.update({f"discover_{k}": v for k, v in result.timings.items()})
    clock = time.perf_counter()
    feedback_ids = [i.id for i in items]
    result, stored_ids, events, stored = _reconcile(
        session, items, matrix, result, scope_ids, run, phrase_embedder
    )
    theme_ids = save_themes(
        session,
        run=run,
        result=result,
        feedback_ids=feedback_ids,
        stored_ids=stored_ids,
        events=events,
        stored=stored,
    )
    _write_assignments(session, run, result, feedback_ids, theme_ids, scope_ids is None)
    timings["persist"] = time.perf_counter() - clock
    clock = time.perf_counter()
    hierarchy.regroup(
        session,
        run=run,
        matrix=matrix,
        texts=[i.text for i in items],
        item_theme_ids=[theme_ids[int(k)] if k >= 0 else None for k in result.labels],
        params=result.params,
        phrase_embedder=phrase_embedder,
    )
    timings["parents"] = time.perf_counter() - clock
    _finish(run, items, result, timings, embed_stats)
    session.flush()
    theme_stats.refresh(session)  # the overview reads precomputed stats
    return run


def _params_for(session: Session, n_items: int) -> DiscoveryParams:
    """Defaults for ``n_items``, holding to the granularity the last successful run chose.

    The previous size is only a preference: discovery keeps it while the data scores it as well
    as the best cut (nlp.granularity.pick_cut), so ids stay put until the data clearly changes.
    """
    params = DiscoveryParams.for_size(n_items)
    previous = repository.latest_successful_run(session)
    chosen = (previous.params or {}).get("min_cluster_size") if previous is not None else None
    if previous is None or previous.params.get("granularity") != "data" or not chosen:
        return params
    return replace(params, prior_min_cluster_size=int(chosen))


def _reconcile(
    session: Session,
    items: Sequence[ItemRow],
    matrix: npt.NDArray[np.float32],
    fresh: DiscoveryResult,
    scope_ids: Sequence[int] | None,
    run: AnalysisRun,
    phrase_embedder: PhraseEmbedder,
) -> tuple[DiscoveryResult, tuple[str | None, ...], tuple[LineageEvent, ...], dict[int, Theme]]:
    """Keep stored themes stable (nlp.continuity); a first run makes every theme new."""
    prior, stored = load_prior_state(
        session, feedback_ids=[i.id for i in items], whole_database=scope_ids is None
    )
    if not prior.theme_ids:
        events = tuple(LineageEvent("new", t.index, ()) for t in fresh.themes)
        return fresh, (None,) * len(fresh.themes), events, stored
    texts = [i.text for i in items]
    kept = continue_themes(
        matrix, texts, fresh, prior, seed=run.seed, phrase_embedder=phrase_embedder
    )
    return kept.result, kept.theme_ids, kept.events, stored


def _write_assignments(
    session: Session,
    run: AnalysisRun,
    result: DiscoveryResult,
    feedback_ids: Sequence[int],
    theme_ids: Sequence[int],
    whole_database: bool,
) -> None:
    manual = {
        f
        for f, (_, is_manual) in repository.assignments_of(
            session, feedback_ids=None if whole_database else feedback_ids
        ).items()
        if is_manual
    }
    labels, confidence = result.labels, result.confidence
    rows = (
        {
            "feedback_id": fid,
            "theme_id": theme_ids[int(labels[i])],
            "confidence": float(confidence[i]),
            "run_id": run.id,
            "is_manual": False,
            "method": AssignmentMethod.CLUSTER,
        }
        for i, fid in enumerate(feedback_ids)
        if labels[i] >= 0 and fid not in manual
    )
    repository.replace_machine_assignments(
        session, feedback_ids=None if whole_database else feedback_ids, rows=rows
    )


def _finish(
    run: AnalysisRun,
    items: Sequence[ItemRow],
    result: DiscoveryResult,
    timings: dict[str, float],
    embed_stats: dict[str, Any],
) -> None:
    run.params = {**asdict(result.params), **embed_stats}
    run.data_fingerprint = fingerprint(items)
    run.n_items = len(items)
    run.n_assigned = int(np.sum(result.labels >= 0))
    run.n_themes = len(result.themes)
    run.coverage = run.n_assigned / run.n_items
    run.timings = {k: round(v, 3) for k, v in timings.items()}
    run.status, run.finished_at = RunStatus.SUCCEEDED, utcnow()


def assign_incremental(
    session: Session, *, feedback_ids: Sequence[int], models: Models, batch_size: int = 64
) -> dict[int, int | None]:
    """Embed, score and assign new items to the existing themes at once (feedback id -> theme)."""
    items = repository.load_items(session, ids=feedback_ids)
    out: dict[int, int | None] = dict.fromkeys(feedback_ids)
    if not items:
        return out
    matrix, _ = _embed_items(session, items, models, batch_size, None)
    themes = [t for t in repository.active_themes(session) if t.centroid is not None]
    last = repository.latest_successful_run(session)
    if not themes or last is None:
        return out
    centroids = np.stack([np.frombuffer(t.centroid or b"", dtype=np.float32) for t in themes])
    defaults = DiscoveryParams()
    assignment = assign_to_themes(
        matrix,
        centroids,
        min_similarity=float(
            last.params.get("assign_min_similarity", defaults.assign_min_similarity)
        ),
        min_margin=float(last.params.get("assign_min_margin", defaults.assign_min_margin)),
    )
    existing = repository.assignments_of(session, feedback_ids=[i.id for i in items])
    rows = []
    for i, item in enumerate(items):
        label = int(assignment.labels[i])
        if label < 0 or existing.get(item.id, (0, False))[1]:
            continue
        out[item.id] = themes[label].id
        rows.append(
            {
                "feedback_id": item.id,
                "theme_id": themes[label].id,
                "confidence": float(assignment.confidence[i]),
                "run_id": None,
                "is_manual": False,
                "method": AssignmentMethod.INCREMENTAL,
            }
        )
    repository.replace_machine_assignments(session, feedback_ids=[i.id for i in items], rows=rows)
    session.flush()
    replaced = [f for f, (_, manual) in existing.items() if not manual]
    moved = {existing[f][0] for f in replaced} | {t for f in replaced if (t := out.get(f))}
    if moved:  # items re-assigned: the requests on their themes are recomputed, not patched
        request_links.themes_changed(session, theme_ids=moved)
    # new items count at once in the evidence of the requests confirming their themes
    request_evidence.add_new_items(session, feedback_ids=[f for f, t in out.items() if t])
    return out
