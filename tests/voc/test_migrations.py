"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.orm import Session

import loop_closure.models  # noqa: F401 - the close-the-loop tables (voc cannot import them)
import voc.models  # noqa: F401 - registers every table
from voc.db import (
    Base,
    current_revision,
    ensure_schema,
    head_revision,
    include_in_comparison,
    make_engine,
    upgrade_schema,
)
from voc.feedback.models import Feedback
from voc.theme.models import Theme, ThemeAssignment, ThemeStats


def test_migrated_schema_has_no_drift_from_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_comparison}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_schema_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()


def test_ensure_schema_builds_a_fresh_sqlite_file_and_is_idempotent(sqlite_file_url: str) -> None:
    fresh = make_engine(sqlite_file_url)
    assert current_revision(fresh) is None
    ensure_schema(fresh)
    ensure_schema(fresh)
    tables = set(inspect(fresh).get_table_names())
    assert {"feedback", "themes", "theme_assignments", "embedding_cache"} <= tables
    assert current_revision(fresh) == head_revision()
    fresh.dispose()


def test_0003_copies_each_items_date_onto_its_assignment(sqlite_file_url: str) -> None:
    engine = make_engine(sqlite_file_url)
    upgrade_schema(engine, "0002")
    at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Feedback.__table__).values(
                id=1, source="nps", external_id="1", text="CSV export drops accents",
                text_hash="h", content_hash="c", created_at=at, metadata={},
                ingested_at=at, updated_at=at,
            )
        )  # fmt: skip
        connection.execute(
            insert(Theme.__table__).values(
                id=1, status="active", machine_label="CSV export", keywords=["csv"],
                representative_ids=[], size=1, created_at=at, updated_at=at,
            )
        )  # fmt: skip
        connection.execute(
            insert(ThemeAssignment.__table__).values(
                feedback_id=1, theme_id=1, confidence=0.9, method="cluster"
            )
        )
    upgrade_schema(engine)
    with Session(engine) as session:
        stored = session.get(ThemeAssignment, 1)
        assert stored is not None
        assert stored.feedback_created_at == at
    engine.dispose()


def test_0004_fills_the_average_sentiment_of_stored_stats(sqlite_file_url: str) -> None:
    engine = make_engine(sqlite_file_url)
    upgrade_schema(engine, "0003")
    at = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    scores = {1: -0.8, 2: 0.4, 3: None}  # item 3 was never scored
    with engine.begin() as connection:
        connection.execute(
            insert(Theme.__table__).values(
                id=1, status="active", machine_label="CSV export", keywords=["csv"],
                representative_ids=[], size=3, created_at=at, updated_at=at,
            )
        )  # fmt: skip
        for item_id, score in scores.items():
            connection.execute(
                insert(Feedback.__table__).values(
                    id=item_id, source="nps", external_id=str(item_id), text=f"text {item_id}",
                    text_hash=f"h{item_id}", content_hash=f"c{item_id}", created_at=at,
                    metadata={}, ingested_at=at, updated_at=at, sentiment_score=score,
                )
            )  # fmt: skip
            connection.execute(
                insert(ThemeAssignment.__table__).values(
                    feedback_id=item_id, theme_id=1, confidence=0.9, method="cluster",
                    feedback_created_at=at,
                )
            )  # fmt: skip
        connection.execute(  # the 0003 table: without the new columns
            text(
                "INSERT INTO theme_stats (theme_id, n_items, n_positive, n_negative, n_neutral, "
                "n_mixed, n_promoters, n_passives, n_detractors, weekly, segments, computed_at) "
                "VALUES (1, 3, 1, 1, 0, 0, 0, 0, 0, '[]', '{}', '2026-05-01 09:30:00')"
            )
        )
    upgrade_schema(engine)
    with Session(engine) as session:
        stored = session.get(ThemeStats, 1)
        assert stored is not None
        assert (stored.n_sentiment, round(stored.sentiment_sum, 6)) == (2, -0.4)
    engine.dispose()
