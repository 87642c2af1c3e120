"""Schemas of product requests: create/update, reads, links, evidence, suggestions, imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

STATUSES = ("open", "planned", "in_progress", "shipped", "declined")
SORTS = (
    "opportunity", "items", "customers", "accounts", "arr", "nps", "growth",
    "negative_share", "updated", "title",
)  # fmt: skip


class RequestCreate(BaseModel):
    """A new request; ``external_key`` (a tracker issue key) is unique when given."""

    title: str = Field(max_length=2_000)
    description: str | None = None
    status: str = "open"
    external_key: str | None = Field(default=None, max_length=255)
    url: str | None = Field(default=None, max_length=2_048)
    release_note: str | None = None


class RequestUpdate(BaseModel):
    """An edit: only the fields given change (status changes go through their own call)."""

    title: str | None = Field(default=None, max_length=2_000)
    description: str | None = None
    external_key: str | None = Field(default=None, max_length=255)
    url: str | None = Field(default=None, max_length=2_048)
    release_note: str | None = None


class StatusChange(BaseModel):
    """A status change asked for, with an optional note for the history."""

    status: str
    note: str | None = Field(default=None, max_length=5_000)


class RequestRead(BaseModel):
    """A request as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    status: str
    external_key: str | None
    url: str | None
    release_note: str | None
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None


class StatusChangeRead(BaseModel):
    """One entry of a request's status history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    created_at: datetime


class StatusResult(BaseModel):
    """What a status change did; ``became_shipped`` is the hook of close-the-loop campaigns."""

    request: RequestRead
    change: StatusChangeRead | None
    became_shipped: bool


class NpsRead(BaseModel):
    """NPS of the scored respondents behind a request, with its interval (campaign stats)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    ci_low: float
    ci_high: float
    confidence: float


class MixCount(BaseModel):
    """Evidence items from one segment or plan."""

    name: str
    count: int
    share: float


class WeekCount(BaseModel):
    """Evidence items created in the ISO week starting on ``week``."""

    week: date
    count: int


class EvidenceQuote(BaseModel):
    """An evidence item shown as a quote."""

    feedback_id: int
    text: str
    source: str
    score: int | None
    sentiment_score: float | None
    created_at: datetime
    customer_id: int | None
    account_id: int | None
    via: str  # "direct" or "theme"
    theme_id: int | None
    confidence: float | None


class OpportunityComponent(BaseModel):
    """One term of the opportunity score: its raw value, weight and contribution."""

    name: str
    value: float
    term: str
    weight: float
    contribution: float


class Opportunity(BaseModel):
    """The opportunity score, its formula, and every component."""

    score: float
    formula: str
    components: list[OpportunityComponent]


class EvidenceTotals(BaseModel):
    """The numbers behind a request (each account's ARR counted once)."""

    n_items: int
    n_direct: int
    n_customers: int
    n_accounts: int
    arr: float
    n_negative: int
    negative_share: float | None
    n_recent: int
    n_previous: int
    growth: float
    nps: NpsRead | None
    min_confidence: float


class Evidence(EvidenceTotals):
    """Totals with mixes, the weekly mentions, the strongest quotes and the opportunity."""

    segments: list[MixCount]
    plans: list[MixCount]
    weekly: list[WeekCount]
    quotes: list[EvidenceQuote]
    negative_quotes: list[EvidenceQuote]
    opportunity: Opportunity


class EvidenceItem(BaseModel):
    """One evidence item with its customer (what close-the-loop emails)."""

    feedback_id: int
    customer_id: int | None
    account_id: int | None
    via: str
    theme_id: int | None


class QuoteMatch(BaseModel):
    """A quote of a theme close to the request's text: the why of a suggestion."""

    feedback_id: int
    text: str
    similarity: float


class ThemeLinkRead(BaseModel):
    """A theme linked to (or suggested for, or rejected for) a request."""

    theme_id: int
    theme_label: str
    theme_status: str
    theme_is_hidden: bool
    theme_size: int
    state: str
    score: float | None
    origin: str
    from_theme_id: int | None
    decided_by: str | None
    decided_at: datetime | None


class ThemeSuggestion(BaseModel):
    """A theme suggested for a request, best first, with the closest quotes as the why."""

    theme_id: int
    label: str
    score: float
    centroid_similarity: float
    quote_similarity: float
    state: str
    why: list[QuoteMatch]


class RequestSuggestion(BaseModel):
    """A request suggested for a theme, best first."""

    request_id: int
    external_key: str | None
    title: str
    status: str
    score: float
    state: str
    why: list[QuoteMatch]


class ItemLinkRead(BaseModel):
    """A feedback item linked directly to a request."""

    feedback_id: int
    text: str
    source: str
    score: int | None
    created_at: datetime
    customer_id: int | None
    account_id: int | None
    link_score: float | None
    linked_by: str
    linked_at: datetime


class ItemLinkResult(BaseModel):
    """What a bulk link or unlink did."""

    request_id: int
    linked: int
    already: int
    removed: int


class RequestSummary(RequestRead):
    """A request with its stored evidence totals, as the list shows it."""

    n_items: int
    n_customers: int
    n_accounts: int
    arr: float
    nps: float | None
    negative_share: float | None
    growth: float
    opportunity: float
    n_confirmed_themes: int


class RequestPage(BaseModel):
    """One page of requests, sorted and filtered; ``formula`` explains ``opportunity``."""

    requests: list[RequestSummary]
    total: int
    limit: int
    offset: int
    sort: str
    formula: str


class RequestDetail(RequestRead):
    """Everything the detail page shows."""

    evidence: Evidence
    themes: list[ThemeLinkRead]
    items: list[ItemLinkRead]
    n_items_linked: int
    history: list[StatusChangeRead]


class ImportProblem(BaseModel):
    """A rejected row of a tracker CSV: line, field and reason."""

    line: int
    field: str
    reason: str


class ImportReport(BaseModel):
    """What an import did; ``shipped_ids`` became shipped by it (close-the-loop hook)."""

    inserted: int
    updated: int
    unchanged: int
    rejected: int
    problems: list[ImportProblem]
    shipped_ids: list[int]


@dataclass(frozen=True)
class RequestFilters:
    """Filters of the request list; None means no filter."""

    status: str | None = None
    q: str | None = None
    min_items: int | None = None
    min_arr: float | None = None
    min_customers: int | None = None
    account_id: int | None = None


class FeedbackMatch(BaseModel):
    """A feedback item found for a request by meaning, with its score and whether linked."""

    score: float
    is_linked: bool
    feedback_id: int
    text: str
    source: str
    score_nps: int | None
    created_at: datetime
    customer_id: int | None


class FeedbackMatches(BaseModel):
    """Find the feedback that asks for this: items closest in meaning to the request text."""

    query: str
    model_id: str
    hits: list[FeedbackMatch]


class ThemeRequestRead(BaseModel):
    """A request linked to (or suggested for) a theme, as the theme page shows it."""

    request_id: int
    external_key: str | None
    title: str
    status: str
    state: str
    score: float | None
    origin: str
