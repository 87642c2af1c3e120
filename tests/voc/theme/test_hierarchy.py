"""Parent themes end to end: built by a run, curated, kept across a re-run, undone."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nlp.types import DiscoveryParams
from tests.voc.theme.helpers import add_items
from tests.voc_fixtures import EMBEDDER, build_world, make_feedback, make_theme
from voc.demo.generator import generate_demo
from voc.errors import Conflict, InvalidInput
from voc.feedback.models import Feedback
from voc.nlp_runtime import Models
from voc.theme import curation, hierarchy, runs
from voc.theme import queries as theme_queries
from voc.theme import service as theme_service
from voc.theme.models import (
    AnalysisRun,
    Theme,
    ThemeAssignment,
    ThemeParent,
    ThemeParentLineage,
    ThemeStatus,
)


def _active_themes(session: Session) -> list[Theme]:
    return list(
        session.scalars(select(Theme).where(Theme.status == ThemeStatus.ACTIVE).order_by(Theme.id))
    )


def _active_parents(session: Session) -> list[ThemeParent]:
    return list(
        session.scalars(
            select(ThemeParent)
            .where(ThemeParent.status == ThemeStatus.ACTIVE)
            .order_by(ThemeParent.id)
        )
    )


def test_curated_parents_survive_a_rerun_and_keep_their_ids(
    db_session: Session, models: Models
) -> None:
    add_items(db_session, generate_demo(seed=11))
    first = theme_service.run_analysis(db_session, models=models, seed=42)
    themes = _active_themes(db_session)
    parents = _active_parents(db_session)
    assert 2 <= len(parents) <= len(themes) // 2
    assert all(t.parent_id in {p.id for p in parents} for t in themes)
    labels = [p.label for p in parents]
    assert len({label.casefold() for label in labels}) == len(labels)  # distinct siblings
    lineage = db_session.scalars(
        select(ThemeParentLineage).where(ThemeParentLineage.run_id == first.id)
    ).all()
    assert {row.kind for row in lineage} == {"new"}
    assert sum(p.size for p in parents) == sum(t.size for t in themes)

    # three curation steps: move a theme, rename a parent, merge two parents
    by_size = sorted(parents, key=lambda p: (-p.size, p.id))
    big, second = by_size[0], by_size[1]
    moved = next(t for t in themes if t.parent_id == big.id)
    curation.move_theme(db_session, theme_id=moved.id, parent_id=second.id, actor="pm@x")
    curation.rename_parent(db_session, parent_id=big.id, label="Billing and money", actor="pm@x")
    assert len(by_size) >= 3, [p.size for p in by_size]
    source = by_size[-1]  # the smallest parent goes into another one than the renamed
    into = by_size[2] if len(by_size) > 3 else second
    merged_children = {t.id for t in themes if t.parent_id == source.id}
    curation.merge_parents(db_session, source_ids=[source.id], into_id=into.id, actor="pm@x")
    kept_ids = {p.id for p in _active_parents(db_session)}
    assert source.id not in kept_ids

    second_run = theme_service.run_analysis(db_session, models=models, seed=42)
    db_session.expire_all()
    assert db_session.get(Theme, moved.id).parent_id == second.id  # type: ignore[union-attr]
    renamed = db_session.get(ThemeParent, big.id)
    assert renamed is not None
    assert renamed.status == ThemeStatus.ACTIVE
    assert renamed.label == "Billing and money"
    assert db_session.get(ThemeParent, source.id).status == ThemeStatus.RETIRED  # type: ignore[union-attr]
    for theme_id in merged_children:
        theme = db_session.get(Theme, theme_id)
        if theme is not None and theme.status == ThemeStatus.ACTIVE:
            assert theme.parent_id == into.id
    after = {p.id for p in _active_parents(db_session)}
    assert len(after & kept_ids) / len(kept_ids) >= 0.8  # stable parent ids
    continued = db_session.scalars(
        select(ThemeParentLineage.parent_id).where(
            ThemeParentLineage.run_id == second_run.id, ThemeParentLineage.kind == "continued"
        )
    ).all()
    assert {big.id, second.id, into.id} <= set(continued)


def test_parent_curation_is_recorded_and_undone(db_session: Session) -> None:
    world = build_world(db_session)
    access = ThemeParent(machine_label="Access", keywords=["login"], size=4)
    product = ThemeParent(machine_label="Product", keywords=["csv"], size=9)
    db_session.add_all([access, product])
    db_session.flush()
    login = db_session.get(Theme, world.login_theme)
    csv = db_session.get(Theme, world.csv_theme)
    assert login is not None
    assert csv is not None
    login.parent_id, csv.parent_id = access.id, product.id

    curation.move_theme(db_session, theme_id=login.id, parent_id=product.id, actor="a@x")
    assert (login.parent_id, login.human_parent_id) == (product.id, product.id)
    curation.undo_last(db_session, actor="a@x")
    assert (login.parent_id, login.human_parent_id) == (access.id, None)

    curation.rename_parent(db_session, parent_id=access.id, label="  Sign  in ", actor="a@x")
    assert access.label == "Sign in"
    curation.undo_last(db_session, actor="a@x")
    assert access.label == "Access"

    curation.merge_parents(db_session, source_ids=[access.id], into_id=product.id, actor="a@x")
    assert access.status == ThemeStatus.RETIRED
    assert access.merged_into_id == product.id
    assert login.parent_id == product.id
    listing = theme_queries.list_parents(db_session)
    assert [p.id for p in listing.parents] == [product.id]
    assert set(listing.parents[0].theme_ids) == {login.id, csv.id}
    curation.undo_last(db_session, actor="a@x")
    assert access.status == ThemeStatus.ACTIVE
    assert login.parent_id == access.id
    actions = [e.action for e in curation.history(db_session)]
    assert actions[:2] == ["undo", "merge_parents"]

    with pytest.raises(InvalidInput):
        curation.merge_parents(db_session, source_ids=[access.id], into_id=access.id, actor="a")
    with pytest.raises(InvalidInput):
        curation.rename_parent(db_session, parent_id=access.id, label="   ", actor="a")
    access.status = ThemeStatus.RETIRED
    with pytest.raises(Conflict):
        curation.move_theme(db_session, theme_id=csv.id, parent_id=access.id, actor="a")


def test_parent_stats_sum_their_shown_themes(db_session: Session) -> None:
    world = build_world(db_session)
    parent = ThemeParent(machine_label="Everything", keywords=[], size=0)
    db_session.add(parent)
    db_session.flush()
    for theme_id in (world.csv_theme, world.login_theme, world.hidden_theme):
        theme = db_session.get(Theme, theme_id)
        assert theme is not None
        theme.parent_id = parent.id
    db_session.flush()
    themes = theme_queries.list_themes(db_session).themes
    listing = theme_queries.list_parents(db_session)
    (summary,) = listing.parents
    assert summary.size == sum(t.size for t in themes)  # the hidden theme is not shown
    assert summary.sentiment.negative == sum(t.sentiment.negative for t in themes)
    assert summary.n_scored == sum(t.n_scored for t in themes)
    weekly = [sum(t.trend[i].count for t in themes) for i in range(len(summary.trend))]
    assert [p.count for p in summary.trend] == weekly
    assert {t.parent_label for t in themes} == {"Everything"}
    detail = theme_queries.get_parent_detail(db_session, parent.id)
    assert {t.id for t in detail.themes} == {world.csv_theme, world.login_theme}
    assert detail.nps == summary.nps


def test_regroup_of_a_big_run_labels_parents_from_a_sample_and_keeps_ids(
    db_session: Session,
) -> None:
    world = build_world(db_session)
    # a fourth theme, so that there is something to group (fewer: each theme is its own parent)
    extra_items = [
        make_feedback(db_session, text=f"the invoice total is wrong again {n}") for n in range(4)
    ]
    make_theme(
        db_session,
        label="Invoice totals",
        texts=[i.text for i in extra_items],
        run_id=world.run_id,
    )
    run = db_session.get(AnalysisRun, world.run_id)
    assert run is not None
    rows = db_session.execute(
        select(Feedback.id, Feedback.text, ThemeAssignment.theme_id).join(
            ThemeAssignment, ThemeAssignment.feedback_id == Feedback.id, isouter=True
        )
    ).all()
    matrix = EMBEDDER.embed([r.text for r in rows])
    params = DiscoveryParams(sample_size=6, keyword_min_df=1)  # 17 items: the sampled path
    for theme in db_session.scalars(select(Theme)):
        theme.parent_id = None  # build_world's parents aside: a first grouping
    db_session.execute(delete(ThemeParent))
    first = hierarchy.regroup(
        db_session, run=run, matrix=matrix, texts=[r.text for r in rows],
        item_theme_ids=[r.theme_id for r in rows], params=params,
    )  # fmt: skip
    assert len(first) == 2  # 4 themes: sqrt(4) = 2 parents
    assert all(p.machine_label for p in first)
    assert sum(p.size for p in first) == sum(t.size for t in _active_themes(db_session))
    assert all(t.parent_id in {p.id for p in first} for t in _active_themes(db_session))
    again = hierarchy.regroup(
        db_session, run=run, matrix=matrix, texts=[r.text for r in rows],
        item_theme_ids=[r.theme_id for r in rows], params=params,
    )  # fmt: skip
    assert sorted(p.id for p in again) == sorted(p.id for p in first)
    kinds = Counter(c.kind for c in runs.get_detail(db_session, run_id=run.id).parent_lineage)
    assert kinds == {"new": 2, "continued": 2}
