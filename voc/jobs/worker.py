"""A Dramatiq worker process: consumes the queue and runs the task bodies."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from voc.config import Settings
from voc.jobs.runners import DEFAULT_NAMESPACE, declare_actors, make_broker

logger = logging.getLogger(__name__)


def run_worker(
    settings: Settings,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    threads: int = 2,
    stop: threading.Event | None = None,
    extra_actors: Sequence[Callable[..., dict[str, Any]]] = (),
) -> None:
    """Consume jobs until SIGTERM/SIGINT (or ``stop`` is set); finishes the current ones.

    ``extra_actors`` declare actors of the layers above voc (the outbox relay of loop_closure).
    """
    from dramatiq import Worker

    broker = make_broker(settings, namespace=namespace)
    declare_actors(broker, settings, queue_name=namespace)
    for declare in extra_actors:
        declare(broker, settings, queue_name=namespace)
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s: stopping the worker", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    worker = Worker(broker, worker_threads=threads, worker_timeout=500)
    worker.start()
    logger.info("worker on %s queue %r with %d threads", settings.jobs.broker, namespace, threads)
    try:
        stop.wait()
    finally:
        worker.stop()
        broker.close()
