"""Creating feedback through the API use case: stored ids come from the insert itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.feedback import service as feedback_service
from voc.feedback import writer as feedback_writer
from voc.feedback.models import Feedback, Source
from voc.feedback.schemas import FeedbackCreate

EARLIER = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class RecordingQueue:
    """The job queue edge: records what would be sent after commit."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        self.sent.append((task, kwargs))


def _item(n: int, text: str | None = None) -> FeedbackCreate:
    return FeedbackCreate(
        source=Source.TICKET, external_id=f"T-{n}", text=text or f"Invoice {n} shows the wrong VAT"
    )


def _ids(session: Session, external_ids: list[str]) -> set[int]:
    query = select(Feedback.id).where(Feedback.external_id.in_(external_ids))
    return set(session.scalars(query))


def test_store_many_returns_the_ids_it_inserted(db_session: Session) -> None:
    with_and_without_email = [
        _item(n).model_copy(update={"email": f"c{n}@acme.example"} if n % 2 else {})
        for n in range(5)
    ]
    stored = feedback_writer.store_many(db_session, items=with_and_without_email, now=EARLIER)
    assert sorted(stored.feedback_ids) == sorted(_ids(db_session, [f"T-{n}" for n in range(5)]))
    items = [db_session.get(Feedback, i) for i in stored.feedback_ids]
    assert {item.customer_id is None for item in items if item is not None} == {True, False}


def test_a_large_bulk_queues_exactly_its_new_and_changed_items(db_session: Session) -> None:
    feedback_writer.store_many(db_session, items=[_item(n) for n in range(40)], now=EARLIER)
    unchanged = [_item(n) for n in range(20)]
    changed = [_item(n, f"Invoice {n} still shows the wrong VAT") for n in range(20, 30)]
    new = [_item(n) for n in range(100, 110)]
    queue = RecordingQueue()

    result = feedback_service.create_many(
        db_session,
        items=[*unchanged, *changed, *new, new[0]],
        models=None,
        queue=queue,
        created_by="ada@example.com",
    )
    db_session.commit()  # the batches are sent after commit

    summary = result.summary
    assert (summary.unchanged, summary.updated, summary.inserted, summary.rejected) == (
        20, 10, 10, 1,
    )  # fmt: skip
    assert summary.adds_up
    assert result.job is not None
    assert result.job.n_total == 20
    queued = [i for task, kw in queue.sent if task == "assign_batch" for i in kw["feedback_ids"]]
    expected = _ids(db_session, [f"T-{n}" for n in [*range(20, 30), *range(100, 110)]])
    assert sorted(queued) == sorted(expected)
