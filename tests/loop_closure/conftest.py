"""A loopback SMTP server and a committed test database for the relay tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

import loop_closure.models  # noqa: F401 - the close-the-loop tables on Base.metadata
from tests.loop_closure.harness import SmtpServer, clean, start_smtp


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = start_smtp()
    yield server
    server.stop()


@pytest.fixture
def relay_db(engine: Engine) -> Iterator[Engine]:
    """The test database, with what a test committed removed afterwards."""
    clean(engine)
    yield engine
    clean(engine)
