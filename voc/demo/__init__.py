"""Seeded demo sample: realistic feedback about the fictional SaaS product Quillo."""

from voc.demo.generator import CSV_COLUMNS, DemoItem, generate_demo, write_demo_csv
from voc.demo.themes import (
    DETRACTOR_THEME,
    EMERGING_THEME,
    NO_COMMENT_THEME,
    NO_EFFECT_THEME,
    PRAISE_THEME,
    PRODUCT,
    SENTIMENTS,
    SHRINKING_THEME,
    THEMES,
    DemoTheme,
)

__all__ = [
    "CSV_COLUMNS",
    "DETRACTOR_THEME",
    "EMERGING_THEME",
    "NO_COMMENT_THEME",
    "NO_EFFECT_THEME",
    "PRAISE_THEME",
    "PRODUCT",
    "SENTIMENTS",
    "SHRINKING_THEME",
    "THEMES",
    "DemoItem",
    "DemoTheme",
    "generate_demo",
    "write_demo_csv",
]
