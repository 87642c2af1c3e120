"""The seeded Quillo demo sample: volumes, realism and the planted ground truth."""

from __future__ import annotations

import csv
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from voc.demo import (
    CSV_COLUMNS,
    DETRACTOR_THEME,
    EMERGING_THEME,
    NO_COMMENT_THEME,
    NO_EFFECT_THEME,
    PRAISE_THEME,
    SENTIMENTS,
    SHRINKING_THEME,
    THEMES,
    DemoItem,
    generate_demo,
    write_demo_csv,
)

Q2, Q3 = "2026-Q2 NPS", "2026-Q3 NPS"


@pytest.fixture(scope="module")
def items() -> list[DemoItem]:
    return generate_demo(7)


def _nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def _share(items: list[DemoItem], campaign: str, theme: str) -> float:
    answers = [item for item in items if item.campaign == campaign]
    return sum(item.gold_theme == theme for item in answers) / len(answers)


def _mean_nps_score(items: list[DemoItem], theme: str) -> float:
    scores = [item.score for item in items if item.source == "nps" and item.gold_theme == theme]
    return statistics.mean(score for score in scores if score is not None)


def test_same_seed_gives_identical_items(items: list[DemoItem]) -> None:
    assert generate_demo(7) == items


def test_another_seed_gives_other_texts(items: list[DemoItem]) -> None:
    other = generate_demo(8)
    assert [i.text for i in other] != [i.text for i in items]
    assert len({i.text for i in other} & {i.text for i in items}) < len(items) // 4


def test_default_volumes_per_source(items: list[DemoItem]) -> None:
    counts = Counter((item.source, item.campaign) for item in items)
    assert counts == {("nps", Q2): 350, ("nps", Q3): 400, ("survey", None): 200,
                      ("ticket", None): 300}  # fmt: skip


def test_scale_multiplies_volumes() -> None:
    small = generate_demo(7, scale=0.2)
    assert Counter(item.source for item in small) == {"nps": 150, "survey": 40, "ticket": 60}


def test_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_demo(7, scale=0)


def test_external_ids_are_unique_per_source_and_shaped(items: list[DemoItem]) -> None:
    ids = [(item.source, item.external_id) for item in items]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"T-\d{5}", i) for s, i in ids if s == "ticket")
    assert all(re.fullmatch(r"nps-2026q[23]-\d{4}", i) for s, i in ids if s == "nps")
    assert all(re.fullmatch(r"srv-\d{4}", i) for s, i in ids if s == "survey")


def test_scores_by_source(items: list[DemoItem]) -> None:
    nps_scores = [item.score for item in items if item.source == "nps"]
    survey_scores = [item.score for item in items if item.source == "survey"]
    assert all(score is not None and 0 <= score <= 10 for score in nps_scores)
    assert all(item.score is None for item in items if item.source == "ticket")
    assert 0 < survey_scores.count(None) < len(survey_scores)


def test_campaign_nps_is_realistic_and_drops_in_q3(items: list[DemoItem]) -> None:
    q2 = _nps([item.score or 0 for item in items if item.campaign == Q2])
    q3 = _nps([item.score or 0 for item in items if item.campaign == Q3])
    assert 5 <= q3 < q2 <= 40


def test_dates_are_aware_utc_over_six_months(items: list[DemoItem]) -> None:
    assert all(item.created_at.tzinfo is UTC for item in items)
    dates = [item.created_at for item in items]
    assert datetime(2026, 3, 1, tzinfo=UTC) <= min(dates)
    assert max(dates) < datetime(2026, 9, 1, tzinfo=UTC)
    assert len({d.month for d in dates}) == 6


def test_every_theme_has_enough_items(items: list[DemoItem]) -> None:
    counts = Counter(item.gold_theme for item in items)
    assert set(counts) == {theme.key for theme in THEMES}
    assert min(counts.values()) >= 15
    assert 10 <= len(THEMES) <= 15


def test_gold_fields_are_valid(items: list[DemoItem]) -> None:
    assert {item.gold_sentiment for item in items} == set(SENTIMENTS)
    praise = Counter(i.gold_sentiment for i in items if i.gold_theme == PRAISE_THEME)
    assert praise["negative"] == 0
    assert praise["positive"] > praise["mixed"] > 0


def test_texts_are_distinct_and_never_blank_by_default(items: list[DemoItem]) -> None:
    texts = [item.text for item in items]
    assert all(text.strip() for text in texts)
    assert len(set(texts)) / len(texts) >= 0.97


def test_neighbouring_items_rarely_repeat_a_sentence(items: list[DemoItem]) -> None:
    def sentences(text: str) -> set[str]:
        parts = re.split(r"(?<=[.!?])\s+|\n+", text.lower())
        return {part.strip() for part in parts if len(part.strip()) > 25}

    windows = repeated = 0
    for source in ("nps", "survey", "ticket"):
        ordered = [item for item in items if item.source == source]
        for start in range(0, len(ordered) - 20, 20):
            seen: set[str] = set()
            windows += 1
            for item in ordered[start : start + 20]:
                found = sentences(item.text)
                if found & seen:
                    repeated += 1
                    break
                seen |= found
    assert repeated / windows <= 0.15


def test_texts_look_like_real_feedback(items: list[DemoItem]) -> None:
    texts = [item.text for item in items]
    tickets = [item.text for item in items if item.source == "ticket"]
    assert sum(len(t) < 40 for t in texts) / len(texts) >= 0.05  # "export broken again"
    assert sum(len(t) > 300 for t in tickets) >= 20  # long multi-paragraph tickets
    assert any(t.startswith(("Hi team,", "Hello Quillo support,")) for t in tickets)
    assert any("Sent from my iPhone" in t for t in texts)
    assert any("&amp;" in t or "&#x27;" in t for t in tickets)
    assert any("https://" in t for t in texts)
    assert any("@" in t for t in tickets)
    assert any(re.search(r"\b[A-Z]{4,} [A-Z]{3,} [A-Z]{3,}", t) for t in texts)  # shouting
    assert sum(t == t.lower() and len(t) > 30 for t in texts) >= 10  # no capitals at all


def test_people_come_from_many_cultures(items: list[DemoItem]) -> None:
    names = {item.customer_name for item in items}
    assert sum(not name.isascii() for name in names) / len(names) >= 0.25
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name) for name in names)
    assert all(item.customer_email.isascii() for item in items)
    assert all(item.customer_email.endswith(".example") for item in items)


def test_accounts_have_plausible_attributes(items: list[DemoItem]) -> None:
    accounts = {(i.account_name, i.segment, i.plan, i.arr, i.region) for i in items}
    assert 50 <= len({a[0] for a in accounts}) <= 60
    assert {a[1] for a in accounts} == {"enterprise", "mid-market", "smb"}
    assert {a[2] for a in accounts} == {"starter", "growth", "enterprise"}
    assert {a[4] for a in accounts} == {"EMEA", "NA", "APAC", "LATAM"}
    smb_max = max(a[3] for a in accounts if a[1] == "smb")
    assert smb_max < min(a[3] for a in accounts if a[1] == "enterprise")


def test_customers_give_feedback_repeatedly_with_mostly_consent(items: list[DemoItem]) -> None:
    q2 = {i.customer_email for i in items if i.campaign == Q2}
    q3 = {i.customer_email for i in items if i.campaign == Q3}
    tickets = {i.customer_email for i in items if i.source == "ticket"}
    assert len(q2 & q3 & tickets) >= 20
    consent = {i.customer_email: i.consent for i in items}
    assert 0.75 <= sum(consent.values()) / len(consent) <= 0.95


def test_metadata_carries_plan_region_channel_and_survey(items: list[DemoItem]) -> None:
    for item in items:
        assert item.metadata["plan"] == item.plan
        assert item.metadata["region"] == item.region
    channels = Counter(i.metadata["channel"] for i in items if i.source == "ticket")
    assert set(channels) == {"email", "chat", "web"}
    surveys = {i.metadata["survey"] for i in items if i.source == "survey"}
    assert surveys == {"Onboarding survey", "Product feedback survey"}


def test_emerging_theme_grows_and_fixed_theme_shrinks(items: list[DemoItem]) -> None:
    assert _share(items, Q3, EMERGING_THEME) > 3 * _share(items, Q2, EMERGING_THEME)
    assert _share(items, Q3, SHRINKING_THEME) < 0.6 * _share(items, Q2, SHRINKING_THEME)


def test_planted_score_effects_show(items: list[DemoItem]) -> None:
    detractor = _mean_nps_score(items, DETRACTOR_THEME)
    neutral = _mean_nps_score(items, NO_EFFECT_THEME)
    praise = _mean_nps_score(items, PRAISE_THEME)
    assert detractor + 1.5 < neutral < praise


def test_blank_comments_only_when_asked() -> None:
    items = generate_demo(7, scale=0.5, include_blank_comments=True)
    blank = [item for item in items if not item.text]
    assert blank
    assert all(i.source == "nps" and i.score is not None for i in blank)
    assert {i.gold_theme for i in blank} == {NO_COMMENT_THEME}


def test_csv_round_trip(items: list[DemoItem], tmp_path: Path) -> None:
    path = tmp_path / "demo.csv"
    assert write_demo_csv(items, path) == len(items)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["text"] for row in rows] == [item.text for item in items]
    ticket = next(row for row, i in zip(rows, items, strict=True) if i.source == "ticket")
    assert ticket["score"] == ""
    assert ticket["campaign"] == ""
    assert ticket["channel"]
    assert {row["consent"] for row in rows} == {"true", "false"}


def test_csv_gold_columns_on_request(items: list[DemoItem], tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    write_demo_csv(items[:5], path, include_gold=True)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[-2:] == ["gold_theme", "gold_sentiment"]
    assert [row["gold_theme"] for row in rows] == [item.gold_theme for item in items[:5]]


def test_the_calendar_moves_in_whole_weeks_to_end_just_before_the_given_day() -> None:
    fixed = generate_demo(7, scale=0.2)
    moved = generate_demo(7, scale=0.2, end=date(2026, 12, 3))
    shift = {m.created_at - f.created_at for f, m in zip(fixed, moved, strict=True)}
    assert len(shift) == 1
    (delta,) = shift
    assert delta.days % 7 == 0
    newest = max(m.created_at for m in moved)
    assert date(2026, 11, 26) <= newest.date() <= date(2026, 12, 3)
    assert {m.campaign for m in moved} == {"2026-Q3 NPS", "2026-Q4 NPS", None}
    assert generate_demo(7, scale=0.2, end=date(2026, 12, 4)) == moved  # same for the week
