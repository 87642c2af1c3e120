"""Pure helpers of the pages: CSV neutralisation, chart geometry, filters, escaping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from api.pages import charts
from api.pages.auth import safe_next
from api.pages.export import csv_lines, neutralise
from api.pages.templating import environment
from api.pages.views import page_filters, weekly_series
from voc.errors import InvalidInput
from voc.theme.schemas import TrendPoint


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("Export drops accents: é", "Export drops accents: é"),
        ("a=b", "a=b"),
        (-0.5, -0.5),
        (7, 7),
        (None, ""),
        (True, "true"),
    ],
)
def test_neutralise_prefixes_formula_text_only(cell: object, written: object) -> None:
    assert neutralise(cell) == written  # type: ignore[arg-type]


def test_csv_lines_round_trip_with_neutralised_cells() -> None:
    text = "".join(csv_lines(["id", "text"], [[1, "=1+1"], [2, 'say "hi", ok']]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["id", "text"], ["1", "'=1+1"], ["2", 'say "hi", ok']]


def test_sparkline_scales_into_the_box() -> None:
    line = charts.sparkline([0, 5, 10], width=100, height=20)
    xs = [float(p.split(",")[0]) for p in line.points.split()]
    ys = [float(p.split(",")[1]) for p in line.points.split()]
    assert xs[0] == pytest.approx(2.0)
    assert xs[-1] == pytest.approx(98.0)
    assert ys[0] == pytest.approx(18.0)  # 0 at the bottom
    assert ys[-1] == pytest.approx(2.0)  # the maximum at the top
    assert "from 0 to 10" in line.summary


def test_sparkline_of_nothing_is_a_flat_line() -> None:
    line = charts.sparkline([])
    assert len(line.points.split()) == 2


def test_trend_chart_bars_fit_the_plot_and_negatives_stack_inside() -> None:
    chart = charts.trend_chart(["w1", "w2", "w3"], [10, 40, 0], [5, 50, 0])
    assert [b.value for b in chart.bars] == [10, 40, 0]
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.y >= 8 - 1e-9
    assert tallest.y + tallest.height == pytest.approx(chart.plot_bottom)
    assert all(b.negative_height <= b.height + 1e-9 for b in chart.bars)
    assert chart.y_ticks[-1][1] == "50"  # a round ceiling above the peak
    assert [label for _, label in chart.x_labels] == ["w1", "w2", "w3"]


def test_sentiment_parts_are_shares_in_fixed_order() -> None:
    parts = charts.sentiment_parts(negative=2, neutral=1, positive=1)
    assert [p.key for p in parts] == ["negative", "neutral", "positive"]
    assert [p.share for p in parts] == [0.5, 0.25, 0.25]
    assert parts[2].x == pytest.approx(75.0)
    assert charts.sentiment_parts(0, 0, 0) == []


@pytest.mark.parametrize(
    ("label", "score", "css"),
    [
        ("negative", None, "sent-negative"),
        (None, 0.7, "sent-positive"),
        (None, 0.0, "sent-neutral"),
        (None, None, "sent-unknown"),
    ],
)
def test_sentiment_class(label: str | None, score: float | None, css: str) -> None:
    assert charts.sentiment_class(label, score) == css


def test_sentiment_badge_shows_label_and_signed_score() -> None:
    assert charts.sentiment_badge("negative", -0.625) == (
        '<span class="sent sent-negative">▼ neg <span class="score">-0.62</span></span>'
    )
    assert charts.sentiment_badge(None, None) == '<span class="sent sent-unknown">? n/a</span>'


def test_sentiment_badge_never_shows_a_label_against_its_score() -> None:
    assert (
        charts.sentiment_badge("positive", -0.11) == '<span class="sent sent-positive">▲ pos</span>'
    )
    assert (
        charts.sentiment_badge("negative", 0.3) == '<span class="sent sent-negative">▼ neg</span>'
    )
    assert charts.sentiment_badge("neutral", -0.11) == (
        '<span class="sent sent-neutral">● neu <span class="score">-0.11</span></span>'
    )


def test_sentiment_badge_shows_mixed_plainly() -> None:
    assert charts.sentiment_badge("negative", -0.72, True) == (
        '<span class="sent sent-mixed sent-negative">◆ mixed, neg '
        '<span class="score">-0.72</span></span>'
    )
    assert charts.sentiment_badge("positive", 0.4, False) == (
        '<span class="sent sent-positive">▲ pos <span class="score">+0.40</span></span>'
    )


def test_weekly_series_fills_missing_weeks() -> None:
    points = [
        TrendPoint(week=date(2024, 1, 1), count=3),
        TrendPoint(week=date(2024, 1, 15), count=1),
    ]
    assert weekly_series(points, last_week=date(2024, 1, 15), weeks=4) == [0, 3, 0, 1]
    full = [TrendPoint(week=date(2024, 1, 1 + 7 * i), count=c) for i, c in enumerate((4, 0, 2))]
    assert weekly_series(full, last_week=date(2024, 1, 15), weeks=3) == [4, 0, 2]
    assert weekly_series(full, last_week=date(2024, 1, 22), weeks=3) == [0, 2, 0]


def test_page_filters_end_date_is_inclusive_and_bad_input_is_named() -> None:
    filters = page_filters("2024-03-01", "2024-03-31", "nps", " smb ")
    start, end = filters.created_range()
    assert start == datetime(2024, 3, 1, tzinfo=UTC)
    assert end == datetime(2024, 4, 1, tzinfo=UTC)
    assert filters.segment == "smb"
    with pytest.raises(InvalidInput, match="start"):
        page_filters("31/03/2024", None, None, None)
    with pytest.raises(InvalidInput, match="source"):
        page_filters(None, None, "fax", None)
    with pytest.raises(InvalidInput, match="after"):
        page_filters("2024-04-01", "2024-03-01", None, None)


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/themes/3?x=1", "/themes/3?x=1"),
        ("//evil.example/", "/themes"),
        ("https://evil.example/", "/themes"),
        ("/\\evil.example", "/themes"),
        ("/logout", "/themes"),
        (None, "/themes"),
    ],
)
def test_safe_next_only_follows_local_paths(target: str | None, followed: str) -> None:
    assert safe_next(target) == followed


def test_every_template_autoescapes_including_strings() -> None:
    env = environment()
    hostile = "<script>alert(1)</script>"
    assert env.from_string("{{ x }}").render(x=hostile) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    for name in env.list_templates(extensions=["html"]):
        assert env.autoescape(name) if callable(env.autoescape) else env.autoescape


def test_an_overview_row_greys_a_change_within_chance_and_its_cache_tells_them_apart() -> None:
    from api.pages.templating import render_fragment
    from api.pages.themes import _row_key
    from api.pages.views import ThemeRow
    from voc.theme.schemas import SentimentMix, ThemeSummary

    def row(significant: bool) -> ThemeRow:
        theme = ThemeSummary(
            id=7, label="Billing page", machine_label="Billing page", human_label=None,
            status="active", is_hidden=False, merged_into_id=None, keywords=["billing"],
            size=12, share=0.1, trend=[], trend_change=-1.0, trend_significant=significant,
            sentiment=SentimentMix(positive=1, negative=10, neutral=1, mixed=0),
            negative_share=0.83, avg_sentiment=-0.5, nps=None, n_scored=0,
        )  # fmt: skip
        return ThemeRow(theme, [3, 0, 0, 0], -1.0)

    # same counts and change; only the significance differs: two cache entries, two renderings
    noise = render_fragment("pages/_theme_row.html", _row_key(row(False)), row=row(False))
    real = render_fragment("pages/_theme_row.html", _row_key(row(True)), row=row(True))
    assert "within chance" in noise
    assert "within chance" not in real
    assert "-100%" in noise
    assert "-100%" in real
