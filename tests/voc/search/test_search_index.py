"""The usearch index stays in step with the embedding cache: add, search, fold, sync, rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.voc_fixtures import EMBEDDER, make_feedback
from voc.errors import InvalidInput
from voc.feedback.schemas import FeedbackFilters
from voc.search import index as ann
from voc.search import service as search_service
from voc.search.index import IndexFiles

TEXTS = [
    ("CSV export drops accents in names", "nps"),
    ("CSV export is missing the date column", "ticket"),
    ("Login fails every Monday morning", "nps"),
    ("Invoices arrive two weeks late", "ticket"),
    ("Dark mode makes the charts unreadable", "survey"),
]


@pytest.fixture
def items(db_session: Session) -> dict[str, int]:
    """The texts stored with their hashing-embedder vectors in the cache."""
    return {text: make_feedback(db_session, text=text, source=source).id for text, source in TEXTS}


def _search(
    session: Session, data_dir: Path, query: str, **kwargs: object
) -> list[tuple[str, float]]:
    result = search_service.search(
        session,
        data_dir=data_dir,
        embedder=EMBEDDER,
        query=query,
        **kwargs,  # type: ignore[arg-type]
    )
    assert result.model_id == EMBEDDER.model_id
    return [(hit.item.text, hit.score) for hit in result.hits]


def test_added_items_are_found_by_similarity_with_scores(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    added = search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=list(items.values())
    )

    hits = _search(db_session, tmp_path, "CSV export drops accents in names", k=3)

    assert added == len(TEXTS)
    assert hits[0][0] == "CSV export drops accents in names"
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
    assert hits[1][0] == "CSV export is missing the date column"
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(hits) == 3


def test_adding_the_same_items_again_adds_nothing(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    ids = list(items.values())
    search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=ids
    )

    again = search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=ids
    )

    assert again == 0
    assert ann.indexed_count(IndexFiles.for_model(tmp_path, EMBEDDER.model_id)) == len(TEXTS)


def test_delta_is_folded_into_the_main_index_when_it_grows(
    db_session: Session, tmp_path: Path, items: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ann, "DELTA_LIMIT", 3)  # the real limit is 50k items
    files = IndexFiles.for_model(tmp_path, EMBEDDER.model_id)
    ids = list(items.values())

    search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=ids[:2]
    )
    assert files.delta.exists()
    assert not files.main.exists()
    search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=ids[2:]
    )

    assert files.main.exists()
    assert not files.delta.exists()
    assert ann.indexed_count(files) == len(TEXTS)
    assert _search(db_session, tmp_path, "Invoices arrive two weeks late", k=1)[0][0] == (
        "Invoices arrive two weeks late"
    )


def test_sync_indexes_what_the_cache_has_and_the_index_lacks(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=[items[TEXTS[0][0]]]
    )
    late = make_feedback(db_session, text="Search ignores accents", source="survey")

    added = search_service.sync(db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id)

    assert added == len(TEXTS)  # the four other fixture items and the late one
    assert _search(db_session, tmp_path, "Search ignores accents", k=1)[0][0] == late.text


def test_rebuild_replaces_main_and_drops_the_delta(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    files = IndexFiles.for_model(tmp_path, EMBEDDER.model_id)
    search_service.add_items(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, feedback_ids=list(items.values())
    )
    assert files.delta.exists()

    size = search_service.rebuild(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, dim=EMBEDDER.dim
    )

    assert size == len(TEXTS)
    assert not files.delta.exists()
    assert ann.indexed_count(files) == len(TEXTS)
    top = _search(db_session, tmp_path, "Login fails every Monday morning", k=2)
    assert top[0][0] == "Login fails every Monday morning"


def test_search_applies_filters_to_the_candidates(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    search_service.rebuild(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, dim=EMBEDDER.dim
    )

    hits = _search(
        db_session,
        tmp_path,
        "CSV export drops accents",
        k=5,
        filters=FeedbackFilters(source="ticket"),
    )

    assert hits[0][0] == "CSV export is missing the date column"
    assert {text for text, _ in hits} <= {t for t, source in TEXTS if source == "ticket"}


def test_empty_filters_search_like_no_filters(
    db_session: Session, tmp_path: Path, items: dict[str, int]
) -> None:
    assert FeedbackFilters().is_empty
    assert not FeedbackFilters(score_min=0).is_empty  # 0 is a filter, not "unset"
    search_service.rebuild(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, dim=EMBEDDER.dim
    )
    query = "CSV export drops accents"
    assert _search(db_session, tmp_path, query, k=3, filters=FeedbackFilters()) == _search(
        db_session, tmp_path, query, k=3
    )


def test_search_without_an_index_finds_nothing(db_session: Session, tmp_path: Path) -> None:
    assert _search(db_session, tmp_path, "anything", k=5) == []


@pytest.mark.parametrize(("query", "k"), [("   ", 5), ("csv", 0), ("csv", 201)])
def test_bad_search_input_is_refused(
    db_session: Session, tmp_path: Path, query: str, k: int
) -> None:
    with pytest.raises(InvalidInput):
        search_service.search(db_session, data_dir=tmp_path, embedder=EMBEDDER, query=query, k=k)
