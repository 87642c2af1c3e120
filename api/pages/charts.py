"""Geometry for the server-side SVG charts (the drawing lives in templates/macros/charts.html)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Sparkline:
    """A polyline over a small box; ``last`` marks the latest value."""

    points: str
    area: str
    width: int
    height: int
    last_x: float
    last_y: float
    summary: str


@dataclass(frozen=True)
class Bar:
    """One column of a bar chart with its label for axis and tooltip."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    negative_height: float


@dataclass(frozen=True)
class TrendChart:
    """Columns, gridlines and axis labels of a trend chart."""

    width: int
    height: int
    plot_left: int
    plot_bottom: int
    bars: tuple[Bar, ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_labels: tuple[tuple[float, str], ...]
    summary: str


@dataclass(frozen=True)
class SentimentPart:
    """One segment of a sentiment bar (x and width in percent)."""

    key: str
    label: str
    share: float
    x: float
    width: float


SENTIMENT_LABELS = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"}


def sparkline(values: Sequence[float], *, width: int = 96, height: int = 24) -> Sparkline:
    """Points of a sparkline scaled to the box (a flat line for constant or empty series)."""
    pad = 2.0
    series = list(values) or [0.0]
    if len(series) == 1:
        series = series * 2
    top = max(series)
    bottom = min(0.0, min(series))
    span = (top - bottom) or 1.0
    step = (width - 2 * pad) / (len(series) - 1)
    coords = [
        (pad + i * step, height - pad - (v - bottom) / span * (height - 2 * pad))
        for i, v in enumerate(series)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    base = height - pad
    area = f"{coords[0][0]:.1f},{base:.1f} {points} {coords[-1][0]:.1f},{base:.1f}"
    first, last = series[0], series[-1]
    summary = f"{len(values)} periods, from {first:g} to {last:g} (max {top:g})"
    return Sparkline(points, area, width, height, coords[-1][0], coords[-1][1], summary)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def trend_chart(
    labels: Sequence[str],
    counts: Sequence[int],
    negatives: Sequence[int] | None = None,
    *,
    width: int = 640,
    height: int = 180,
) -> TrendChart:
    """Columns per period (with the negative part stacked at the bottom) and axis labels."""
    left, right, top, bottom = 40, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(counts), 1)
    ceiling = _nice_max(max(counts, default=0))
    slot = plot_w / n
    bar_w = min(max(slot * 0.8, 1.0), 48.0)
    negs = list(negatives) if negatives is not None else [0] * len(counts)
    bars = []
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        bar_h = count / ceiling * plot_h
        neg_h = min(negs[i], count) / ceiling * plot_h if i < len(negs) else 0.0
        x = left + i * slot + (slot - bar_w) / 2
        bars.append(Bar(x, top + plot_h - bar_h, bar_w, bar_h, label, count, neg_h))
    fracs = (0.0, 0.5, 1.0) if ceiling >= 2 else (0.0, 1.0)  # counts: no fractional ticks
    ticks = tuple((top + plot_h - f * plot_h, f"{ceiling * f:g}") for f in fracs)
    picks = sorted({0, len(labels) // 2, len(labels) - 1}) if labels else []
    x_labels = tuple((left + i * slot + slot / 2, labels[i]) for i in picks)
    total = sum(counts)
    summary = f"{total} items over {len(counts)} periods"
    if labels:
        summary += f", {labels[0]} to {labels[-1]}, peak {max(counts)}"
    return TrendChart(width, height, left, top + plot_h, tuple(bars), ticks, x_labels, summary)


def sentiment_parts(negative: float, neutral: float, positive: float) -> list[SentimentPart]:
    """Segments of a 100% stacked bar, in the order negative, neutral, positive."""
    total = negative + neutral + positive
    if total <= 0:
        return []
    parts, x = [], 0.0
    for key, value in (("negative", negative), ("neutral", neutral), ("positive", positive)):
        share = value / total
        parts.append(SentimentPart(key, SENTIMENT_LABELS[key], share, x * 100, share * 100))
        x += share
    return parts


def sentiment_class(label: str | None, score: float | None = None) -> str:
    """CSS class of a sentiment label (falls back to the score's sign)."""
    if label in SENTIMENT_LABELS:
        return f"sent-{label}"
    if score is None:
        return "sent-unknown"
    if score <= -0.05:
        return "sent-negative"
    return "sent-positive" if score >= 0.05 else "sent-neutral"


_BADGE_TEXT = {
    "sent-negative": "▼ neg",
    "sent-positive": "▲ pos",
    "sent-neutral": "● neu",
    "sent-unknown": "? n/a",
}


def sentiment_badge(label: str | None, score: float | None, mixed: bool | None = None) -> Markup:
    """Label AND score beside an item, never colour alone (a helper: pages show hundreds).

    Label and score always agree: a mixed item reads "◆ mixed" with the side that decided its
    label; a stored score whose sign contradicts the label (rows scored before the agreement
    rule of ``nlp.clauses``) is left out rather than shown as "pos -0.11".
    """
    css = sentiment_class(label, score)
    agrees = score is not None and not (
        (css == "sent-positive" and score < 0) or (css == "sent-negative" and score > 0)
    )
    shown = f' <span class="score">{score:+.2f}</span>' if agrees and score is not None else ""
    if mixed and css in ("sent-negative", "sent-positive"):
        side = _BADGE_TEXT[css].split()[-1]
        return Markup(f'<span class="sent sent-mixed {css}">◆ mixed, {side}{shown}</span>')
    return Markup(f'<span class="sent {css}">{_BADGE_TEXT[css]}{shown}</span>')


def bar_width(value: float, maximum: float) -> float:
    """Percent width of a horizontal bar (0 when there is nothing to compare)."""
    if maximum <= 0:
        return 0.0
    return max(0.0, min(100.0, value / maximum * 100))
