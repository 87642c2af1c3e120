"""Settings from the environment and ``.env`` (prefix ``VOC_``, nested sections with ``__``)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")
PLACEHOLDER_SECRET = "change-me"


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """SQLite file under the data directory: the embedded default."""
    return f"sqlite:///{(data_dir / 'voc.sqlite3').resolve()}"


class NlpSettings(BaseModel):
    """Models and analysis defaults."""

    embedding_model: str | None = None  # None: the packaged all-MiniLM-L6-v2
    sentiment_model: str | None = None  # None: the shipped branch model; or a local HF dir
    device: str | None = None  # None: CUDA when available, else CPU
    batch_size: int = Field(default=64, ge=1, le=4096)
    seed: int = 42
    # the product's own names: never the start or end of a theme label ("Recommend Quillo")
    product_names: list[str] = Field(default_factory=list)


class HealthWeights(BaseModel):
    """Weights of the VoC account health score (they are shown with every score)."""

    nps: float = 0.4
    trend: float = 0.2
    negative_share: float = 0.3
    ticket_volume: float = 0.1


class NpsSettings(BaseModel):
    """NPS analytics defaults."""

    min_group_size: int = Field(default=30, ge=1)
    health_weights: HealthWeights = HealthWeights()


def _default_status_map() -> dict[str, str]:
    return {
        "open": "open", "new": "open", "to do": "open", "todo": "open", "backlog": "open",
        "triage": "open", "planned": "planned", "selected for development": "planned",
        "ready": "planned", "in progress": "in_progress", "in_progress": "in_progress",
        "in review": "in_progress", "started": "in_progress", "shipped": "shipped",
        "done": "shipped", "closed": "shipped", "released": "shipped", "completed": "shipped",
        "declined": "declined", "won't do": "declined", "wont do": "declined",
        "canceled": "declined", "cancelled": "declined", "rejected": "declined",
        "duplicate": "declined",
    }  # fmt: skip


class OpportunityWeights(BaseModel):
    """Weights of the opportunity score of a request (shown with every score)."""

    arr: float = 1.0
    customers: float = 1.0
    growth: float = 0.5
    negative_share: float = 1.0


class RequestSettings(BaseModel):
    """Product requests: evidence, suggestions and tracker imports."""

    # a theme's item counts as evidence for its confirmed request at or above this confidence
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    # suggestions scoring below this are not stored or shown
    suggest_min_score: float = Field(default=0.25, ge=-1.0, le=1.0)
    suggest_limit: int = Field(default=5, ge=1, le=50)
    # tracker status (lower case) -> request status; VOC_REQUESTS__STATUS_MAP='{"Fixed": "shipped"}'
    status_map: dict[str, str] = Field(default_factory=_default_status_map)
    opportunity: OpportunityWeights = OpportunityWeights()


class FeedbackSettings(BaseModel):
    """What feedback items are accepted."""

    date_floor: date = date(1990, 1, 1)  # created_at before this day is rejected


class AuthSettings(BaseModel):
    """Sessions, tokens and CSRF."""

    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    session_max_age_s: int = 8 * 3600


class JobSettings(BaseModel):
    """Background jobs: in-process by default, Dramatiq on a broker in production."""

    broker: Literal["inprocess", "redis", "rabbitmq"] = "inprocess"
    redis_url: str = "redis://127.0.0.1:6379/0"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"


class EmailSettings(BaseModel):
    """Close-the-loop email: the SMTP relay, the sender, and who may be mailed when."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    starttls: bool = False
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    sender: str = "Product team <product@example.com>"
    frequency_cap_days: int = Field(default=14, ge=0)
    max_feedback_age_days: int = Field(default=548, ge=1)  # 18 months
    events_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)  # HMAC of POST /api/v1/email-events
    events_max_skew_s: int = Field(default=300, ge=1)
    batch_size: int = Field(default=50, ge=1, le=10_000)
    send_attempts: int = Field(default=3, ge=1, le=10)  # tenacity, within one relay pass
    send_backoff_s: float = Field(default=0.5, ge=0)
    max_attempts: int = Field(default=8, ge=1)  # relay passes before a row is failed
    retry_base_s: float = Field(default=60.0, ge=0)
    retry_max_s: float = Field(default=6 * 3600.0, ge=0)
    claim_lease_s: float = Field(default=600.0, ge=0)  # a claim older than this is taken over
    poll_interval_s: float = Field(default=5.0, gt=0)


class Settings(BaseSettings):
    """All settings of the service; built once by :func:`get_settings`."""

    model_config = SettingsConfigDict(
        env_prefix="VOC_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    nlp: NlpSettings = NlpSettings()
    nps: NpsSettings = NpsSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    auth: AuthSettings = AuthSettings()
    jobs: JobSettings = JobSettings()
    requests: RequestSettings = RequestSettings()
    email: EmailSettings = EmailSettings()
    public_url: str = "http://127.0.0.1:8000"  # base of the links in emails (unsubscribe)

    @model_validator(mode="after")
    def _defaults_and_production_guards(self) -> Settings:
        if not self.database_url:
            self.database_url = default_database_url(self.data_dir)
        if self.environment == "production":
            if self.auth.secret_key.get_secret_value() in {PLACEHOLDER_SECRET, ""}:
                raise ValueError("VOC_AUTH__SECRET_KEY must be set to a real secret in production")
            if self.email.events_secret.get_secret_value() in {PLACEHOLDER_SECRET, ""}:
                raise ValueError(
                    "VOC_EMAIL__EVENTS_SECRET must be set to a real secret in production"
                )
            if not self.public_url.startswith("https://"):
                raise ValueError("VOC_PUBLIC_URL must be an https:// URL in production")
            if self.database_url.startswith("sqlite"):
                raise ValueError("production needs VOC_DATABASE_URL=postgresql+psycopg://...")
        return self

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite default."""
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()
