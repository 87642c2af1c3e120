"""A theme's items page newest first from the assignments' copy of ``created_at``, kept in step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.voc_fixtures import World, build_world, make_theme
from voc.feedback import service as feedback_service
from voc.feedback.models import Feedback, Source
from voc.theme import curation, repository
from voc.theme import queries as theme_queries
from voc.theme.models import AnalysisRun, RunStatus

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)


def newest_first(session: Session, theme_id: int) -> list[int]:
    """Every item of the theme, two per page, following the cursor."""
    ids: list[int] = []
    cursor = None
    while True:
        page = theme_queries.list_items(session, theme_id=theme_id, limit=2, cursor=cursor)
        ids += [item.id for item in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def test_items_come_newest_first_with_ties_by_id(db_session: Session, world: World) -> None:
    # items 0..5 are dated Monday + (i % 3) weeks: weeks 2, 1, 0 hold (5, 2), (4, 1), (3, 0)
    ids = world.csv_items
    assert newest_first(db_session, world.csv_theme) == [
        ids[5], ids[2], ids[4], ids[1], ids[3], ids[0],
    ]  # fmt: skip


def test_items_moved_by_hand_page_by_their_own_dates(db_session: Session, world: World) -> None:
    login = world.login_items  # dated like the CSV items, one hour later each week
    curation.move_items(
        db_session, feedback_ids=login[:2], to_theme_id=world.csv_theme, actor="ed@voc.example"
    )
    csv = world.csv_items
    assert newest_first(db_session, world.csv_theme) == [
        csv[5], csv[2], login[1], csv[4], csv[1], login[0], csv[3], csv[0],
    ]  # fmt: skip
    curation.undo_last(db_session, actor="ed@voc.example")
    assert newest_first(db_session, world.login_theme) == [login[2], login[1], login[3], login[0]]


def test_a_reimported_date_moves_the_item_within_its_theme(
    db_session: Session, tmp_path: Path
) -> None:
    header = "id,comment,nps,date\n"
    rows = "1,CSV export drops accents,3,2026-05-01\n2,CSV export is slow,4,2026-05-02\n"
    path = tmp_path / "f.csv"
    path.write_text(header + rows, encoding="utf-8")
    feedback_service.ingest_file(db_session, path, source=Source.NPS, now=NOW)
    items = {f.external_id: f for f in db_session.scalars(select(Feedback))}
    run = AnalysisRun(status=RunStatus.SUCCEEDED, trigger="test", params={}, n_items=2)
    db_session.add(run)
    db_session.flush()
    theme = make_theme(db_session, label="CSV export", texts=["CSV export"], run_id=run.id)
    repository.insert_assignments(
        db_session,
        (
            {"feedback_id": f.id, "theme_id": theme.id, "confidence": 0.9, "method": "cluster",
             "run_id": run.id, "is_manual": False}
            for f in items.values()
        ),
    )  # fmt: skip
    assert newest_first(db_session, theme.id) == [items["2"].id, items["1"].id]
    path.write_text(header + rows.replace("2026-05-01", "2026-05-09"), encoding="utf-8")
    summary = feedback_service.ingest_file(db_session, path, source=Source.NPS, now=NOW)
    assert summary.updated == 1
    assert newest_first(db_session, theme.id) == [items["1"].id, items["2"].id]
