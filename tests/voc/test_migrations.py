"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import voc.models  # noqa: F401 - registers every table
from voc.db import Base, current_revision, ensure_schema, head_revision, make_engine


def test_migrated_schema_has_no_drift_from_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
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
