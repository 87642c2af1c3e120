"""An app on the test database (rolled back per test), users of every role, a small world."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session

from api.app import create_app
from tests.voc_fixtures import World, build_world
from voc.config import Settings
from voc.customer.models import Account
from voc.db import make_engine
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role

with warnings.catch_warnings():  # starlette's testclient reads a deprecated anyio alias
    warnings.filterwarnings("ignore", "The anyio.abc.BlockingPortal alias", DeprecationWarning)
    from fastapi.testclient import TestClient


class RecordingQueue:
    """A job queue that records what would run (the broker and runner are tested apart)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        self.sent.append((task, kwargs))


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, path: str) -> str:
    """The CSRF token of the form on the page at ``path``."""
    match = CSRF_INPUT.search(client.get(path).text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def page_login(client: TestClient, email: str, password: str) -> None:
    """Sign in through the login form (the pages' session cookie)."""
    form = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


@dataclass
class ApiWorld:
    """The client, a token per role, and the ids of the stored world."""

    client: TestClient
    tokens: dict[Role, str]
    world: World
    queue: RecordingQueue
    request_id: int = 0  # a product request linked to the CSV theme
    account_id: int = 0  # the account of the world's first customer

    def headers(self, role: Role | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def api_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(environment="test", data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture(scope="session")
def savepoint_engine(engine: Engine, database_url: str) -> Iterator[Engine]:
    """The test database with SQLite savepoints that really nest (pysqlite's recipe).

    The app commits each request; those commits must stay inside the test's transaction.
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    eng = make_engine(database_url)

    @event.listens_for(eng, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(eng, "begin")
    def _explicit_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    yield eng
    eng.dispose()


@pytest.fixture
def api_session(savepoint_engine: Engine) -> Iterator[Session]:
    """Like ``db_session``, but commits (the app's and the test's) are rolled back too."""
    connection = savepoint_engine.connect()
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
def app_and_queue(api_session: Session, api_settings: Settings) -> tuple[FastAPI, RecordingQueue]:
    queue = RecordingQueue()
    connection = api_session.connection()

    def session_maker() -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    return create_app(api_settings, session_maker=session_maker, job_queue=queue), queue


@pytest.fixture
def api(api_session: Session, app_and_queue: tuple[FastAPI, RecordingQueue]) -> Iterator[ApiWorld]:
    app, queue = app_and_queue
    db_session = api_session
    world = build_world(db_session)
    tokens = {}
    for role in Role:
        user = user_service.create_user(db_session, email=f"{role.value}@voc.example", role=role)
        tokens[role] = user_service.create_token(db_session, user_id=user.id, name="test")[1]
    request = request_service.create(
        db_session, data=RequestCreate(title="Choose the CSV separator", external_key="REQ-1"),
        actor="admin@voc.example",
    )  # fmt: skip
    request_links.confirm_theme(
        db_session, request_id=request.id, theme_id=world.csv_theme, actor="admin@voc.example"
    )
    account_id = db_session.scalars(select(Account.id).order_by(Account.id)).first() or 0
    db_session.commit()
    with TestClient(app) as client:
        yield ApiWorld(client=client, tokens=tokens, world=world, queue=queue,
                       request_id=request.id, account_id=account_id)  # fmt: skip
