"""Twenty approvals of one campaign at once: one wins, every customer gets one email."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from loop_closure import campaigns
from loop_closure.models import LoopCampaign, OutboxMessage
from tests.loop_closure.harness import TEST_DOMAIN, relay_settings
from tests.voc_fixtures import make_feedback
from voc.customer.models import Customer
from voc.db import session_scope
from voc.errors import Conflict
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request.schemas import RequestCreate
from voc.user import service as user_service
from voc.user.models import Role


def test_twenty_concurrent_approvals_queue_one_email_per_customer(
    relay_db: Engine, database_url: str
) -> None:
    settings = relay_settings(database_url, 25)
    with Session(relay_db) as session:
        rid = request_service.create(
            session, data=RequestCreate(title="Dark mode", external_key="RACE-1"), actor="test"
        ).id
        ids = []
        for i in range(15):
            customer = Customer(email=f"Race{i}@{TEST_DOMAIN}", is_consenting=True)
            session.add(customer)
            session.flush()
            for j in range(2):  # two comments each: still one email
                at = datetime.now(UTC) - timedelta(days=j + 1)
                item = make_feedback(session, text=f"race {i} dark mode please {j}",
                                     customer_id=customer.id, created_at=at)  # fmt: skip
                ids.append(item.id)
        request_links.link_items(session, request_id=rid, feedback_ids=ids, actor="test")
        campaigns.ship(session, request_id=rid, actor="test")
        user_service.create_user(session, email=f"ops@{TEST_DOMAIN}", role=Role.CS_OPS)
        session.commit()
    results: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def approve() -> None:
        barrier.wait()
        try:
            with session_scope(relay_db) as session:
                user = user_service.get_by_email_or_raise(session, email=f"ops@{TEST_DOMAIN}")
                campaigns.approve(session, settings=settings, request_ref="RACE-1", actor=user)
            outcome = "approved"
        except Conflict:
            outcome = "conflict"
        except OperationalError:  # SQLite: "database is locked" for a writer that lost the race
            outcome = "locked"
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=approve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert results["approved"] == 1, results
        assert results["conflict"] == 19, results  # a clear 409, never a database error
        with Session(relay_db) as session:
            rows = session.scalars(select(OutboxMessage.to_address)
                                   .where(OutboxMessage.request_id == rid)).all()  # fmt: skip
            assert sorted(rows) == sorted(f"race{i}@{TEST_DOMAIN}" for i in range(15))
            approved = session.scalar(select(func.count()).select_from(LoopCampaign)
                                      .where(LoopCampaign.status == "approved"))  # fmt: skip
            assert approved == 1
    finally:
        with Session(relay_db) as session:
            from voc.feedback.models import Feedback
            from voc.user.models import User as UserModel

            session.query(OutboxMessage).delete()
            session.query(LoopCampaign).delete()
            session.query(Feedback).filter(Feedback.id.in_(ids)).delete()
            session.query(UserModel).filter(UserModel.email == f"ops@{TEST_DOMAIN}").delete()
            session.commit()
