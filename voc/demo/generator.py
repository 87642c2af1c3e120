"""Seeded generator of realistic demo feedback about the fictional SaaS product Quillo."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from voc.demo.compose import Picker, TextRequest, compose
from voc.demo.people import Account, Customer, build_accounts, build_customers
from voc.demo.themes import (
    MIXED,
    NEGATIVE,
    NEUTRAL,
    NO_COMMENT_THEME,
    POSITIVE,
    THEMES,
    DemoTheme,
)

CSV_COLUMNS = (
    "external_id",
    "source",
    "text",
    "score",
    "created_at",
    "campaign",
    "email",
    "name",
    "consent",
    "account",
    "segment",
    "plan",
    "arr",
    "region",
    "channel",
)
GOLD_COLUMNS = ("gold_theme", "gold_sentiment")
# The redesigned billing page ships on this day; the import fix a little earlier.
LATE_PERIOD_START = datetime(2026, 7, 1, tzinfo=UTC)
_BASE_SCORE = 9.55


@dataclass(frozen=True)
class DemoItem:
    """One generated feedback item with its ground truth (gold theme and sentiment)."""

    external_id: str
    source: str
    text: str
    score: int | None
    created_at: datetime
    campaign: str | None
    customer_email: str
    customer_name: str
    consent: bool
    account_name: str
    segment: str
    plan: str
    arr: int
    region: str
    metadata: dict[str, str]
    gold_theme: str
    gold_sentiment: str


@dataclass(frozen=True)
class _Wave:
    """One batch of feedback: an NPS campaign, a survey or the ticket stream."""

    source: str
    name: str | None
    start: datetime
    days: int
    count: int
    id_prefix: str
    scored_share: float


_WAVES = (
    _Wave("nps", "2026-Q2 NPS", datetime(2026, 4, 6, tzinfo=UTC), 40, 350, "nps-2026q2-", 1.0),
    _Wave("nps", "2026-Q3 NPS", datetime(2026, 7, 6, tzinfo=UTC), 45, 400, "nps-2026q3-", 1.0),
    _Wave("survey", "Onboarding survey", datetime(2026, 3, 9, tzinfo=UTC), 80, 100, "srv-", 0.7),
    _Wave(
        "survey", "Product feedback survey", datetime(2026, 6, 22, tzinfo=UTC), 70, 100, "srv-", 0.0
    ),
    _Wave("ticket", None, datetime(2026, 3, 1, tzinfo=UTC), 184, 300, "T-", 0.0),
)
# The newest item the fixed calendar above can hold (the ticket stream's last day).
_LAST_MOMENT = max(w.start + timedelta(days=w.days) for w in _WAVES)
_CHANNELS = (("email", 0.55), ("chat", 0.27), ("web", 0.18))


class _Planned(NamedTuple):
    """An item whose text is still to be written."""

    item: DemoItem
    customer: Customer
    kind: str


class _Builder:
    """Holds the random source, the people and the texts already written."""

    def __init__(
        self, seed: int, scale: float, include_blank_comments: bool, shift: timedelta
    ) -> None:
        self.rng = random.Random(seed)
        self.late_start = LATE_PERIOD_START + shift
        self.scale = scale
        self.blanks = include_blank_comments
        self.accounts = build_accounts(self.rng, max(5, round(60 * scale)))
        self.customers = build_customers(self.rng, self.accounts, max(20, round(600 * scale)))
        self.seen: set[str] = set()
        self.cum_weights: dict[tuple[str, bool, bool], list[float]] = {}

    def when(self, wave: _Wave) -> datetime:
        # most answers come in right after an invitation; tickets arrive evenly
        span = wave.days * 86400
        offset = (
            self.rng.random() if wave.source == "ticket" else min(1.0, self.rng.expovariate(4.0))
        ) * span
        return wave.start + timedelta(seconds=int(offset))

    def theme(self, account: Account, late: bool, source: str) -> DemoTheme:
        key = (source, late, account.is_at_risk)
        if key not in self.cum_weights:
            self.cum_weights[key] = list(accumulate(_weights(source, late, account.is_at_risk)))
        return self.rng.choices(THEMES, cum_weights=self.cum_weights[key])[0]

    def score(self, theme: DemoTheme | None, account: Account, late: bool) -> int:
        shift = account.score_shift * (2.5 if account.is_at_risk and late else 1.0)
        noise = self.rng.gauss(0.0, 1.5)
        if self.rng.random() < 0.12:  # the occasional furious zero-to-three
            noise -= self.rng.uniform(2.0, 6.0)
        effect = theme.score_effect if theme else 0.0
        return max(0, min(10, round(_BASE_SCORE + effect + shift + noise)))

    def sentiment(self, theme: DemoTheme, score: int | None, at_risk: bool) -> str:
        mix = dict(theme.sentiment_mix)
        sentiment = self.rng.choices(list(mix), list(mix.values()))[0]
        can_complain = mix[NEGATIVE] > 0
        if score is None:  # no score to agree with: at-risk accounts simply complain
            return NEGATIVE if at_risk and sentiment == MIXED and can_complain else sentiment
        if score >= 9 and sentiment == NEGATIVE and self.rng.random() < 0.7:
            return MIXED
        if score <= 4 and sentiment == POSITIVE and self.rng.random() < 0.8:
            return MIXED
        if score <= 3 and sentiment == NEUTRAL and can_complain:
            return NEGATIVE
        return sentiment

    def text(self, picker: Picker, request: TextRequest) -> str:
        text = compose(picker, request)
        for _ in range(2):  # a reader should not meet the same text twice
            if text not in self.seen:
                break
            text = compose(picker, request)
        self.seen.add(text)
        return text

    def plan(self, wave: _Wave, customer: Customer) -> _Planned:
        rng, account = self.rng, customer.account
        created_at = self.when(wave)
        late = created_at >= self.late_start
        channel = rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
        theme = self.theme(account, late, wave.source)
        scored = wave.source != "ticket" and rng.random() < wave.scored_share
        latent = self.score(theme, account, late)
        sentiment = self.sentiment(theme, latent if scored else None, account.is_at_risk)
        theme_key = theme.key
        if wave.source == "nps" and self.blanks and rng.random() < 0.06:
            theme_key, sentiment = NO_COMMENT_THEME, NEUTRAL
            latent = self.score(None, account, late)
        metadata = {"region": account.region, "plan": account.plan, "segment": account.segment}
        if wave.source == "ticket":
            metadata["channel"] = channel
        if wave.source == "survey" and wave.name:
            metadata["survey"] = wave.name
        item = DemoItem(
            "", wave.source, "", latent if scored else None, created_at,
            wave.name if wave.source == "nps" else None, customer.email, customer.name,
            customer.consent, account.name, account.segment, account.plan, account.arr,
            account.region, metadata, theme_key, sentiment,
        )  # fmt: skip
        return _Planned(item, customer, channel if wave.source == "ticket" else wave.source)

    def write(self, planned: list[_Planned], wave: _Wave, first: int) -> list[DemoItem]:
        # texts are written in date order so that neighbours a reader sees do not repeat
        planned.sort(key=lambda p: p.item.created_at)
        picker = Picker(self.rng)
        width = 5 if wave.source == "ticket" else 4
        items = []
        for number, (item, customer, kind) in enumerate(planned, start=first):
            text = ""
            if item.gold_theme != NO_COMMENT_THEME:
                request = TextRequest(
                    item.gold_theme, item.gold_sentiment, kind, customer, item.created_at
                )
                text = self.text(picker, request)
            external_id = f"{wave.id_prefix}{number:0{width}d}"
            items.append(replace(item, external_id=external_id, text=text))
        return items

    def respondents(self, wave: _Wave, count: int) -> list[Customer]:
        if wave.source == "nps" and count <= len(self.customers):
            return self.rng.sample(self.customers, count)  # one answer per person and campaign
        weights = [
            (3.0 if c.account.is_at_risk else 1.0)
            * (1.5 if c.account.segment == "enterprise" else 1.0)
            for c in self.customers
        ]
        return self.rng.choices(self.customers, weights, k=count)


def _weights(source: str, late: bool, at_risk: bool) -> list[float]:
    weights = []
    for theme in THEMES:
        weight = {"nps": theme.nps_weight, "ticket": theme.ticket_weight}.get(
            source, theme.survey_weight
        ) * (theme.late_factor if late else 1.0)
        if at_risk:  # unhappy accounts talk about the painful themes, rarely praise
            weight *= 2.0 if theme.score_effect <= -1.5 else 0.4 if theme.score_effect > 0 else 1
        weights.append(weight)
    return weights


def calendar_shift(end: date | None) -> timedelta:
    """Whole weeks that move the sample's calendar so that its newest item is at most ``end``.

    Whole weeks keep weekdays (and so the weekly trend) as they are, and keep the sample the
    same for a week: loading it again on another day of that week changes nothing.
    """
    if end is None:
        return timedelta(0)
    gap = datetime.combine(end, time.min, tzinfo=UTC) - _LAST_MOMENT
    return timedelta(weeks=gap // timedelta(weeks=1))


def _shifted(wave: _Wave, shift: timedelta) -> _Wave:
    if not shift or wave.source != "nps" or wave.name is None:
        return replace(wave, start=wave.start + shift)
    start = wave.start + shift
    quarter = f"{start.year}-Q{(start.month - 1) // 3 + 1}"  # the campaign says when it ran
    return replace(
        wave,
        start=start,
        name=f"{quarter} NPS",
        id_prefix=f"nps-{quarter.lower().replace('-', '')}-",
    )


def generate_demo(
    seed: int = 7,
    *,
    scale: float = 1.0,
    include_blank_comments: bool = False,
    end: date | None = None,
) -> list[DemoItem]:
    """Generate the demo sample, deterministically for (seed, scale, end).

    Without ``end`` the sample keeps its fixed calendar (March to August 2026); with it, the
    calendar moves by whole weeks so that the newest item falls in the seven days before ``end``.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    shift = calendar_shift(end)
    builder = _Builder(seed, scale, include_blank_comments, shift)
    items: list[DemoItem] = []
    next_id = {"srv-": 1, "T-": 10001}
    for wave in (_shifted(w, shift) for w in _WAVES):
        count = max(1, round(wave.count * scale))
        batch = [builder.plan(wave, person) for person in builder.respondents(wave, count)]
        first = next_id.get(wave.id_prefix, 1)
        next_id[wave.id_prefix] = first + len(batch)
        items.extend(builder.write(batch, wave, first))
    return items


def _row(item: DemoItem, include_gold: bool) -> list[str]:
    row = [
        item.external_id,
        item.source,
        item.text,
        "" if item.score is None else str(item.score),
        item.created_at.isoformat(),
        item.campaign or "",
        item.customer_email,
        item.customer_name,
        "true" if item.consent else "false",
        item.account_name,
        item.segment,
        item.plan,
        str(item.arr),
        item.region,
        item.metadata.get("channel", ""),
    ]
    return [*row, item.gold_theme, item.gold_sentiment] if include_gold else row


def write_demo_csv(
    items: Iterable[DemoItem], path: str | Path, *, include_gold: bool = False
) -> int:
    """Write items as UTF-8 CSV (gold columns only when asked); return the rows written."""
    header: Sequence[str] = CSV_COLUMNS + GOLD_COLUMNS if include_gold else CSV_COLUMNS
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for item in items:
            writer.writerow(_row(item, include_gold))
            count += 1
    return count
