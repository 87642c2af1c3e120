"""Alembic environment: uses the engine handed over by ``voc.db`` (batch mode on SQLite)."""

from __future__ import annotations

from alembic import context

import voc.models  # noqa: F401 - registers every table on Base.metadata
from voc.db import Base, include_in_comparison, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on the engine given by the caller (or sqlalchemy.url)."""
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_in_comparison,
        )
        context.run_migrations()


run_migrations_online()
