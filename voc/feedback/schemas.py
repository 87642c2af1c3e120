"""Schemas of feedback items: creation, file-row validation, ingestion summaries, reads.

Row rules (``FeedbackIn``, used for every file row):

- **text**: stripped, NUL characters removed, NFC-normalised. Empty text is rejected
  (``empty text``) except for NPS rows that carry a score: NPS needs every score, so those are
  kept with ``text=""`` (theme analysis must skip empty texts).
- **score**: an integer 0..10 (``"7"``, ``" 7 "``, ``"7.0"``) or empty; ``"11"``, ``"abc"`` and
  ``7.5`` are rejected.
- **created_at**: ISO 8601 (``2026-05-01``, ``2026-05-01 14:03``, ``...T14:03:00+02:00``, ``Z``),
  ``2026/05/01``, ``01.05.2026`` (day first), ``01/05/2026`` with an optional ``HH:MM[:SS]``,
  or epoch seconds (milliseconds when the number is above 10^11). Slash dates are day first
  (``01/05/2026`` is 1 May) unless the second number is above 12, in which case month first
  (``12/31/2026``) is the only reading. Naive values are UTC; aware ones are converted to UTC.
  Missing dates stay ``None`` here; the ingest use case stores the ingestion time instead.
- **email**: lower-cased, must look like ``a@b.c``; **consent**: yes/no, true/false, 1/0, y/n.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from voc.feedback.models import Source
from voc.jobs.schemas import JobRead

MAX_TEXT_CHARS = 1_000_000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLASH_DATE = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
_TRUE = {"1", "true", "yes", "y", "t", "on", "opt-in", "optin", "opted in"}
_FALSE = {"0", "false", "no", "n", "f", "off", "opt-out", "optout", "opted out"}


def clean_text(value: str) -> str:
    """Strip, drop NUL characters (PostgreSQL refuses them) and normalise to NFC."""
    value = value.replace("\x00", "").replace("\r\n", "\n").strip()
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def blank_to_none(value: Any) -> Any:
    """Empty or whitespace-only strings become None; strings are cleaned."""
    if isinstance(value, str):
        value = clean_text(value)
        return value or None
    return value


def parse_score(value: Any) -> int | None:
    """An NPS score 0..10 from a string or number; ValueError otherwise."""
    value = blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("score must be an integer 0..10")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"score must be an integer 0..10, got {str(value)[:20]!r}") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= 10:
        raise ValueError(f"score must be an integer 0..10, got {str(value)[:20]!r}")
    return int(number)


def _slash_date(match: re.Match[str]) -> datetime:
    first, _sep, second, year, hour, minute, sec = match.groups()
    a, b = int(first), int(second)
    day, month = (b, a) if a <= 12 < b else (a, b)  # day first unless only month first is valid
    return datetime(year=int(year), month=month, day=day, hour=int(hour or 0),
                    minute=int(minute or 0), second=int(sec or 0))  # fmt: skip


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from the formats in the module docstring; ValueError otherwise."""
    value = blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, bool):
        raise ValueError("not a date")
    elif isinstance(value, int | float) or _EPOCH.match(str(value)):
        seconds = float(value)
        parsed = datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, UTC)
    else:
        parsed = _parse_date_string(str(value))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_date_string(text: str) -> datetime:
    try:
        if match := _SLASH_DATE.match(text):
            return _slash_date(match)
        if match := _YMD_SLASH.match(text):
            year, month, day, hour, minute, sec = (int(g or 0) for g in match.groups())
            return datetime(year, month, day, hour, minute, sec)
        return datetime.fromisoformat(text.replace(" UTC", "Z"))
    except ValueError:
        raise ValueError(f"unrecognised date {text[:40]!r} (use ISO 8601: 2026-05-01)") from None


def parse_bool(value: Any) -> bool | None:
    """Consent flags: yes/no, true/false, 1/0, y/n; ValueError otherwise."""
    value = blank_to_none(value)
    if value is None or isinstance(value, bool):
        return value
    key = str(value).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"expected yes/no, got {key[:20]!r}")


class FeedbackCreate(BaseModel):
    """A new feedback item with its optional customer and account attributes."""

    model_config = ConfigDict(str_strip_whitespace=True)

    source: Source
    text: str = Field(max_length=MAX_TEXT_CHARS)
    external_id: str | None = Field(default=None, max_length=255)
    score: int | None = Field(default=None, ge=0, le=10)
    created_at: datetime | None = None
    campaign: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=255)
    consent: bool | None = None
    account: str | None = Field(default=None, max_length=255)
    segment: str | None = Field(default=None, max_length=64)
    plan: str | None = Field(default=None, max_length=64)
    region: str | None = Field(default=None, max_length=64)
    arr: float | None = Field(default=None, ge=0)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        if not EMAIL_RE.match(value):
            raise ValueError("invalid email address")
        return value

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    @model_validator(mode="after")
    def _text_required(self) -> FeedbackCreate:
        if not self.text and not (self.source == Source.NPS and self.score is not None):
            raise ValueError("empty text")
        return self


class FeedbackIn(FeedbackCreate):
    """One file row: lenient parsing of strings from CSV/JSON into a FeedbackCreate."""

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return clean_text(value) if isinstance(value, str) else value

    @field_validator(
        "external_id", "campaign", "email", "name", "account", "segment", "plan", "region",
        mode="before",
    )  # fmt: skip
    @classmethod
    def _optional_str(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return blank_to_none(value)

    @field_validator("score", mode="before")
    @classmethod
    def _score(cls, value: Any) -> int | None:
        return parse_score(value)

    @field_validator("created_at", mode="before")
    @classmethod
    def _created_at(cls, value: Any) -> datetime | None:
        return parse_datetime(value)

    @field_validator("consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> bool | None:
        return parse_bool(value)

    @field_validator("arr", mode="before")
    @classmethod
    def _arr(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if isinstance(value, str):
            cleaned = value.replace(",", "").replace("$", "").replace("€", "").replace(" ", "")
            try:
                return float(cleaned)
            except ValueError:
                raise ValueError(f"ARR must be a number, got {value[:20]!r}") from None
        return value


class RowError(BaseModel):
    """Why one row of a file was rejected."""

    model_config = ConfigDict(frozen=True)

    line: int
    field: str | None
    reason: str


class IngestSummary(BaseModel):
    """What an import did; ``inserted + updated + unchanged + rejected == rows_read``."""

    path: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    customers_created: int = 0
    accounts_created: int = 0
    errors: list[RowError] = Field(default_factory=list)  # the first ``MAX_REPORTED`` only
    rejects_path: str | None = None
    dry_run: bool = False
    seconds: float = 0.0

    MAX_REPORTED: ClassVar[int] = 100

    @property
    def adds_up(self) -> bool:
        """Every row read is accounted for exactly once."""
        total = self.inserted + self.updated + self.unchanged + self.rejected
        return total == self.rows_read

    @property
    def rows_per_second(self) -> float:
        """Throughput of the import."""
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


class FeedbackRead(BaseModel):
    """One feedback item with its sentiment, kind and theme."""

    id: int
    source: str
    external_id: str
    text: str
    score: int | None
    created_at: datetime
    campaign: str | None
    customer_id: int | None
    metadata: dict[str, Any] = Field(default_factory=dict)
    sentiment_label: str | None
    sentiment_score: float | None
    sentiment_is_mixed: bool | None = None
    kind: str | None = None
    kind_confidence: float | None = None
    theme_id: int | None
    theme_label: str | None
    theme_confidence: float | None
    is_manual_assignment: bool | None


class BulkResult(BaseModel):
    """What a bulk create stored; ``job`` follows the background assignment of large bulks."""

    summary: IngestSummary
    n_assigned_inline: int
    job: JobRead | None


class FeedbackPage(BaseModel):
    """A page of items, newest first; pass ``next_cursor`` back for the next page."""

    items: list[FeedbackRead]
    next_cursor: str | None
    limit: int


@dataclass(frozen=True)
class FeedbackFilters:
    """Filters of the feedback list; None means no filter."""

    source: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    theme_id: int | None = None
    sentiment: str | None = None
    kind: str | None = None
    segment: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    q: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when no filter is set (every item passes)."""
        return all(value is None for value in vars(self).values())
