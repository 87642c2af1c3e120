"""Small builders for theme-engine tests (rows written through the ORM)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from voc.demo.generator import DemoItem
from voc.feedback.embeddings import text_hash
from voc.feedback.models import Feedback


def add_items(session: Session, items: Sequence[DemoItem]) -> list[int]:
    """Store demo items as feedback rows; returns their ids in order."""
    rows = [
        Feedback(
            source=item.source,
            external_id=item.external_id,
            text=item.text,
            text_hash=text_hash(item.text),
            content_hash=hashlib.sha256(item.external_id.encode()).hexdigest(),
            score=item.score,
            created_at=item.created_at,
            campaign=item.campaign,
            meta={"gold_theme": item.gold_theme},
        )
        for item in items
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def add_text(session: Session, text: str, external_id: str) -> int:
    """Store one free-text ticket."""
    row = Feedback(
        source="ticket",
        external_id=external_id,
        text=text,
        text_hash=text_hash(text),
        content_hash=text_hash(external_id),
        created_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    return row.id
