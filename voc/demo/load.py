"""Load the demo sample through the real ingestion path (CSV file -> ``ingest_file``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from voc.demo.generator import generate_demo, write_demo_csv
from voc.feedback import service as feedback_service
from voc.feedback.schemas import IngestSummary

DEMO_FILE = "quillo_feedback.csv"


def write_demo_file(
    folder: Path, *, seed: int = 7, scale: float = 1.0, end: date | None = None
) -> Path:
    """Generate the demo sample (newest item just before ``end``) as a CSV file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DEMO_FILE
    write_demo_csv(generate_demo(seed, scale=scale, end=end), path)
    return path


def load_demo(
    session: Session, folder: Path, *, seed: int = 7, scale: float = 1.0, end: date | None = None
) -> tuple[Path, IngestSummary]:
    """Write the demo CSV and ingest it (idempotent within a week: a second load changes nothing).

    ``voc demo`` passes today as ``end``, so the sample's newest items are from last week.
    """
    path = write_demo_file(folder, seed=seed, scale=scale, end=end)
    return path, feedback_service.ingest_file(session, path)
