"""A small, readable world of feedback and themes for read-side, curation and API tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from nlp.embedding import HashingEmbedder
from voc.customer.models import Account, Customer
from voc.feedback.models import EmbeddingCache, Feedback
from voc.theme import stats as theme_stats
from voc.theme.models import AnalysisRun, RunStatus, Theme, ThemeAssignment, ThemeParent

EMBEDDER = HashingEmbedder(384)
DEFAULT_SCORES = {"negative": -0.6, "neutral": 0.0, "positive": 0.8}
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

CSV = [
    ("CSV export drops accents in customer names", 3, "negative"),
    ("The CSV export is missing the date column", 4, "negative"),
    ("Exporting to CSV takes forever on big reports", 2, "negative"),
    ("CSV export works great now, thanks", 9, "positive"),
    ("Please let us choose the CSV separator on export", 7, "neutral"),
    ("Excel opens the CSV export with broken accents", 5, "negative"),
]
LOGIN = [
    ("Login page keeps asking for my password again", 2, "negative"),
    ("Single sign-on login fails every Monday morning", 1, "negative"),
    ("Login is fast and easy", 10, "positive"),
    ("Two factor login code arrives too late", 6, "negative"),
]
MISC = [("Nice colours on the dashboard", 9, "positive"), ("hello", None, "neutral")]


@dataclass
class World:
    """Ids of what :func:`build_world` created."""

    csv_theme: int = 0
    login_theme: int = 0
    hidden_theme: int = 0
    run_id: int = 0
    csv_items: list[int] = field(default_factory=list)
    login_items: list[int] = field(default_factory=list)
    misc_items: list[int] = field(default_factory=list)
    unassigned: int = 0
    product_parent: int = 0  # parent of the CSV and the hidden theme
    access_parent: int = 0  # parent of the login theme


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_feedback(
    session: Session,
    *,
    text: str,
    score: int | None = None,
    sentiment: str | None = None,
    sentiment_score: float | None = None,
    created_at: datetime = MONDAY,
    source: str = "nps",
    customer_id: int | None = None,
) -> Feedback:
    """One stored feedback item with its embedding in the cache."""
    item = Feedback(
        source=source,
        external_id=f"ext-{_hash(text)[:12]}",
        text=text,
        text_hash=_hash(text),
        content_hash=_hash(text),
        score=score,
        created_at=created_at,
        customer_id=customer_id,
        meta={},
        sentiment_label=sentiment,
        sentiment_score=sentiment_score
        if sentiment_score is not None or sentiment is None
        else DEFAULT_SCORES[sentiment],
    )
    session.add(item)
    if session.get(EmbeddingCache, (EMBEDDER.model_id, item.text_hash)) is None:
        vector = EMBEDDER.embed([text])[0]
        session.add(
            EmbeddingCache(
                model_id=EMBEDDER.model_id,
                text_hash=item.text_hash,
                dim=EMBEDDER.dim,
                vector=vector.tobytes(),
            )
        )
    session.flush()
    return item


def make_theme(session: Session, *, label: str, texts: list[str], run_id: int) -> Theme:
    """An active theme whose centroid is the mean of the texts' embeddings."""
    centroid = EMBEDDER.embed(texts).mean(axis=0)
    centroid = (centroid / np.linalg.norm(centroid)).astype(np.float32)
    theme = Theme(
        machine_label=label,
        keywords=label.lower().split(),
        centroid=centroid.tobytes(),
        size=len(texts),
        created_run_id=run_id,
        last_run_id=run_id,
    )
    session.add(theme)
    session.flush()
    return theme


def _assign(session: Session, theme: Theme, items: list[Feedback], run_id: int) -> None:
    for rank, item in enumerate(items):
        session.add(
            ThemeAssignment(
                feedback_id=item.id,
                theme_id=theme.id,
                confidence=0.9 - rank * 0.01,
                method="cluster",
                run_id=run_id,
                is_manual=False,
                feedback_created_at=item.created_at,
            )
        )
    theme.representative_ids = [i.id for i in items[:3]]


def build_world(session: Session) -> World:
    """Two accounts, three themes (one hidden), thirteen items, stats refreshed."""
    enterprise = Account(name="Acme Corp", segment="enterprise")
    smb = Account(name="Tiny Shop", segment="smb")
    session.add_all([enterprise, smb])
    session.flush()
    alice = Customer(email="alice@acme.example", account_id=enterprise.id, is_consenting=True)
    bob = Customer(email="bob@tiny.example", account_id=smb.id, is_consenting=True)
    session.add_all([alice, bob])
    run = AnalysisRun(status=RunStatus.SUCCEEDED, trigger="test", params={}, n_items=13)
    session.add(run)
    session.flush()
    world = World(run_id=run.id)
    groups = []
    for offset, rows in enumerate((CSV, LOGIN, MISC)):
        items = [
            make_feedback(
                session,
                text=text,
                score=score,
                sentiment=sentiment,
                # negatives grow more negative down each list: -0.5, -0.6, ...
                sentiment_score=-0.5 - 0.1 * i if sentiment == "negative" else None,
                created_at=MONDAY + timedelta(weeks=i % 3, hours=offset),
                customer_id=(alice if i % 2 == 0 else bob).id,
            )
            for i, (text, score, sentiment) in enumerate(rows)
        ]
        groups.append(items)
    labels = ("CSV export", "Login problems", "Misc chatter")
    themes = [
        make_theme(session, label=label, texts=[i.text for i in items], run_id=run.id)
        for label, items in zip(labels, groups, strict=True)
    ]
    for theme, items in zip(themes, groups, strict=True):
        _assign(session, theme, items, run.id)
    themes[2].is_hidden = True
    product = ThemeParent(machine_label="Product", keywords=["csv"], size=9, last_run_id=run.id)
    access = ThemeParent(machine_label="Access", keywords=["login"], size=4, last_run_id=run.id)
    session.add_all([product, access])
    session.flush()
    themes[0].parent_id = themes[2].parent_id = product.id
    themes[1].parent_id = access.id
    world.product_parent, world.access_parent = product.id, access.id
    lonely = make_feedback(session, text="Where is the invoice?", score=None, source="ticket")
    world.csv_theme, world.login_theme, world.hidden_theme = (t.id for t in themes)
    world.csv_items, world.login_items, world.misc_items = ([i.id for i in g] for g in groups)
    world.unassigned = lonely.id
    session.flush()
    theme_stats.refresh(session)
    return world
