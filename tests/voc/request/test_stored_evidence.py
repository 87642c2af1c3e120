"""Stored request evidence: a cold detail reads one row, every change keeps the row current.

Each test compares the stored row (what the list and a cold detail read) with the evidence
computed live from every evidence item, after the change under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.voc_fixtures import EMBEDDER, World, build_world, make_feedback
from voc.customer.models import Account, Customer
from voc.nlp_runtime import Models
from voc.request import evidence as request_evidence
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request import suggest as request_suggest
from voc.request.models import RequestEvidence
from voc.request.schemas import Evidence, RequestCreate
from voc.theme import curation
from voc.theme import service as theme_service
from voc.theme import stats as theme_stats
from voc.theme.models import ThemeAssignment
from voc.types import utcnow

EDITOR = "pm@example.com"


@pytest.fixture
def world(db_session: Session) -> World:
    world = build_world(db_session)
    acme = db_session.scalars(select(Account).where(Account.name == "Acme Corp")).one()
    tiny = db_session.scalars(select(Account).where(Account.name == "Tiny Shop")).one()
    acme.arr, acme.plan, tiny.arr, tiny.plan = 120_000.0, "enterprise", 5_000.0, "starter"
    db_session.flush()
    return world


def _create(session: Session, title: str = "Choose the CSV separator") -> int:
    return request_service.create(session, data=RequestCreate(title=title), actor=EDITOR).id


def _stored(session: Session, request_id: int) -> Evidence:
    evidence = request_evidence.stored_evidence(session, request_id=request_id)
    assert evidence is not None, "the stored row is not current"
    return evidence


def _live(session: Session, request_id: int) -> Evidence:
    return request_evidence.compute(session, request_id=request_id)


@contextmanager
def _writes(session: Session) -> Iterator[list[str]]:
    """The INSERT/UPDATE/DELETE statements sent while the block runs."""
    seen: list[str] = []
    connection = session.connection()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def test_the_stored_evidence_is_the_live_evidence_and_the_detail_reads_it(
    db_session: Session, world: World
) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    request_links.link_items(
        db_session, request_id=rid, feedback_ids=[world.login_items[0], world.csv_items[0]],
        actor=EDITOR,
    )  # fmt: skip
    stored = _stored(db_session, rid)
    assert stored == _live(db_session, rid)
    assert (stored.n_items, stored.n_accounts, stored.arr) == (7, 2, 125_000.0)
    assert all((stored.quotes, stored.negative_quotes, stored.segments, stored.weekly))
    # the detail shows the stored row (not a recount): a planted figure comes through
    row = db_session.get(RequestEvidence, rid)
    assert row is not None
    row.evidence = {**row.evidence, "n_items": 999}
    db_session.flush()
    assert request_service.get_detail(db_session, request_id=rid).evidence.n_items == 999
    # many requests computed in one pass agree with each computed alone
    other = _create(db_session, title="Faster login")
    request_links.confirm_theme(
        db_session, request_id=other, theme_id=world.login_theme, actor=EDITOR
    )
    together = request_evidence.compute_many(db_session, request_ids=[rid, other])
    alone = request_evidence.compute_many(db_session, request_ids=[other])
    assert together[other] == alone[other]
    assert request_evidence.to_evidence(together[rid]) == _live(db_session, rid)


def test_list_and_detail_write_nothing(db_session: Session, world: World) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    db_session.flush()
    with _writes(db_session) as writes:
        page = request_service.list_requests(db_session)
        detail = request_service.get_detail(db_session, request_id=rid)
    assert writes == []
    assert page.requests[0].n_items == detail.evidence.n_items == 6


def test_a_new_item_assigned_incrementally_is_added_at_once_and_only_once(
    db_session: Session, world: World, models: Models
) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    before = _stored(db_session, rid)
    alice = db_session.scalars(select(Customer).where(Customer.email == "alice@acme.example")).one()
    acme = db_session.get(Account, alice.account_id)
    assert acme is not None
    carol = Customer(email="carol@big.example", account_id=None, is_consenting=True)
    big = Account(name="Big Bank", segment="enterprise", plan="premium", arr=50_000.0)
    db_session.add(big)
    db_session.flush()
    carol.account_id = big.id
    db_session.add(carol)
    db_session.flush()
    same = make_feedback(
        db_session, text="CSV export drops accents in names", score=1,
        sentiment="negative", sentiment_score=-0.99, customer_id=alice.id,
        created_at=utcnow() - timedelta(days=1),
    )  # fmt: skip
    new = make_feedback(
        db_session, text="CSV export loses the accents in names", score=10,
        sentiment="positive", customer_id=carol.id, created_at=utcnow(),
    )  # fmt: skip
    # the world's themes are built with the hashing embedder: assign in that space, score
    # sentiment with the real model
    hashing = Models(embedder=EMBEDDER, scorer=models.scorer, joint=None)
    assigned = theme_service.assign_incremental(
        db_session, feedback_ids=[same.id, new.id], models=hashing
    )
    assert assigned == {same.id: world.csv_theme, new.id: world.csv_theme}
    after = _stored(db_session, rid)  # current without any refresh or read
    assert after.n_items == before.n_items + 2
    assert after.n_customers == before.n_customers + 1  # alice was behind it already
    assert after.n_accounts == before.n_accounts + 1
    assert after.arr == before.arr + 50_000.0  # Big Bank once; Acme not twice
    assert after.n_recent == before.n_recent + 2
    assert {m.name for m in after.plans} >= {"premium"}
    assert after == _live(db_session, rid)
    # the item_added job's theme-stats step counts the items in their theme and writes no
    # request evidence: the delta ran once, above; the stored row stays current
    with _writes(db_session) as writes:
        assert theme_stats.add_new_items(db_session, feedback_ids=[same.id, new.id]) == 1
    assert any("theme_stats" in w for w in writes)
    assert not any("request_" in w for w in writes)
    assert _stored(db_session, rid) == after
    # a delta delivered twice (a retried job) counts nothing twice
    request_evidence.add_new_items(db_session, feedback_ids=[same.id, new.id])
    assert _stored(db_session, rid) == after


def test_curation_keeps_the_stored_evidence_current_without_a_read(
    db_session: Session, world: World
) -> None:
    csv_request = _create(db_session)
    login_request = _create(db_session, title="Login with SSO")
    request_links.confirm_theme(
        db_session, request_id=csv_request, theme_id=world.csv_theme, actor=EDITOR
    )
    request_links.confirm_theme(
        db_session, request_id=login_request, theme_id=world.login_theme, actor=EDITOR
    )
    curation.merge(
        db_session, source_ids=[world.login_theme], into_id=world.csv_theme, actor=EDITOR
    )
    # the link moved to the survivor and both rows were rewritten by the merge itself
    for rid in (csv_request, login_request):
        assert _stored(db_session, rid) == _live(db_session, rid)
        assert _stored(db_session, rid).n_items == 10
    curation.split(
        db_session, theme_id=world.csv_theme, actor=EDITOR, feedback_ids=world.login_items[:2],
        seed=1,
    )  # fmt: skip
    for rid in (csv_request, login_request):
        assert _stored(db_session, rid) == _live(db_session, rid)
        assert _stored(db_session, rid).n_items == 8
    moved = db_session.get(ThemeAssignment, world.csv_items[0])
    assert moved is not None
    curation.move_items(
        db_session, feedback_ids=[world.csv_items[0]], to_theme_id=world.hidden_theme,
        actor=EDITOR,
    )  # fmt: skip
    assert _stored(db_session, csv_request).n_items == 7
    assert _stored(db_session, csv_request) == _live(db_session, csv_request)


def test_a_row_older_than_an_account_change_is_not_shown(db_session: Session, world: World) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    stored = _stored(db_session, rid)
    acme = db_session.scalars(select(Account).where(Account.name == "Acme Corp")).one()
    acme.arr = 300_000.0
    db_session.flush()
    assert request_evidence.stored_evidence(db_session, request_id=rid) is None
    shown = request_service.get_detail(db_session, request_id=rid).evidence
    assert shown.arr == stored.arr + 180_000.0  # live, until the next refresh rewrites the row
    request_evidence.refresh_stats(db_session, request_ids=[rid])
    assert _stored(db_session, rid).arr == shown.arr


def test_suggestions_leave_the_stored_row_current(db_session: Session, world: World) -> None:
    rid = _create(db_session, title="CSV export drops accents")
    request_links.confirm_theme(
        db_session, request_id=rid, theme_id=world.login_theme, actor=EDITOR
    )
    found = request_suggest.suggest_themes(db_session, request_id=rid, embedder=EMBEDDER)
    assert world.csv_theme in {s.theme_id for s in found}  # a new suggested link row
    assert _stored(db_session, rid) == _live(db_session, rid)  # still read from the row
