"""The feedback explorer: newest items by words (text search), or the closest by meaning.

One call answers a page (:func:`explore`); :func:`export` gives what a download of the same
question contains: every matching item up to :data:`voc.export.EXPORT_MAX_ROWS` in text mode,
the hits in semantic mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from voc.export import export_items
from voc.feedback import queries as feedback_queries
from voc.feedback.schemas import FeedbackPage, FeedbackRead
from voc.nlp_runtime import Models
from voc.search import service as search_service
from voc.search.schemas import ExplorePage, ExploreQuery

SEMANTIC_K = 50  # hits of a search by meaning (one page, best first)


def explore(
    session: Session,
    *,
    ask: ExploreQuery,
    cursor: str | None,
    limit: int,
    data_dir: Path,
    models: Callable[[], Models],
) -> ExplorePage:
    """One page of answers; ``models`` is called (and loads them) only for a search by meaning."""
    if ask.is_semantic and ask.text is not None:
        result = search_service.search(
            session,
            data_dir=data_dir,
            embedder=models().embedder,
            query=ask.text,
            k=SEMANTIC_K,
            filters=ask.item_filters(),
        )
        return ExplorePage(is_semantic=True, items=[], hits=result.hits, next_cursor=None)
    page = feedback_queries.list_feedback(
        session, filters=ask.item_filters(), cursor=cursor, limit=limit
    )
    return ExplorePage(is_semantic=False, items=page.items, hits=[], next_cursor=page.next_cursor)


def export(
    sessions: Callable[[], Session],
    *,
    ask: ExploreQuery,
    data_dir: Path,
    models: Callable[[], Models],
) -> Iterator[tuple[FeedbackRead, float | None]]:
    """Every answer for a download, with its similarity in a search by meaning (else None)."""
    if ask.is_semantic:
        with sessions() as session:
            found = explore(
                session, ask=ask, cursor=None, limit=SEMANTIC_K, data_dir=data_dir, models=models
            )
        return iter([(hit.item, hit.score) for hit in found.hits])
    filters = ask.item_filters()

    def fetch(session: Session, cursor: str | None, limit: int) -> FeedbackPage:
        return feedback_queries.list_feedback(session, filters=filters, cursor=cursor, limit=limit)

    return ((item, None) for item in export_items(sessions, fetch))
