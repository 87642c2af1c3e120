"""Read side of themes: overview stats, detail, items, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.voc_fixtures import MONDAY, World, build_world
from voc.errors import NotFound
from voc.theme import curation
from voc.theme import queries as theme_queries
from voc.theme.schemas import ThemeFilters


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)


def test_overview_lists_visible_themes_with_stats(db_session: Session, world: World) -> None:
    listing = theme_queries.list_themes(db_session)
    assert [t.id for t in listing.themes] == [world.csv_theme, world.login_theme]
    assert listing.n_hidden == 1
    csv = listing.themes[0]
    assert csv.size == 6
    assert csv.share == pytest.approx(6 / 12)
    assert csv.sentiment.negative == 4
    assert csv.sentiment.positive == 1
    # item scores -0.5, -0.6, -0.7 (negative), 0.8 (positive), 0.0 (neutral), -1.0 (negative)
    assert csv.avg_sentiment == pytest.approx((-0.5 - 0.6 - 0.7 + 0.8 + 0.0 - 1.0) / 6)
    # scores 3,4,2,9,7,5: one promoter, four detractors of six
    assert csv.nps == pytest.approx(100 * (1 - 4) / 6)
    assert len(csv.trend) == theme_queries.TREND_WEEKS
    assert sum(p.count for p in csv.trend) == 6
    assert csv.trend[-1].week == (MONDAY + timedelta(weeks=2)).date()


def test_hidden_themes_appear_on_request(db_session: Session, world: World) -> None:
    listing = theme_queries.list_themes(db_session, include_hidden=True, sort="label")
    assert [t.label for t in listing.themes] == ["Misc chatter", "Login problems", "CSV export"]


def test_filters_aggregate_live(db_session: Session, world: World) -> None:
    listing = theme_queries.list_themes(db_session, filters=ThemeFilters(segment="enterprise"))
    sizes = {t.id: t.size for t in listing.themes}
    assert listing.is_filtered
    assert sizes == {world.csv_theme: 3, world.login_theme: 2}


def test_detail_has_quotes_segments_and_similar(db_session: Session, world: World) -> None:
    detail = theme_queries.get_detail(db_session, world.csv_theme)
    assert [q.feedback_id for q in detail.quotes][:3] == world.csv_items[:3]
    assert {s.segment: s.count for s in detail.segments} == {"enterprise": 3, "smb": 3}
    assert [s.id for s in detail.similar] == [world.login_theme]
    assert detail.quotes[0].sentiment_label == "negative"


def test_detail_lists_the_most_negative_representative_items_worst_first(
    db_session: Session, world: World
) -> None:
    detail = theme_queries.get_detail(db_session, world.csv_theme)
    items = world.csv_items
    # the four negative items, most negative first; the positive and neutral ones never appear
    assert [q.feedback_id for q in detail.negative_quotes] == [
        items[5],
        items[2],
        items[1],
        items[0],
    ]
    assert [q.sentiment_score for q in detail.negative_quotes] == pytest.approx(
        [-1.0, -0.7, -0.6, -0.5]
    )


def test_overview_sorts_by_average_sentiment(db_session: Session, world: World) -> None:
    listing = theme_queries.list_themes(db_session, sort="avg_sentiment", descending=False)
    averages = [t.avg_sentiment for t in listing.themes]
    assert averages == sorted(averages)  # type: ignore[type-var]
    login = next(t for t in listing.themes if t.id == world.login_theme)
    assert login.avg_sentiment == pytest.approx((-0.5 - 0.6 + 0.8 - 0.8) / 4)


def test_items_of_a_theme_page_with_cursor(db_session: Session, world: World) -> None:
    first = theme_queries.list_items(db_session, theme_id=world.csv_theme, limit=4)
    assert len(first.items) == 4
    assert first.next_cursor
    rest = theme_queries.list_items(
        db_session, theme_id=world.csv_theme, limit=4, cursor=first.next_cursor
    )
    ids = [i.id for i in first.items + rest.items]
    assert sorted(ids) == sorted(world.csv_items)
    assert rest.next_cursor is None


def test_unknown_theme_is_not_found(db_session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        theme_queries.get_detail(db_session, 999_999)


def test_theme_choices_list_every_active_theme_by_label(db_session: Session, world: World) -> None:
    assert theme_queries.theme_choices(db_session) == [
        (world.csv_theme, "CSV export"),
        (world.login_theme, "Login problems"),
        (world.hidden_theme, "Misc chatter"),  # hidden themes can still receive items
    ]
    curation.rename(db_session, theme_id=world.login_theme, label="access", actor="ed@voc.example")
    assert [label for _, label in theme_queries.theme_choices(db_session)] == [
        "access", "CSV export", "Misc chatter",
    ]  # fmt: skip


def test_the_trend_compares_the_latest_four_weeks_of_the_data_in_view(
    db_session: Session, world: World
) -> None:
    listing = theme_queries.list_themes(db_session)
    window = listing.trend_window
    newest_week = (MONDAY + timedelta(weeks=2)).date()  # the world's items end two weeks in
    assert window is not None
    assert (window.recent_from, window.recent_to) == (
        newest_week - timedelta(weeks=3),
        newest_week + timedelta(days=6),
    )
    assert (window.previous_from, window.previous_to) == (
        newest_week - timedelta(weeks=7),
        newest_week - timedelta(weeks=3, days=1),
    )
    # every item lies in the recent window, none before it: no base to compare with
    assert all(t.trend_change is None or t.trend_change == 1.0 for t in listing.themes)
    # the totals a share trend divides by: every themed item in view, hidden themes' too
    assert (window.recent_total, window.previous_total) == (listing.total_items, 0)


def test_a_date_filter_moves_the_trend_window_to_its_newest_item(
    db_session: Session, world: World
) -> None:
    end = MONDAY + timedelta(days=1)  # only the first week's items are in view
    listing = theme_queries.list_themes(db_session, filters=ThemeFilters(created_to=end))
    assert listing.trend_window is not None
    assert listing.trend_window.recent_to == (MONDAY + timedelta(days=6)).date()


def test_overview_sorts_by_size_with_the_id_breaking_ties(
    db_session: Session, world: World
) -> None:
    listing = theme_queries.list_themes(db_session, include_hidden=True)
    keys = [(t.size, t.id) for t in listing.themes]
    assert keys == sorted(keys, key=lambda k: (-k[0], k[1]))
