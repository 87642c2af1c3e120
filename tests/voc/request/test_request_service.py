"""Product requests: create, edit, status history, links, lineage, evidence, suggestions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.voc_fixtures import EMBEDDER, World, build_world
from voc.customer.models import Account, Customer
from voc.errors import Conflict, InvalidInput, NotFound
from voc.feedback import service as feedback_service
from voc.feedback.schemas import FeedbackCreate
from voc.nlp_runtime import Models
from voc.request import evidence as request_evidence
from voc.request import links as request_links
from voc.request import service as request_service
from voc.request import suggest as request_suggest
from voc.request.models import LinkState, ThemeRequestLink
from voc.request.schemas import Evidence, RequestCreate, RequestFilters, RequestUpdate
from voc.theme import curation
from voc.theme import stats as theme_stats
from voc.theme.models import ThemeAssignment

EDITOR = "pm@example.com"


class RecordingQueue:
    """The job queue edge: records what would be sent after commit."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        self.sent.append((task, kwargs))


@pytest.fixture
def world(db_session: Session) -> World:
    world = build_world(db_session)
    acme = db_session.scalars(select(Account).where(Account.name == "Acme Corp")).one()
    tiny = db_session.scalars(select(Account).where(Account.name == "Tiny Shop")).one()
    acme.arr, acme.plan, tiny.arr, tiny.plan = 120_000.0, "enterprise", 5_000.0, "starter"
    db_session.flush()
    return world


def _create(session: Session, title: str = "Choose the CSV separator", **kw: object) -> int:
    data = RequestCreate(title=title, **kw)  # type: ignore[arg-type]
    return request_service.create(session, data=data, actor=EDITOR).id


def test_create_edit_and_status_history_with_shipped_at(db_session: Session, world: World) -> None:
    rid = _create(db_session, external_key="PROD-1", description="Semicolons for Excel")
    request_service.edit(
        db_session, request_id=rid, data=RequestUpdate(release_note="Pick it in settings"),
        actor="other@example.com",
    )  # fmt: skip
    planned = request_service.change_status(
        db_session, request_id=rid, status="planned", actor=EDITOR, note="Q3"
    )
    assert not planned.became_shipped
    assert planned.request.shipped_at is None
    shipped = request_service.change_status(
        db_session, request_id=rid, status="shipped", actor=EDITOR
    )
    assert shipped.became_shipped
    assert shipped.request.shipped_at is not None
    again = request_service.change_status(
        db_session, request_id=rid, status="shipped", actor=EDITOR
    )
    assert not again.became_shipped
    assert again.change is None
    history = request_service.history(db_session, request_id=rid)
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "open"), ("open", "planned"), ("planned", "shipped"),
    ]  # fmt: skip
    assert history[1].note == "Q3"
    assert history[1].actor == EDITOR
    stored = request_service.get_by_key(db_session, "PROD-1")
    assert stored is not None
    assert stored.release_note == "Pick it in settings"
    assert stored.updated_by == EDITOR


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("title", {"title": "  "}),
        ("title", {"title": "<b>Bold</b> export"}),
        ("title", {"title": "x" * 300}),
        ("description", {"title": "ok", "description": "y" * 100_000}),
        ("status", {"title": "ok", "status": "someday"}),
        ("url", {"title": "ok", "url": "javascript:alert(1)"}),
    ],
)
def test_bad_input_names_the_field(
    db_session: Session, world: World, field: str, data: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput, match=rf"^{field}:"):
        request_service.create(db_session, data=RequestCreate(**data), actor=EDITOR)  # type: ignore[arg-type]


def test_duplicate_key_conflicts_and_unknown_request_is_not_found(
    db_session: Session, world: World
) -> None:
    _create(db_session, external_key="K-1")
    with pytest.raises(Conflict, match="external_key"):
        _create(db_session, title="Other", external_key="K-1")
    with pytest.raises(NotFound):
        request_service.get_or_raise(db_session, 9_999)
    with pytest.raises(NotFound):
        request_service.resolve(db_session, "NOPE-1")


def test_linking_hidden_retired_or_unknown_themes_is_refused(
    db_session: Session, world: World
) -> None:
    rid = _create(db_session)
    with pytest.raises(NotFound):
        request_links.confirm_theme(db_session, request_id=rid, theme_id=9_999, actor=EDITOR)
    with pytest.raises(Conflict, match="hidden"):
        request_links.confirm_theme(
            db_session, request_id=rid, theme_id=world.hidden_theme, actor=EDITOR
        )
    curation.merge(
        db_session, source_ids=[world.login_theme], into_id=world.csv_theme, actor=EDITOR
    )
    with pytest.raises(Conflict, match="retired"):
        request_links.confirm_theme(
            db_session, request_id=rid, theme_id=world.login_theme, actor=EDITOR
        )
    with pytest.raises(NotFound):
        request_links.confirm_theme(
            db_session, request_id=9_999, theme_id=world.csv_theme, actor=EDITOR
        )


def test_evidence_counts_items_customers_accounts_and_arr_once(
    db_session: Session, world: World
) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    request_links.link_items(
        db_session, request_id=rid, feedback_ids=[world.login_items[0], world.csv_items[0]],
        actor=EDITOR,
    )  # fmt: skip
    ev = request_evidence.compute(db_session, request_id=rid, min_confidence=0.5)
    assert ev.n_items == 7  # 6 CSV items + 1 login item (the CSV one is counted once)
    assert ev.n_direct == 2
    assert ev.n_customers == 2
    assert ev.n_accounts == 2
    assert ev.arr == 125_000.0  # each account once, however many items
    assert ev.nps is not None
    assert ev.nps.n == 7
    assert ev.nps.ci_low < ev.nps.nps < ev.nps.ci_high
    assert {m.name for m in ev.plans} == {"enterprise", "starter"}
    assert sum(w.count for w in ev.weekly) == 7
    assert ev.negative_quotes
    assert all(q.sentiment_score < 0 for q in ev.negative_quotes)
    assert [q.sentiment_score for q in ev.negative_quotes] == sorted(
        q.sentiment_score
        for q in ev.negative_quotes  # type: ignore[misc]
    )
    names = [c.name for c in ev.opportunity.components]
    assert names == ["ARR at stake", "customers", "recent growth", "negative share"]
    assert ev.opportunity.score == pytest.approx(
        sum(c.contribution for c in ev.opportunity.components), abs=1e-3
    )
    # a confidence setting above every theme item leaves only the direct links
    strict = request_evidence.compute(db_session, request_id=rid, min_confidence=0.95)
    assert strict.n_items == 2
    items = request_evidence.evidence_items(db_session, request_id=rid, min_confidence=0.5)
    assert len(items) == 7
    assert {i.via for i in items} == {"direct", "theme"}
    assert all(i.customer_id is not None for i in items)


def test_new_item_assigned_incrementally_counts_at_once(
    db_session: Session, world: World, models: Models
) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    before = request_service.list_requests(db_session).requests[0].n_items
    queue = RecordingQueue()
    # the world's themes are built with the hashing embedder: assign in that space
    hashing = Models(embedder=EMBEDDER, scorer=models.scorer, joint=None)
    item = feedback_service.create(
        db_session,
        data=FeedbackCreate(source="nps", text="CSV export loses the accents again", score=2),
        models=hashing,
        queue=queue,
    )
    # at once: in the creating transaction, before the item_added job is even sent
    assert queue.sent == []
    assert request_service.list_requests(db_session).requests[0].n_items == before + 1
    # the job's theme-stats step adds the item to its theme; the request stays current
    theme_stats.add_new_items(db_session, feedback_ids=[item.id])
    stored = request_evidence.stored_evidence(db_session, request_id=rid)
    assert stored is not None, "the theme-stats step left the request's stored row stale"
    assert stored.n_items == before + 1
    assert request_service.get_detail(db_session, request_id=rid).evidence.n_items == before + 1
    assert request_service.list_requests(db_session).requests[0].n_items == before + 1


def test_list_sorts_and_filters_by_evidence(db_session: Session, world: World) -> None:
    small = _create(db_session, title="Faster login")
    big = _create(db_session, title="CSV separator")
    request_links.confirm_theme(db_session, request_id=big, theme_id=world.csv_theme, actor=EDITOR)
    request_links.link_items(
        db_session, request_id=small, feedback_ids=[world.login_items[0]], actor=EDITOR
    )
    page = request_service.list_requests(db_session, sort="items")
    assert [r.id for r in page.requests] == [big, small]
    assert page.requests[0].n_confirmed_themes == 1
    assert [r.id for r in request_service.list_requests(db_session, sort="-items").requests] == [
        small, big,
    ]  # fmt: skip
    assert request_service.list_requests(db_session, filters=RequestFilters(min_items=2)).total == 1
    request_service.change_status(db_session, request_id=small, status="declined", actor=EDITOR)
    declined = request_service.list_requests(db_session, filters=RequestFilters(status="declined"))
    assert [r.id for r in declined.requests] == [small]
    with pytest.raises(InvalidInput, match=r"^sort:"):
        request_service.list_requests(db_session, sort="votes")
    acme = db_session.scalars(select(Customer).where(Customer.email == "alice@acme.example")).one()
    assert acme.account_id is not None
    waiting = request_service.requests_of_account(db_session, account_id=acme.account_id)
    assert {r.id for r in waiting} >= {big}


def test_suggestions_rank_the_matching_theme_first_and_never_resuggest_a_rejection(
    db_session: Session, world: World
) -> None:
    rid = _create(db_session, title="CSV export drops accents and the date column")
    found = request_suggest.suggest_themes(db_session, request_id=rid, embedder=EMBEDDER)
    assert found[0].theme_id == world.csv_theme
    assert found[0].why
    assert found[0].why[0].similarity >= found[0].why[-1].similarity
    assert world.hidden_theme not in {s.theme_id for s in found}
    stored = db_session.scalars(
        select(ThemeRequestLink).where(ThemeRequestLink.request_id == rid)
    ).all()
    assert any(s.theme_id == world.csv_theme and s.state == LinkState.SUGGESTED for s in stored)
    request_links.reject_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    again = request_suggest.suggest_themes(db_session, request_id=rid, embedder=EMBEDDER)
    assert world.csv_theme not in {s.theme_id for s in again}
    other = _create(db_session, title="Login keeps asking for my password")
    for_theme = request_suggest.suggest_requests(
        db_session, theme_id=world.login_theme, embedder=EMBEDDER
    )
    assert for_theme[0].request_id == other
    for_csv = request_suggest.suggest_requests(
        db_session, theme_id=world.csv_theme, embedder=EMBEDDER
    )
    assert rid not in {s.request_id for s in for_csv}  # rejected both ways


def test_links_follow_a_merge_and_a_split(db_session: Session, world: World) -> None:
    rid = _create(db_session)
    other = _create(db_session, title="Login with SSO")
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    request_links.confirm_theme(
        db_session, request_id=other, theme_id=world.login_theme, actor=EDITOR
    )
    curation.merge(
        db_session, source_ids=[world.login_theme], into_id=world.csv_theme, actor=EDITOR
    )
    request_links.follow_lineage(db_session)
    on_csv = {
        link.request_id: link
        for link in db_session.scalars(
            select(ThemeRequestLink).where(ThemeRequestLink.theme_id == world.csv_theme)
        )
    }
    assert set(on_csv) == {rid, other}  # the survivor keeps both sets
    assert on_csv[other].state == LinkState.CONFIRMED
    assert on_csv[other].origin == "merge"
    assert on_csv[other].from_theme_id == world.login_theme
    assert request_links.follow_lineage(db_session) == 0  # idempotent
    children = curation.split(
        db_session, theme_id=world.csv_theme, actor=EDITOR, feedback_ids=world.login_items[:2],
        seed=1,
    )  # fmt: skip
    request_links.follow_lineage(db_session)
    child_links = db_session.scalars(
        select(ThemeRequestLink).where(ThemeRequestLink.theme_id == children[0].id)
    ).all()
    assert {(c.request_id, c.state, c.origin) for c in child_links} == {
        (rid, "suggested", "split"), (other, "suggested", "split"),
    }  # fmt: skip
    # the parent keeps most of its items, so it keeps its confirmed links
    assert {
        link.request_id
        for link in db_session.scalars(
            select(ThemeRequestLink).where(
                ThemeRequestLink.theme_id == world.csv_theme,
                ThemeRequestLink.state == LinkState.CONFIRMED,
            )
        )
    } == {rid, other}


def test_a_run_split_hands_confirmed_links_to_the_biggest_child(
    db_session: Session, world: World
) -> None:
    from tests.voc_fixtures import make_theme
    from voc.theme import stats as theme_stats
    from voc.theme.models import AnalysisRun, Theme, ThemeLineage

    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    run = AnalysisRun(status="succeeded", trigger="test", params={})
    db_session.add(run)
    db_session.flush()
    big = make_theme(db_session, label="CSV accents", texts=["CSV export accents"], run_id=run.id)
    small = make_theme(db_session, label="CSV dates", texts=["CSV export date"], run_id=run.id)
    items = list(
        db_session.scalars(
            select(ThemeAssignment).where(ThemeAssignment.theme_id == world.csv_theme)
        )
    )
    for n, assignment in enumerate(items):
        assignment.theme_id = big.id if n < 4 else small.id
    parent = db_session.get(Theme, world.csv_theme)
    assert parent is not None
    parent.status = "retired"
    for child in (big, small):
        db_session.add(
            ThemeLineage(run_id=run.id, kind="split", theme_id=child.id,
                         related_theme_ids=[world.csv_theme], size=1)
        )  # fmt: skip
    db_session.flush()
    theme_stats.refresh(db_session)
    request_links.follow_lineage(db_session)
    states = {
        link.theme_id: (link.state, link.origin, link.from_theme_id)
        for link in db_session.scalars(
            select(ThemeRequestLink).where(ThemeRequestLink.request_id == rid)
        )
    }
    assert states == {
        big.id: ("confirmed", "split", world.csv_theme),
        small.id: ("suggested", "split", world.csv_theme),
    }
    assert request_evidence.compute(db_session, request_id=rid).n_items == 4


def test_find_the_feedback_searches_by_meaning_and_filters_by_kind(
    db_session: Session, world: World, tmp_path: Path
) -> None:
    from voc.feedback.models import Feedback
    from voc.search import service as search_service

    search_service.rebuild(
        db_session, data_dir=tmp_path, model_id=EMBEDDER.model_id, dim=EMBEDDER.dim
    )
    rid = _create(db_session, title="Please let us choose the CSV separator on export")
    request_links.link_items(
        db_session, request_id=rid, feedback_ids=[world.csv_items[4]], actor=EDITOR
    )
    found = request_suggest.find_feedback(
        db_session, request_id=rid, data_dir=tmp_path, embedder=EMBEDDER, k=5
    )
    assert found.hits[0].feedback_id == world.csv_items[4]
    assert found.hits[0].is_linked
    scores = [h.score for h in found.hits]
    assert scores == sorted(scores, reverse=True)
    for fid in world.csv_items:
        item = db_session.get(Feedback, fid)
        assert item is not None
        item.kind = "request" if fid == world.csv_items[1] else "bug"
    db_session.flush()
    only = request_suggest.find_feedback(
        db_session, request_id=rid, data_dir=tmp_path, embedder=EMBEDDER, k=5, kind="request"
    )
    assert [h.feedback_id for h in only.hits] == [world.csv_items[1]]
    with pytest.raises(InvalidInput, match=r"^kind:"):
        request_suggest.find_feedback(
            db_session, request_id=rid, data_dir=tmp_path, embedder=EMBEDDER, kind="wish"
        )


def test_the_detail_is_built_once_and_rebuilt_when_its_evidence_changes(
    db_session: Session, world: World
) -> None:
    rid = _create(db_session)
    request_links.confirm_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    first, built = request_evidence.cached_compute(db_session, request_id=rid)
    assert built
    again, built = request_evidence.cached_compute(db_session, request_id=rid)
    assert not built
    assert again == first

    def detail() -> Evidence:
        return request_service.get_detail(db_session, request_id=rid).evidence

    request_links.link_items(
        db_session, request_id=rid, feedback_ids=[world.login_items[0]], actor=EDITOR
    )
    linked = detail()
    assert linked.n_direct == first.n_direct + 1
    assert linked.n_items == first.n_items + 1
    acme = db_session.scalars(select(Account).where(Account.name == "Acme Corp")).one()
    acme.arr = 200_000.0
    db_session.flush()
    assert detail().arr > linked.arr
    request_links.unlink_items(db_session, request_id=rid, feedback_ids=[world.login_items[0]])
    assert detail().n_direct == first.n_direct
    request_links.reject_theme(db_session, request_id=rid, theme_id=world.csv_theme, actor=EDITOR)
    assert detail().n_items == 0
