"""Frozen result types of the NPS campaign analysis (every figure carries its interval)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AnalysisOptions:
    """Knobs of one report; defaults mirror ``Settings.nps``."""

    confidence: float = 0.95
    min_group_size: int = 30
    min_theme_size: int = 30
    fdr_alpha: float = 0.05


@dataclass(frozen=True)
class NpsEstimate:
    """Promoters, passives, detractors and NPS (points, -100..100) with its interval."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    ci_low: float
    ci_high: float
    confidence: float

    @property
    def promoter_share(self) -> float:
        """Share of promoters (9-10)."""
        return self.promoters / self.n if self.n else 0.0

    @property
    def passive_share(self) -> float:
        """Share of passives (7-8)."""
        return self.passives / self.n if self.n else 0.0

    @property
    def detractor_share(self) -> float:
        """Share of detractors (0-6)."""
        return self.detractors / self.n if self.n else 0.0


@dataclass(frozen=True)
class GroupNps:
    """NPS of one group; small groups are flagged and left unranked."""

    field: str
    key: str
    estimate: NpsEstimate
    is_small: bool
    rank: int | None


@dataclass(frozen=True)
class NpsChange:
    """Difference between two independent campaigns with its interval and a plain statement."""

    campaign: str
    compared_to: str
    difference: float
    ci_low: float
    ci_high: float
    is_moved: bool
    statement: str


@dataclass(frozen=True)
class ThemeImpact:
    """A theme's volume, mix, respondents' NPS and impact on the overall NPS."""

    theme_id: int
    label: str
    n_respondents: int
    share: float
    share_of_promoters: float
    share_of_detractors: float
    respondents_nps: float
    impact: float
    ci_low: float
    ci_high: float
    is_small: bool


@dataclass(frozen=True)
class Driver:
    """A theme's effect in the driver model, beside its simple impact."""

    theme_id: int
    label: str
    effect: float
    effect_ci_low: float
    effect_ci_high: float
    p_value: float
    modelled_impact: float
    modelled_ci_low: float
    modelled_ci_high: float
    rank: int
    impact: float
    impact_rank: int
    disagreement: str | None
    baseline: str


@dataclass(frozen=True)
class EmergingTheme:
    """A theme's share now and in the compared campaign, tested for growth (BH corrected)."""

    theme_id: int
    label: str
    count: int
    share: float
    previous_count: int
    previous_share: float
    p_value: float
    p_adjusted: float
    test: str
    is_new: bool
    is_emerging: bool


@dataclass(frozen=True)
class HealthWeights:
    """Weights of the VoC health components (renormalised over the available components)."""

    nps: float = 0.4
    trend: float = 0.2
    negative_share: float = 0.3
    ticket_volume: float = 0.1


@dataclass(frozen=True)
class HealthComponent:
    """One component of an account's health: value 0..100 (None: no data) and its weight."""

    name: str
    value: float | None
    weight: float
    detail: str


@dataclass(frozen=True)
class AccountHealth:
    """An account's VoC health with every component shown and the reason to call."""

    account_id: int
    name: str
    arr: float | None
    n_people: int
    latest_nps: float | None
    previous_nps: float | None
    n_negative_basis: int
    negative_share: float | None
    n_tickets: int
    themes: tuple[str, ...]
    components: tuple[HealthComponent, ...]
    score: float
    reason: str
    rank: int


@dataclass(frozen=True)
class ThemeArr:
    """ARR of the distinct accounts whose detractors raise a theme."""

    theme_id: int
    label: str
    arr: float
    n_accounts: int
    n_detractors: int


@dataclass(frozen=True)
class CampaignSummary:
    """One campaign in the list: responses, scored responses and NPS."""

    name: str
    n_responses: int
    n_scored: int
    estimate: NpsEstimate | None
    first_at: datetime | None
    last_at: datetime | None


@dataclass(frozen=True)
class CampaignReport:
    """Everything the analyst hands over for one campaign."""

    campaign: str
    compared_to: str | None
    by: str | None
    generated_at: datetime
    options: AnalysisOptions
    overall: NpsEstimate
    previous: NpsEstimate | None
    change: NpsChange | None
    groups: tuple[GroupNps, ...]
    impacts: tuple[ThemeImpact, ...]
    drivers: tuple[Driver, ...]
    emerging: tuple[EmergingTheme, ...]
    n_unthemed: int
    notes: tuple[str, ...] = field(default=())
    accounts: tuple[AccountHealth, ...] = field(default=())
    theme_arr: tuple[ThemeArr, ...] = field(default=())
    # "theme": impact, drivers and emerging themes over fine themes; "parent": parent themes
    level: str = "theme"
