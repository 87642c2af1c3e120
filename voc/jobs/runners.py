"""Where jobs go: Dramatiq on Redis/RabbitMQ in production, an in-process runner by default.

Both call the same task bodies (:mod:`voc.jobs.tasks`). The in-process runner executes jobs one
at a time on a background thread of the web process (SQLite has one writer anyway); the
Dramatiq queue sends one message per task (an import is one message per batch, so several
workers on several machines share the embedding).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from voc.config import Settings
from voc.jobs import tasks
from voc.jobs.queue import JobQueue

logger = logging.getLogger(__name__)
DEFAULT_NAMESPACE = "voc"
RETRIES = {"run_analysis": 0, "assign_batch": 3, "item_added": 3, "rebuild_index": 1}


class InProcessQueue:
    """Runs tasks on one background thread of this process (the embedded default)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="voc-job")
        self.futures: list[Future[None]] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        """Submit the task to the background thread."""
        if task not in tasks.TASKS:
            raise KeyError(f"unknown task {task!r}")
        self.futures = [f for f in self.futures if not f.done()]
        self.futures.append(self._executor.submit(self._run, task, kwargs))

    def _run(self, task: str, kwargs: dict[str, Any]) -> None:
        try:
            tasks.execute(self._settings, task, kwargs)
        except Exception as exc:
            logger.exception("background task %s failed", task)
            if "job_id" in kwargs:
                tasks.fail_job(self._settings, job_id=int(kwargs["job_id"]), error=str(exc))

    def wait(self, timeout: float | None = None) -> None:
        """Block until every submitted task has finished (tests, shutdown)."""
        for future in list(self.futures):
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        """Finish queued tasks and stop the thread."""
        self._executor.shutdown(wait=True)


def make_broker(settings: Settings, *, namespace: str = DEFAULT_NAMESPACE) -> Any:
    """A Dramatiq broker for the configured Redis or RabbitMQ (not the global one)."""
    if settings.jobs.broker == "redis":
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=settings.jobs.redis_url, namespace=namespace)  # type: ignore[no-untyped-call]
    if settings.jobs.broker == "rabbitmq":
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=settings.jobs.rabbitmq_url)
    raise ValueError("the in-process runner has no broker")


def declare_actors(broker: Any, settings: Settings, *, queue_name: str) -> dict[str, Any]:
    """One Dramatiq actor per task on ``broker``; the worker side runs the task bodies."""
    import dramatiq

    actors: dict[str, Any] = {}
    for name in tasks.TASKS:

        def body(_task: str = name, **kwargs: Any) -> None:
            tasks.execute(settings, _task, kwargs)

        actors[name] = dramatiq.actor(
            broker=broker,
            actor_name=f"voc.{name}",
            queue_name=queue_name,
            max_retries=RETRIES[name],
            min_backoff=1_000,
            max_backoff=60_000,
            time_limit=6 * 3600 * 1000,
        )(body)
    return actors


class DramatiqQueue:
    """Sends tasks as Dramatiq messages; ``voc worker`` processes run them."""

    def __init__(self, settings: Settings, *, namespace: str = DEFAULT_NAMESPACE) -> None:
        self.broker = make_broker(settings, namespace=namespace)
        self.actors = declare_actors(self.broker, settings, queue_name=namespace)

    def enqueue(self, task: str, **kwargs: Any) -> None:
        """Send one message for ``task``."""
        self.actors[task].send(**kwargs)


def make_job_queue(settings: Settings, *, namespace: str = DEFAULT_NAMESPACE) -> JobQueue:
    """The queue the settings ask for (``jobs.broker``)."""
    if settings.jobs.broker == "inprocess":
        return InProcessQueue(settings)
    return DramatiqQueue(settings, namespace=namespace)
