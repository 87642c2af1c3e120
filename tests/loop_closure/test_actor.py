"""The relay as a Dramatiq actor: declared, started, it sends what is due (stub broker)."""

from __future__ import annotations

import time

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from loop_closure import jobs as loop_jobs
from tests.loop_closure.harness import SmtpServer, outbox_rows, relay_settings, seed


def test_the_outbox_actor_sends_due_rows_and_keeps_polling(
    relay_db: Engine, database_url: str, smtp: SmtpServer
) -> None:
    from dramatiq import Worker
    from dramatiq.brokers.stub import StubBroker

    settings = relay_settings(database_url, smtp.port, poll_interval_s=0.2)
    with Session(relay_db) as session:
        seed(session, settings, n=3)
        session.commit()
    broker = StubBroker()
    broker.emit_after("process_boot")
    actors = loop_jobs.declare_actors(broker, settings, queue_name="loop-test")
    assert list(actors) == [loop_jobs.ACTOR_NAME]
    worker = Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(smtp.handler.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp.handler.received) == 3
        with Session(relay_db) as session:  # a row queued later is picked up by the next poll
            seed(session, settings, n=1, prefix="late")
            session.commit()
        deadline = time.monotonic() + 30
        while len(smtp.handler.received) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp.handler.received) == 4
    finally:
        worker.stop()
        broker.close()
    assert {r.status for r in outbox_rows(relay_db)} == {"sent"}
