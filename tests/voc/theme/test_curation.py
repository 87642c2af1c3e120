"""Human curation: rename, hide, move, merge, split, undo, history; and it survives re-analysis."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from nlp.embedding import HashingEmbedder
from nlp.sentiment_types import SentimentLabel, SentimentResult
from tests.voc.theme.helpers import add_items
from tests.voc_fixtures import World, build_world
from voc.demo.generator import generate_demo
from voc.errors import Conflict, InvalidInput, NotFound
from voc.nlp_runtime import Models
from voc.theme import curation
from voc.theme import queries as theme_queries
from voc.theme import service as theme_service
from voc.theme.models import Theme, ThemeAssignment, ThemeStats, ThemeStatus

EDITOR = "ada@example.com"
SENTIMENT_WEIGHTS = Path(__file__).resolve().parents[3] / "nlp" / "models" / "sentiment"


@pytest.fixture
def world(db_session: Session) -> World:
    """Themes 'CSV export' (6 items), 'Login problems' (4), hidden 'Misc chatter' (2)."""
    return build_world(db_session)


def _theme(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    assert theme is not None
    return theme


def _members(session: Session, theme_id: int) -> set[int]:
    query = select(ThemeAssignment.feedback_id).where(ThemeAssignment.theme_id == theme_id)
    return set(session.scalars(query))


def _manual(session: Session, ids: Sequence[int]) -> set[bool]:
    query = select(ThemeAssignment.is_manual).where(ThemeAssignment.feedback_id.in_(list(ids)))
    return set(session.scalars(query))


def _size(session: Session, theme_id: int) -> int:
    stats = session.get(ThemeStats, theme_id)
    return 0 if stats is None else stats.n_items


def test_rename_sets_the_human_label_and_records_who_when_what(
    db_session: Session, world: World
) -> None:
    curation.rename(
        db_session, theme_id=world.csv_theme, label="  Exports   for finance ", actor=EDITOR
    )

    theme = _theme(db_session, world.csv_theme)
    assert theme.label == "Exports for finance"
    assert theme.machine_label == "CSV export"
    assert theme.human_edited_by == EDITOR
    [event] = curation.history(db_session, theme_id=world.csv_theme)
    assert (event.action, event.actor, event.theme_ids) == ("rename", EDITOR, [world.csv_theme])
    assert event.details["label"] == "Exports for finance"
    assert event.created_at is not None


@pytest.mark.parametrize("label", ["", "   ", "x" * 256])
def test_rename_refuses_empty_or_long_labels(db_session: Session, world: World, label: str) -> None:
    with pytest.raises(InvalidInput, match="label"):
        curation.rename(db_session, theme_id=world.csv_theme, label=label, actor=EDITOR)
    assert curation.history(db_session) == []


def test_curating_an_unknown_theme_is_not_found(db_session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        curation.hide(db_session, theme_id=world.csv_theme + 1000, actor=EDITOR)


def test_hide_and_unhide_change_what_the_overview_lists(db_session: Session, world: World) -> None:
    curation.hide(db_session, theme_id=world.login_theme, actor=EDITOR)
    listed = {t.id for t in theme_queries.list_themes(db_session).themes}
    assert listed == {world.csv_theme}

    curation.unhide(db_session, theme_id=world.hidden_theme, actor=EDITOR)
    listed = {t.id for t in theme_queries.list_themes(db_session).themes}
    assert listed == {world.csv_theme, world.hidden_theme}
    assert [e.action for e in curation.history(db_session)] == ["unhide", "hide"]


def test_move_items_makes_manual_assignments_and_refreshes_stats(
    db_session: Session, world: World
) -> None:
    moved = world.csv_items[:2]

    curation.move_items(db_session, feedback_ids=moved, to_theme_id=world.login_theme, actor=EDITOR)

    assert set(moved) <= _members(db_session, world.login_theme)
    assert _manual(db_session, moved) == {True}
    assert _size(db_session, world.csv_theme) == 4
    assert _size(db_session, world.login_theme) == 6
    [event] = curation.history(db_session)
    assert set(event.theme_ids) == {world.csv_theme, world.login_theme}


def test_move_of_unknown_items_is_refused_and_changes_nothing(
    db_session: Session, world: World
) -> None:
    with pytest.raises(NotFound, match="do not exist"):
        curation.move_items(
            db_session, feedback_ids=[world.csv_items[0], 999_999], to_theme_id=world.login_theme,
            actor=EDITOR,
        )  # fmt: skip
    assert _members(db_session, world.csv_theme) == set(world.csv_items)


def test_merge_retires_the_source_and_moves_its_items(db_session: Session, world: World) -> None:
    target = curation.merge(
        db_session, source_ids=[world.login_theme], into_id=world.csv_theme, actor=EDITOR
    )

    source = _theme(db_session, world.login_theme)
    assert target.id == world.csv_theme
    assert (source.status, source.merged_into_id) == (ThemeStatus.RETIRED, world.csv_theme)
    assert _members(db_session, world.csv_theme) == set(world.csv_items) | set(world.login_items)
    assert _size(db_session, world.csv_theme) == 10
    assert world.login_theme not in {t.id for t in theme_queries.list_themes(db_session).themes}
    with pytest.raises(Conflict, match="retired"):
        curation.rename(db_session, theme_id=world.login_theme, label="Back", actor=EDITOR)


def test_merge_into_itself_is_refused(db_session: Session, world: World) -> None:
    with pytest.raises(InvalidInput, match="itself"):
        curation.merge(
            db_session, source_ids=[world.csv_theme], into_id=world.csv_theme, actor=EDITOR
        )


def test_split_by_ids_moves_the_chosen_items_into_a_new_theme(
    db_session: Session, world: World
) -> None:
    chosen = world.csv_items[:2]

    [new] = curation.split(
        db_session, seed=42, theme_id=world.csv_theme, feedback_ids=chosen, actor=EDITOR
    )

    assert _members(db_session, new.id) == set(chosen)
    assert _members(db_session, world.csv_theme) == set(world.csv_items[2:])
    assert new.status == ThemeStatus.ACTIVE
    assert new.centroid is not None
    assert _size(db_session, new.id) == 2
    with pytest.raises(InvalidInput, match="not in theme"):
        curation.split(
            db_session,
            seed=42,
            theme_id=world.csv_theme,
            feedback_ids=world.login_items[:1],
            actor=EDITOR,
        )


def test_split_by_k_reclusters_every_item_into_k_themes(db_session: Session, world: World) -> None:
    created = curation.split(db_session, seed=42, theme_id=world.csv_theme, k=2, actor=EDITOR)

    assert len(created) == 1
    kept = _members(db_session, world.csv_theme)
    split_off = _members(db_session, created[0].id)
    assert kept
    assert split_off
    assert kept | split_off == set(world.csv_items)
    assert len(kept) >= len(split_off)  # the largest part stays in the original theme
    with pytest.raises(InvalidInput, match="at least 6 are needed"):
        curation.split(db_session, seed=42, theme_id=world.login_theme, k=3, actor=EDITOR)


def test_split_needs_exactly_one_of_k_and_ids(db_session: Session, world: World) -> None:
    with pytest.raises(InvalidInput, match="either k"):
        curation.split(db_session, seed=42, theme_id=world.csv_theme, actor=EDITOR)


def test_undo_restores_a_merge(db_session: Session, world: World) -> None:
    curation.merge(
        db_session, source_ids=[world.login_theme], into_id=world.csv_theme, actor=EDITOR
    )

    undone = curation.undo_last(db_session, actor="bob@example.com")

    assert undone.action == "merge"
    assert _theme(db_session, world.login_theme).status == ThemeStatus.ACTIVE
    assert _members(db_session, world.login_theme) == set(world.login_items)
    assert _manual(db_session, world.login_items) == {False}
    assert _size(db_session, world.csv_theme) == 6
    latest = curation.history(db_session)
    assert (latest[0].action, latest[0].actor) == ("undo", "bob@example.com")
    assert latest[1].is_undone


def test_undo_steps_back_one_edit_at_a_time(db_session: Session, world: World) -> None:
    curation.rename(db_session, theme_id=world.csv_theme, label="Exports", actor=EDITOR)
    curation.rename(db_session, theme_id=world.csv_theme, label="CSV pain", actor=EDITOR)
    [new] = curation.split(
        db_session,
        seed=42,
        theme_id=world.csv_theme,
        feedback_ids=world.csv_items[:1],
        actor=EDITOR,
    )

    curation.undo_last(db_session, actor=EDITOR)
    assert _theme(db_session, new.id).status == ThemeStatus.RETIRED
    assert _members(db_session, world.csv_theme) == set(world.csv_items)
    curation.undo_last(db_session, actor=EDITOR)
    assert _theme(db_session, world.csv_theme).label == "Exports"
    curation.undo_last(db_session, actor=EDITOR)
    assert _theme(db_session, world.csv_theme).label == "CSV export"
    with pytest.raises(Conflict, match="no curation step"):
        curation.undo_last(db_session, actor=EDITOR)


def test_history_is_newest_first_and_filters_by_theme(db_session: Session, world: World) -> None:
    curation.hide(db_session, theme_id=world.csv_theme, actor="ada@example.com")
    curation.rename(
        db_session, theme_id=world.login_theme, label="Sign-in", actor="bob@example.com"
    )

    everything = curation.history(db_session)
    login_only = curation.history(db_session, theme_id=world.login_theme)

    assert [(e.action, e.actor) for e in everything] == [
        ("rename", "bob@example.com"),
        ("hide", "ada@example.com"),
    ]
    assert [e.action for e in login_only] == ["rename"]
    assert everything[0].created_at >= everything[1].created_at


# --- curation survives a re-analysis -------------------------------------------------------


class KeywordScorer:
    """A deterministic sentiment scorer: this test is about curation, not the model."""

    model_id = "keyword-scorer-test"

    def score(self, texts: Sequence[str], *, batch_size: int = 64) -> list[SentimentResult]:
        """Negative when a complaint word appears, else positive."""
        out = []
        for text in texts:
            is_bad = any(w in text.lower() for w in ("slow", "fail", "broken", "not ", "never"))
            label = SentimentLabel.NEGATIVE if is_bad else SentimentLabel.POSITIVE
            probabilities = (0.8, 0.1, 0.1) if is_bad else (0.1, 0.1, 0.8)
            out.append(SentimentResult(label, -0.7 if is_bad else 0.7, probabilities, False, None))
        return out


@pytest.fixture(scope="module")
def analysis_models() -> Models:
    """The real models when the shipped sentiment weights exist, else hashing + keyword fakes."""
    if (SENTIMENT_WEIGHTS / "branch.safetensors").is_file():
        from voc.config import Settings
        from voc.nlp_runtime import get_models

        return get_models(Settings(database_url="sqlite://"))
    return Models(embedder=HashingEmbedder(), scorer=KeywordScorer(), joint=None)


def _by_size(session: Session) -> list[int]:
    return [t.id for t in theme_queries.list_themes(session, include_hidden=True).themes]


def test_curation_survives_a_re_analysis(db_session: Session, analysis_models: Models) -> None:
    add_items(db_session, generate_demo(seed=11, scale=0.5))
    theme_service.run_analysis(db_session, models=analysis_models, seed=42)
    renamed, hidden, target, merged, source = _by_size(db_session)[:5]
    curation.rename(db_session, theme_id=renamed, label="What finance asks for", actor=EDITOR)
    curation.hide(db_session, theme_id=hidden, actor=EDITOR)
    moved = sorted(_members(db_session, source))[:3]
    curation.move_items(db_session, feedback_ids=moved, to_theme_id=target, actor=EDITOR)
    merged_items = _members(db_session, merged)
    curation.merge(db_session, source_ids=[merged], into_id=target, actor=EDITOR)

    theme_service.run_analysis(db_session, models=analysis_models, seed=42)
    db_session.expire_all()

    assert _theme(db_session, renamed).label == "What finance asks for"
    assert _theme(db_session, hidden).is_hidden
    assert set(moved) <= _members(db_session, target)
    assert _manual(db_session, moved) == {True}
    assert _theme(db_session, merged).status == ThemeStatus.RETIRED
    assert _members(db_session, merged) == set()
    assert merged_items <= _members(db_session, target)
