"""Engine, session factory, ``session_scope`` and schema upgrades (Alembic)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The text search indexes of migration 0005 are dialect-specific and not in the models.
SEARCH_INDEX_NAMES = ("feedback_fts", "ix_feedback_text_trgm")


def include_in_comparison(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic ``include_object``: leave out the text search index (and FTS shadow tables)."""
    return not (reflected and name is not None and name.startswith(SEARCH_INDEX_NAMES))


class Base(DeclarativeBase):
    """Declarative base of every ORM class."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Engine for a URL; creates the SQLite file's folder and sets its pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":
        # No server-side prepared statements: psycopg prepares a query after 5 runs and
        # PostgreSQL may then keep a generic plan made while a table was still small (a
        # sequential scan), which turns a 200k-row import into an O(n^2) crawl.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("prepare_threshold", None)
        kwargs["connect_args"] = connect_args
    return create_engine(url, **kwargs)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade_schema(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision``."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database, or None for a fresh one."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with the code."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(make_engine("sqlite://")))
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found")
    return head


def ensure_schema(engine: Engine) -> None:
    """Bring the schema to head when it is behind (every command calls this)."""
    if current_revision(engine) != head_revision():
        logger.info("upgrading schema of %s", engine.url.render_as_string(hide_password=True))
        upgrade_schema(engine)


def has_table(engine: Engine, name: str) -> bool:
    """Whether a table exists (used by diagnostics)."""
    return inspect(engine).has_table(name)
