"""Stored theme stats: a new item is added to its theme's row, the same as a full refresh."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.voc_fixtures import MONDAY, build_world, make_feedback
from voc.theme import stats as theme_stats
from voc.theme.models import ThemeAssignment, ThemeStats
from voc.types import utcnow


def _stored(session: Session, theme_id: int) -> theme_stats.Aggregate:
    row = session.get(ThemeStats, theme_id)
    assert row is not None
    session.refresh(row)
    return theme_stats.from_stored(row)


def _assign_new(session: Session, theme_id: int, text: str, **kw: object) -> int:
    item = make_feedback(session, text=text, **kw)  # type: ignore[arg-type]
    session.add(
        ThemeAssignment(
            feedback_id=item.id, theme_id=theme_id, confidence=0.7, method="incremental",
            feedback_created_at=item.created_at, assigned_at=utcnow(),
        )
    )  # fmt: skip
    session.flush()
    return item.id


def test_new_items_are_added_to_stored_stats_like_a_full_refresh(db_session: Session) -> None:
    world = build_world(db_session)
    new = [
        _assign_new(db_session, world.csv_theme, "CSV export lost the header row", score=2,
                    sentiment="negative", sentiment_score=-0.9,
                    created_at=MONDAY + timedelta(weeks=5)),
        _assign_new(db_session, world.csv_theme, "CSV export is quick now", score=10,
                    sentiment="positive", sentiment_score=0.7),
    ]  # fmt: skip
    assert theme_stats.add_new_items(db_session, feedback_ids=new) == 1
    added = _stored(db_session, world.csv_theme)
    truth = theme_stats.aggregate(db_session, theme_ids=[world.csv_theme])[world.csv_theme]
    assert added.n_items == 8
    assert vars(added) == vars(truth)  # counts, sentiment sum, weeks, segments
    # delivered twice: nothing is counted twice
    theme_stats.add_new_items(db_session, feedback_ids=new)
    assert vars(_stored(db_session, world.csv_theme)) == vars(truth)


def test_a_theme_without_stored_stats_gets_a_full_refresh(db_session: Session) -> None:
    world = build_world(db_session)
    db_session.execute(delete(ThemeStats).where(ThemeStats.theme_id == world.login_theme))
    new = _assign_new(db_session, world.login_theme, "Login link expired", sentiment="negative")
    theme_stats.add_new_items(db_session, feedback_ids=[new])
    stored = _stored(db_session, world.login_theme)
    assert stored.n_items == 5
    assert stored.n_negative == 4
