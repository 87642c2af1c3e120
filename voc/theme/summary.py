"""A compact table of themes (size, label, negative share) for the CLI and reports."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from voc.feedback.models import Feedback
from voc.theme.models import Theme, ThemeAssignment, ThemeStatus


@dataclass(frozen=True)
class ThemeSummary:
    """One row of the themes table."""

    id: int
    label: str
    size: int
    negative_share: float
    mixed_share: float
    keywords: tuple[str, ...]
    is_hidden: bool


def summarise(session: Session, *, include_hidden: bool = True) -> list[ThemeSummary]:
    """Active themes with live sizes and sentiment shares, largest first (one query)."""
    negative = func.sum(case((Feedback.sentiment_label == "negative", 1), else_=0))
    mixed = func.sum(case((Feedback.sentiment_is_mixed.is_(True), 1), else_=0))
    stats = (
        select(
            ThemeAssignment.theme_id.label("theme_id"),
            func.count().label("n"),
            negative.label("neg"),
            mixed.label("mixed"),
        )
        .join(Feedback, Feedback.id == ThemeAssignment.feedback_id)
        .group_by(ThemeAssignment.theme_id)
        .subquery()
    )
    stmt = (
        select(Theme, stats.c.n, stats.c.neg, stats.c.mixed)
        .join(stats, stats.c.theme_id == Theme.id, isouter=True)
        .where(Theme.status == ThemeStatus.ACTIVE)
    )
    if not include_hidden:
        stmt = stmt.where(Theme.is_hidden.is_(False))
    out = []
    for theme, n, neg, mix in session.execute(stmt):
        size = int(n or 0)
        out.append(
            ThemeSummary(
                id=theme.id,
                label=theme.label,
                size=size,
                negative_share=(int(neg or 0) / size) if size else 0.0,
                mixed_share=(int(mix or 0) / size) if size else 0.0,
                keywords=tuple(theme.keywords or ()),
                is_hidden=theme.is_hidden,
            )
        )
    out.sort(key=lambda s: (-s.size, s.id))
    return out
