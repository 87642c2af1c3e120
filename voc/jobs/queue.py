"""How a service hands work to the background: the ``JobQueue`` protocol, sent after commit.

Services call :func:`enqueue_after_commit`; the queues themselves (Dramatiq, in-process) live
in :mod:`voc.jobs.runners`, which imports the task bodies, so that any service may import this
module without importing every task.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

_PENDING_KEY = "voc_pending_jobs"


class JobQueue(Protocol):
    """Accepts tasks to run in the background."""

    def enqueue(self, task: str, **kwargs: Any) -> None:
        """Schedule ``task`` with JSON-serialisable keyword arguments."""
        ...


def enqueue_after_commit(session: Session, queue: JobQueue, task: str, **kwargs: Any) -> None:
    """Send the task once the session's transaction commits (dropped on rollback).

    A worker must find the rows the job refers to: sending before the commit would race it.
    """
    pending: list[tuple[JobQueue, str, dict[str, Any]]] = session.info.setdefault(_PENDING_KEY, [])
    if not pending:

        @event.listens_for(session, "after_commit", once=True)
        def _send(committed: Session) -> None:
            jobs = committed.info.pop(_PENDING_KEY, [])
            for target, name, arguments in jobs:
                target.enqueue(name, **arguments)

        @event.listens_for(session, "after_rollback", once=True)
        def _drop(rolled_back: Session) -> None:
            rolled_back.info.pop(_PENDING_KEY, None)

    pending.append((queue, task, kwargs))
