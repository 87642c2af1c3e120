"""Shared fixtures: a real database built by the migrations, rolled back per test.

SQLite file by default; the same suite runs on PostgreSQL when ``VOC_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session

from voc.db import downgrade_schema, make_engine, upgrade_schema

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def _real_sqlite_transactions(engine: Engine) -> None:
    """pysqlite's recipe: explicit BEGIN so that savepoints (test rollbacks) really nest."""

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _explicit_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: VOC_TEST_DATABASE_URL, else a fresh SQLite file."""
    url = os.environ.get("VOC_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a schema built by the migrations once per session."""
    eng = make_engine(database_url)
    if eng.dialect.name == "sqlite":
        _real_sqlite_transactions(eng)
    if eng.dialect.name == "postgresql":
        _reset_postgres(eng)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    """A brand-new SQLite file per test, for commands that manage their own transactions."""
    return f"sqlite:///{tmp_path / 'voc.sqlite3'}"


__all__ = ["database_url", "db_session", "downgrade_schema", "engine", "sqlite_file_url"]


@pytest.fixture(scope="session")
def models() -> object:
    """The real packaged models (MiniLM embedder + shipped sentiment), loaded once."""
    from voc.config import Settings
    from voc.nlp_runtime import get_models

    return get_models(Settings(database_url="sqlite://"))
