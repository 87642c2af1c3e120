"""The relay as a Dramatiq actor for production (``voc worker`` declares it and starts it).

The actor runs one relay pass and sends itself again, delayed until the next row is due (or
the poll interval): one message keeps the outbox moving. Two workers running it at once are
safe: the claims never hand one row to two relays.
"""

from __future__ import annotations

import logging
from typing import Any

from loop_closure.relay import RelayError, next_due_at, run_due
from voc.config import Settings
from voc.db import get_engine
from voc.types import utcnow

logger = logging.getLogger(__name__)
ACTOR_NAME = "voc.outbox_run"


def declare_actors(broker: Any, settings: Settings, *, queue_name: str) -> dict[str, Any]:
    """Declare the ``voc.outbox_run`` actor on ``broker`` and send its first message."""
    import dramatiq

    def outbox_run() -> None:
        engine = get_engine(settings.database_url)
        try:
            report = run_due(settings, engine)
            if report.claimed:
                logger.info("outbox pass: %s", report)
        except RelayError as exc:
            logger.error("%s", exc.detail)
        poll_ms = int(settings.email.poll_interval_s * 1000)
        due = next_due_at(engine)
        delay_ms = poll_ms
        if due is not None:
            delay_ms = max(0, min(poll_ms, int((due - utcnow()).total_seconds() * 1000)))
        actor.send_with_options(delay=delay_ms)

    actor = dramatiq.actor(
        broker=broker, actor_name=ACTOR_NAME, queue_name=queue_name, max_retries=0,
        time_limit=3600 * 1000,
    )(outbox_run)  # fmt: skip
    actor.send()
    return {ACTOR_NAME: actor}
