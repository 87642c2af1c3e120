"""Link suggestions both ways: themes for a request, requests for a theme.

Every pair of a request and an active theme is scored at once (``voc/request/ranking.py``): the
shown score is the match (centroid and closest representative quotes, plus the request's words
found in the theme's quotes and keywords), the order is the contrast (the match less each
side's hub, so that a generic request does not top every theme). The closest quotes are shown as
the why. Rejected pairs are never suggested again. The suggestions kept (score at or above
``settings.requests.suggest_min_score``) are stored as ``suggested`` links, so the theme page
shows them without a model. Quality: ``bench/request_links.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from nlp.embedding import Embedder
from voc.config import get_settings
from voc.errors import Conflict, InvalidInput, NotFound
from voc.feedback.models import EmbeddingCache, Feedback
from voc.feedback.schemas import FeedbackFilters
from voc.request import links as request_links
from voc.request import ranking, repository
from voc.request.models import LinkState, ProductRequest, ThemeRequestLink
from voc.request.schemas import (
    FeedbackMatch,
    FeedbackMatches,
    QuoteMatch,
    RequestSuggestion,
    ThemeRequestRead,
    ThemeSuggestion,
)
from voc.search import service as search_service
from voc.theme.models import Theme, ThemeStatus
from voc.types import utcnow

N_WHY = 3
KINDS = ("request", "bug", "praise", "question", "other")
KIND_OVERFETCH = 4  # candidates per wanted hit when a kind filter may drop some
MAX_DESCRIPTION_CHARS = 2_000

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ThemeVectors:
    """What a theme is compared by: its centroid, its representative quotes, its keywords."""

    theme_id: int
    centroid: FloatArray | None
    quote_ids: tuple[int, ...]
    quote_texts: tuple[str, ...]
    quotes: FloatArray  # (n quotes, dim), L2-normalised
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairScores:
    """Scores of every (request, theme) pair: (requests x themes) matrices."""

    match: FloatArray  # shown and thresholded
    centroid: FloatArray
    quote: FloatArray
    order: FloatArray  # the contrast suggestions are sorted by


def request_text(title: str, description: str | None) -> str:
    """The text a request is embedded from: its title, then the start of its description."""
    if not description:
        return title
    return f"{title}. {description[:MAX_DESCRIPTION_CHARS]}"


def _normalise(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def score_pairs(
    request_vectors: FloatArray, request_texts: Sequence[str], themes: Sequence[ThemeVectors]
) -> PairScores:
    """Match and contrast of every request against every theme (the shipped scoring)."""
    shape = (len(request_vectors), len(themes))
    match, cen, quote = (np.zeros(shape, dtype=np.float32) for _ in range(3))
    for j, theme in enumerate(themes):
        match[:, j], cen[:, j], quote[:, j] = ranking.semantic(
            request_vectors, theme.centroid, theme.quotes
        )
    lexical = ranking.lexical_matrix(
        request_texts, [ranking.ThemeText(t.quote_texts, t.keywords) for t in themes]
    )
    match = ranking.with_lexical(match, lexical)
    return PairScores(match=match, centroid=cen, quote=quote, order=ranking.contrast(match))


def _quote_sims(theme: ThemeVectors, vector: FloatArray) -> FloatArray:
    if len(theme.quotes) and theme.quotes.shape[1] == vector.shape[0]:
        sims: FloatArray = theme.quotes @ vector
        return sims
    return np.zeros(0, dtype=np.float32)


def embedding_of(session: Session, *, request: ProductRequest, embedder: Embedder) -> FloatArray:
    """The request's embedding, computed once per text and model and kept on the row."""
    text = request_text(request.title, request.description)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if (
        request.embedding is not None
        and request.embedding_model == embedder.model_id
        and request.embedding_hash == digest
    ):
        return np.frombuffer(request.embedding, dtype=np.float32)
    vector = _normalise(embedder.embed([text])[0].astype(np.float32))
    request.embedding, request.embedding_model = vector.tobytes(), embedder.model_id
    request.embedding_hash = digest
    session.flush()
    return vector


def embeddings_of(
    session: Session, *, requests: Sequence[ProductRequest], embedder: Embedder
) -> FloatArray:
    """Embeddings of many requests (those missing or stale embedded in one batch)."""
    texts = [request_text(r.title, r.description) for r in requests]
    digests = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    stale = [
        i
        for i, (r, d) in enumerate(zip(requests, digests, strict=True))
        if r.embedding is None or r.embedding_model != embedder.model_id or r.embedding_hash != d
    ]
    if stale:
        fresh = embedder.embed([texts[i] for i in stale]).astype(np.float32)
        for row, i in zip(fresh, stale, strict=True):
            vector = _normalise(row)
            requests[i].embedding, requests[i].embedding_model = vector.tobytes(), embedder.model_id
            requests[i].embedding_hash = digests[i]
        session.flush()
    if not requests:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([np.frombuffer(r.embedding or b"", dtype=np.float32) for r in requests])


def theme_vectors(
    session: Session, *, themes: Sequence[Theme], model_id: str
) -> list[ThemeVectors]:
    """Centroid and representative quote vectors of each theme (quotes from the cache)."""
    wanted = sorted({i for t in themes for i in (t.representative_ids or [])})
    rows: dict[int, tuple[str, bytes]] = {}
    for start in range(0, len(wanted), 5_000):
        chunk = wanted[start : start + 5_000]
        for fid, text, vector in session.execute(
            select(Feedback.id, Feedback.text, EmbeddingCache.vector)
            .join(
                EmbeddingCache,
                and_(
                    EmbeddingCache.text_hash == Feedback.text_hash,
                    EmbeddingCache.model_id == model_id,
                ),
            )
            .where(Feedback.id.in_(chunk))
        ):
            rows[int(fid)] = (text, vector)
    out = []
    for theme in themes:
        ids = [i for i in (theme.representative_ids or []) if i in rows]
        quotes = (
            np.stack([_normalise(np.frombuffer(rows[i][1], dtype=np.float32)) for i in ids])
            if ids
            else np.zeros((0, 0), dtype=np.float32)
        )
        centroid = (
            np.frombuffer(theme.centroid, dtype=np.float32) if theme.centroid is not None else None
        )
        out.append(
            ThemeVectors(
                theme_id=theme.id,
                centroid=centroid,
                quote_ids=tuple(ids),
                quote_texts=tuple(rows[i][0] for i in ids),
                quotes=quotes,
                keywords=tuple(theme.keywords or ()),
            )
        )
    return out


def _why(theme: ThemeVectors, sims: FloatArray) -> list[QuoteMatch]:
    order: list[int] = [int(i) for i in np.argsort(-sims, kind="stable")[:N_WHY]]
    return [
        QuoteMatch(
            feedback_id=theme.quote_ids[i],
            text=theme.quote_texts[i],
            similarity=round(float(sims[i]), 4),
        )
        for i in order
    ]


def _store(session: Session, *, pairs: Sequence[tuple[int, int, float]]) -> None:
    """Insert or refresh ``suggested`` links; confirmed and rejected rows are left alone."""
    for theme_id, request_id, value in pairs:
        link = repository.theme_link(session, theme_id, request_id)
        if link is None:
            session.add(
                ThemeRequestLink(
                    theme_id=theme_id,
                    request_id=request_id,
                    state=LinkState.SUGGESTED,
                    score=value,
                    origin="suggestion",
                    created_at=utcnow(),
                )
            )
        elif link.state == LinkState.SUGGESTED:
            link.score = value
    session.flush()


def _candidate_themes(session: Session) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme)
            .where(Theme.status == ThemeStatus.ACTIVE, Theme.is_hidden.is_(False))
            .order_by(Theme.id)
        )
    )


def suggest_themes(
    session: Session,
    *,
    request_id: int,
    embedder: Embedder,
    limit: int | None = None,
    store: bool = True,
) -> list[ThemeSuggestion]:
    """Themes the request most likely stands for, best first (never a rejected pair)."""
    request = session.get(ProductRequest, request_id)
    if request is None:
        raise NotFound(f"request {request_id} does not exist")
    settings = get_settings().requests
    limit = limit or settings.suggest_limit
    requests = list(session.scalars(select(ProductRequest).order_by(ProductRequest.id)))
    row = next(i for i, r in enumerate(requests) if r.id == request.id)
    matrix = embeddings_of(session, requests=requests, embedder=embedder)
    states = {link.theme_id: link.state for link in repository.theme_links(session, request.id)}
    themes = _candidate_themes(session)
    vectors = theme_vectors(session, themes=themes, model_id=embedder.model_id)
    scores = score_pairs(matrix, [request_text(r.title, r.description) for r in requests], vectors)
    labels = {t.id: t.label for t in themes}
    ranked = sorted(
        (j for j, t in enumerate(themes) if states.get(t.id) != LinkState.REJECTED),
        key=lambda j: (-scores.order[row, j], themes[j].id),
    )
    out = [
        ThemeSuggestion(
            theme_id=vectors[j].theme_id,
            label=labels[vectors[j].theme_id],
            score=round(float(scores.match[row, j]), 4),
            centroid_similarity=round(float(scores.centroid[row, j]), 4),
            quote_similarity=round(float(scores.quote[row, j]), 4),
            state=str(states.get(vectors[j].theme_id, LinkState.SUGGESTED)),
            why=_why(vectors[j], _quote_sims(vectors[j], matrix[row])),
        )
        for j in ranked[:limit]
    ]
    if store:
        _store(
            session,
            pairs=[(s.theme_id, request.id, s.score) for s in out
                   if s.score >= settings.suggest_min_score],
        )  # fmt: skip
    return out


def suggest_requests(
    session: Session,
    *,
    theme_id: int,
    embedder: Embedder,
    limit: int | None = None,
    store: bool = True,
) -> list[RequestSuggestion]:
    """Requests a theme most likely argues for, best first (never a rejected pair)."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"theme {theme_id} does not exist")
    if theme.status != ThemeStatus.ACTIVE:
        raise Conflict(f"theme {theme_id} is {theme.status}; only active themes get suggestions")
    settings = get_settings().requests
    limit = limit or settings.suggest_limit
    requests = list(session.scalars(select(ProductRequest).order_by(ProductRequest.id)))
    states = {
        link.request_id: link.state
        for link in session.scalars(
            select(ThemeRequestLink).where(ThemeRequestLink.theme_id == theme.id)
        )
    }
    if all(states.get(r.id) == LinkState.REJECTED for r in requests):
        return []
    matrix = embeddings_of(session, requests=requests, embedder=embedder)
    themes = [t for t in _candidate_themes(session) if t.id != theme.id]
    vectors = theme_vectors(session, themes=[theme, *themes], model_id=embedder.model_id)
    scores = score_pairs(matrix, [request_text(r.title, r.description) for r in requests], vectors)
    ranked = sorted(
        (i for i, r in enumerate(requests) if states.get(r.id) != LinkState.REJECTED),
        key=lambda i: (-scores.order[i, 0], requests[i].id),
    )
    out = [
        RequestSuggestion(
            request_id=requests[i].id,
            external_key=requests[i].external_key,
            title=requests[i].title,
            status=requests[i].status,
            score=round(float(scores.match[i, 0]), 4),
            state=str(states.get(requests[i].id, LinkState.SUGGESTED)),
            why=_why(vectors[0], _quote_sims(vectors[0], matrix[i])),
        )
        for i in ranked[:limit]
    ]
    if store:
        _store(
            session,
            pairs=[(theme.id, s.request_id, s.score) for s in out
                   if s.score >= settings.suggest_min_score],
        )  # fmt: skip
    return out


def find_feedback(
    session: Session,
    *,
    request_id: int,
    data_dir: Path,
    embedder: Embedder,
    q: str | None = None,
    k: int = 50,
    filters: FeedbackFilters | None = None,
    kind: str | None = None,
) -> FeedbackMatches:
    """Items that ask for this request: a semantic search (ANN index) from its text or ``q``.

    ``kind`` keeps only items of that kind (request, bug, praise, question, other).
    """
    request = session.get(ProductRequest, request_id)
    if request is None:
        raise NotFound(f"request {request_id} does not exist")
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind: one of {', '.join(KINDS)}")
    query = (q or "").strip() or request_text(request.title, request.description)
    wanted = k if kind is None else min(search_service.MAX_K, k * KIND_OVERFETCH)
    found = search_service.search(
        session, data_dir=data_dir, embedder=embedder, query=query[:500], k=wanted,
        filters=filters,
    )  # fmt: skip
    if kind is not None:
        ids = [hit.item.id for hit in found.hits]
        of_kind = set(
            session.scalars(select(Feedback.id).where(Feedback.id.in_(ids), Feedback.kind == kind))
        )
        found.hits = [hit for hit in found.hits if hit.item.id in of_kind][:k]
    linked = repository.linked_item_ids(session, request.id)
    return FeedbackMatches(
        query=found.query,
        model_id=found.model_id,
        hits=[
            FeedbackMatch(
                score=hit.score,
                is_linked=hit.item.id in linked,
                feedback_id=hit.item.id,
                text=hit.item.text,
                source=hit.item.source,
                score_nps=hit.item.score,
                created_at=hit.item.created_at,
                customer_id=hit.item.customer_id,
            )
            for hit in found.hits
        ],
    )


def requests_of_theme(session: Session, *, theme_id: int) -> list[ThemeRequestRead]:
    """A theme's confirmed and suggested requests (stored links; no model needed)."""
    return [
        ThemeRequestRead(
            request_id=request.id,
            external_key=request.external_key,
            title=request.title,
            status=request.status,
            state=link.state,
            score=link.score,
            origin=link.origin,
        )
        for link, request in request_links.requests_of_theme(session, theme_id=theme_id)
    ]
