"""Kinds at ingest: filled beside sentiment from the run's embeddings, kept, backfilled, cleared.

Real database (SQLite file, or PostgreSQL with VOC_TEST_DATABASE_URL) and the real models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nlp.clauses import RULE_VERSION
from nlp.kinds import KINDS, classify_kinds
from tests.nlp.kinds_sanity import SANITY
from tests.voc.theme.helpers import add_text
from voc.feedback import queries as feedback_queries
from voc.feedback import service as feedback_service
from voc.feedback.models import Feedback, Kind
from voc.feedback.schemas import FeedbackCreate, FeedbackFilters
from voc.feedback.writer import store_many
from voc.nlp_runtime import Models
from voc.theme import queries as theme_queries
from voc.theme import service as theme_service
from voc.theme.kinds import fill_kinds
from voc.theme.models import ThemeStats
from voc.theme.repository import load_items


class _Queue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        self.sent.append((task, kwargs))


def _kinds(session: Session) -> dict[int, tuple[str | None, float | None]]:
    rows = session.execute(select(Feedback.id, Feedback.kind, Feedback.kind_confidence))
    return {int(i): (k, c) for i, k, c in rows}


def _store_sanity(session: Session) -> dict[int, str]:
    """The sanity sentences as tickets; feedback id -> the kind a person gave the text."""
    return {add_text(session, text, f"s-{n}"): kind for n, (text, kind) in enumerate(SANITY)}


def test_a_run_gives_every_item_a_kind_from_its_embeddings(
    db_session: Session, models: Models
) -> None:
    gold = _store_sanity(db_session)
    theme_service.run_analysis(db_session, models=models, seed=42)
    stored = _kinds(db_session)
    assert all(stored[i][0] in KINDS for i in gold)
    assert all(0.0 < (stored[i][1] or 0.0) <= 1.0 for i in gold)
    right = sum(stored[i][0] == kind for i, kind in gold.items())
    assert right / len(gold) >= 0.85
    # the same predictions as nlp.kinds on the same embeddings: the run's vectors were used
    items = load_items(db_session, ids=list(gold))
    vectors = models.embedder.embed([i.text for i in items])
    expected = classify_kinds([i.text for i in items], vectors)
    assert [stored[i.id][0] for i in items] == [p.kind for p in expected]
    assert np.allclose(
        [stored[i.id][1] for i in items], [p.confidence for p in expected], atol=1e-3
    )


def test_each_theme_counts_its_kinds(db_session: Session, models: Models) -> None:
    _store_sanity(db_session)
    theme_service.run_analysis(db_session, models=models, seed=42)
    stats = list(db_session.scalars(select(ThemeStats)))
    assert stats
    for row in stats:
        assert sum(row.kinds.values()) == row.n_items
        assert set(row.kinds) <= set(KINDS)
        detail = theme_queries.get_detail(db_session, row.theme_id)
        assert [k.kind for k in detail.kinds] == list(KINDS)
        assert {k.kind: k.count for k in detail.kinds if k.count} == row.kinds
        assert abs(sum(k.share for k in detail.kinds) - 1.0) < 1e-9


def test_rows_without_a_kind_are_backfilled_and_stored_kinds_kept(
    db_session: Session, models: Models
) -> None:
    gold = _store_sanity(db_session)
    ids = sorted(gold)
    kept, missing = ids[0], ids[1]
    theme_service.run_analysis(db_session, models=models, seed=42)
    db_session.execute(update(Feedback).where(Feedback.id == kept).values(kind="other"))
    db_session.execute(
        update(Feedback).where(Feedback.id == missing).values(kind=None, kind_confidence=None)
    )  # a row stored before migration 0006
    theme_service.run_analysis(db_session, models=models, seed=42)
    stored = _kinds(db_session)
    assert stored[kept][0] == "other"  # not recomputed: its text did not change
    assert stored[missing][0] in KINDS
    assert stored[missing][1] is not None


def _post_after_a_run(db_session: Session, models: Models, texts: list[str]) -> list[Any]:
    """Run an analysis, then create each text through the POST path (the incremental path)."""
    _store_sanity(db_session)
    theme_service.run_analysis(db_session, models=models, seed=42)
    return [
        feedback_service.create(
            db_session,
            data=FeedbackCreate(source="ticket", text=text),
            models=models,
            queue=_Queue(),
        )
        for text in texts
    ]


def test_new_items_get_their_kind_at_once(db_session: Session, models: Models) -> None:
    [created] = _post_after_a_run(db_session, models, ["Since the update the app keeps crashing"])
    assert created.kind == "bug"
    assert created.kind_confidence is not None
    assert created.kind_confidence > 0.5


def test_a_sure_request_is_stored_neutral_and_a_sure_bug_negative(
    db_session: Session, models: Models
) -> None:
    wish = "Would love a proper HubSpot integration"
    flat_bug = "The app logs me out every time I switch tabs"
    [raw_wish, raw_bug] = models.scorer.score([wish, flat_bug])
    created = _post_after_a_run(db_session, models, [wish, flat_bug])
    assert raw_wish.label == "positive"  # what a tweet-trained model reads
    assert (created[0].kind, created[0].sentiment_label) == ("request", "neutral")
    assert created[0].sentiment_score == 0.0
    assert created[1].kind == "bug"
    assert created[1].sentiment_label == "negative"
    assert raw_bug.label in {"negative", "neutral"}
    stored = db_session.get(Feedback, created[0].id)
    assert stored is not None
    assert stored.sentiment_model == f"{models.scorer.model_id}+{RULE_VERSION}"


def test_a_wish_that_reads_negative_is_stored_neutral_and_a_blunt_one_negative(
    db_session: Session, models: Models
) -> None:
    asking = "Any chance of a dark theme for those of us working late?"
    blunt = "Any chance of a dark theme? The white screen is awful and I can't work at night"
    [raw_asking, raw_blunt] = models.scorer.score([asking, blunt])
    created = _post_after_a_run(db_session, models, [asking, blunt])
    assert raw_asking.label == "negative"  # a tweet-trained model reads asking as complaining
    assert (created[0].kind, created[0].sentiment_label) == ("request", "neutral")
    assert created[0].sentiment_score == 0.0
    assert raw_blunt.label == "negative"
    assert created[1].sentiment_label == "negative"


def test_a_changed_text_loses_its_kind_until_the_next_run(
    db_session: Session, models: Models
) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    first = FeedbackCreate(source="ticket", external_id="t-1", text="How do I export my data?")
    [item_id] = store_many(db_session, items=[first], now=now).feedback_ids
    items = load_items(db_session, ids=[item_id])
    # another embedder's vectors: the prototypes stay out, the cues decide
    assert fill_kinds(db_session, items=items, matrix=np.zeros((1, 384), np.float32), model_id="x")
    assert _kinds(db_session)[item_id][0] == "question"
    changed = first.model_copy(update={"text": "Please add an export to Excel"})
    store_many(db_session, items=[changed], now=now)
    db_session.expire_all()
    assert _kinds(db_session)[item_id] == (None, None)
    items = load_items(db_session, ids=[item_id])
    vectors = models.embedder.embed([items[0].text])
    fill_kinds(db_session, items=items, matrix=vectors, model_id=models.embedder.model_id)
    assert _kinds(db_session)[item_id][0] == "request"


def test_feedback_lists_filter_by_kind(db_session: Session, models: Models) -> None:
    gold = _store_sanity(db_session)
    theme_service.run_analysis(db_session, models=models, seed=42)
    stored = _kinds(db_session)
    bugs = {i for i in gold if stored[i][0] == "bug"}
    assert bugs
    page = feedback_queries.list_feedback(
        db_session, filters=FeedbackFilters(kind="bug"), cursor=None, limit=200
    )
    assert {item.id for item in page.items} == bugs
    assert all(item.kind == "bug" for item in page.items)
    theme_id = next(t for t in (i.theme_id for i in page.items) if t is not None)
    in_theme = theme_queries.list_items(
        db_session, theme_id=theme_id, filters=FeedbackFilters(kind="bug"), limit=200
    )
    assert in_theme.items
    assert all(i.kind == "bug" and i.theme_id == theme_id for i in in_theme.items)


def test_the_stored_kinds_are_the_classifiers() -> None:
    assert [kind.value for kind in Kind] == list(KINDS)
