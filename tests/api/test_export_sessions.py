"""Streamed CSV downloads read in short sessions of their own and hold no connection after.

The request's session is committed and closed before a streamed response is sent, so a stream
that kept reading through it would open a new transaction nobody closes (a connection checked
out until garbage collection). These tests use a real connection pool on a database of their
own (a fresh SQLite file, or a fresh PostgreSQL database on the test server), with committed
data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.app import create_app
from tests.api.conftest import RecordingQueue, TestClient, page_login
from voc.config import AuthSettings, Settings
from voc.db import make_engine, session_factory, session_scope, upgrade_schema
from voc.export import export_items
from voc.feedback import queries as feedback_queries
from voc.feedback.models import Feedback
from voc.feedback.schemas import FeedbackFilters, FeedbackPage
from voc.theme.models import Theme, ThemeAssignment
from voc.user import service as user_service

N_ITEMS = 450  # three pages of EXPORT_PAGE_SIZE (200)
N_THEMED = 250
PASSWORD = "correct horse battery"


@pytest.fixture
def own_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated database that only this test writes to, and commits to."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        engine = make_engine(f"sqlite:///{tmp_path / 'own.sqlite3'}")
        upgrade_schema(engine)
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_export_{os.getpid()}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def stored(own_engine: Engine) -> int:
    """A user who can sign in, N_ITEMS committed items, N_THEMED of them in one theme."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with session_scope(own_engine) as session:
        user_service.create_user(session, email="ana@voc.test", role="viewer", password=PASSWORD)
        theme = Theme(machine_label="invoice totals wrong", keywords=["invoice"])
        session.add(theme)
        items = []
        for n in range(N_ITEMS):
            body = f"Invoice number {n} shows the wrong total"
            digest = hashlib.sha256(body.encode()).hexdigest()
            items.append(
                Feedback(source="ticket", external_id=f"T-{n}", text=body, text_hash=digest,
                         content_hash=digest, created_at=start + timedelta(minutes=n))
            )  # fmt: skip
        session.add_all(items)
        session.flush()
        session.add_all(
            ThemeAssignment(feedback_id=item.id, theme_id=theme.id, confidence=0.9,
                            method="cluster", feedback_created_at=item.created_at)
            for item in items[:N_THEMED]
        )  # fmt: skip
        session.flush()
        return theme.id


def _all_items(session: Session, cursor: str | None, limit: int) -> FeedbackPage:
    return feedback_queries.list_feedback(
        session, filters=FeedbackFilters(), cursor=cursor, limit=limit
    )


def test_paged_export_holds_no_connection_between_pages(own_engine: Engine, stored: int) -> None:
    rows = export_items(session_factory(own_engine), _all_items)
    first = next(rows)  # the consumer works on a row: no connection is held meanwhile
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    rest = list(rows)
    assert len(rest) + 1 == N_ITEMS
    assert len({first.id, *(item.id for item in rest)}) == N_ITEMS
    assert own_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_streamed_csv_downloads_complete_and_return_their_connections(
    own_engine: Engine, stored: int, tmp_path: Path
) -> None:
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=str(own_engine.url),
        auth=AuthSettings(secret_key=SecretStr("export-sessions-secret")),
    )
    app = create_app(
        settings, session_maker=session_factory(own_engine), job_queue=RecordingQueue()
    )
    with TestClient(app, follow_redirects=False) as client:
        page_login(client, "ana@voc.test", PASSWORD)
        downloads = {
            "/feedback?format=csv": N_ITEMS,
            f"/themes/{stored}?format=csv": N_THEMED,
        }
        for path, expected in downloads.items():
            response = client.get(path)
            assert response.status_code == 200, response.text
            rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
            assert len(rows) == expected, path
            assert len({row["feedback_id"] for row in rows}) == expected
            assert own_engine.pool.checkedout() == 0, path  # type: ignore[attr-defined]
