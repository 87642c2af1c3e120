"""Engine set-up that matters at scale."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text


def test_postgres_connections_never_prepare_server_side(engine: Engine) -> None:
    """A generic plan cached while a table is small would make large imports quadratic."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set VOC_TEST_DATABASE_URL)")
    with engine.connect() as conn:
        for _ in range(8):  # psycopg would prepare from the 5th run
            conn.execute(text("SELECT 1")).scalar_one()
        assert conn.connection.driver_connection.prepare_threshold is None  # type: ignore[union-attr]
        prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    assert prepared == 0
