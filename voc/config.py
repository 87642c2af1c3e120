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

    @model_validator(mode="after")
    def _defaults_and_production_guards(self) -> Settings:
        if not self.database_url:
            self.database_url = default_database_url(self.data_dir)
        if self.environment == "production":
            if self.auth.secret_key.get_secret_value() in {PLACEHOLDER_SECRET, ""}:
                raise ValueError("VOC_AUTH__SECRET_KEY must be set to a real secret in production")
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
