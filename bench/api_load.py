"""Synthetic 1M-item database for ``bench/api.py``: feedback, cached embeddings, themes, stats.

Rows are generated in chunks and inserted with SQLAlchemy core ``insert()`` executemany, one
transaction per chunk. Embeddings are seeded random unit vectors near their theme's centroid,
stored in the embedding cache under the real embedder's model id (the model never runs here).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import JSON, Connection, Engine, Table, func, insert, select, text
from sqlalchemy.orm import Session

from voc.customer.models import Account, Customer
from voc.db import Base, session_scope, upgrade_schema
from voc.feedback.models import EmbeddingCache, Feedback
from voc.theme import stats as theme_stats
from voc.theme.models import AnalysisRun, RunStatus, Theme, ThemeAssignment

logger = logging.getLogger(__name__)

FEATURES = (
    "CSV export", "login", "dashboard", "invoice", "mobile app", "search", "billing page",
    "password reset", "report builder", "API", "notifications", "calendar sync", "checkout",
    "onboarding", "user roles", "data import", "PDF export", "charts", "filters", "Slack app",
    "single sign-on", "audit log", "team invites", "webhooks", "dark mode", "file upload",
    "email digest", "integrations page", "pricing", "support chat",
)  # fmt: skip
PROBLEMS = (
    "is too slow", "keeps crashing", "drops accents", "times out", "is confusing",
    "lost my settings", "shows the wrong totals", "works great", "is missing a date column",
    "needs more options",
)  # fmt: skip
OPENERS = (
    "Honestly,", "Since the last update", "Every Monday", "For our team", "Again:", "",
    "Our admins say", "Today", "As a long time customer,", "FYI", "Hi,", "Sadly",
)  # fmt: skip
DETAILS = (
    "and we lose time", "which blocks our month end", "on Firefox", "on the iPad",
    "for large accounts", "when I use filters", "after the redesign", "for the third time",
    "in the EU region", "with 10k rows", "since Tuesday", "for new users", "", "",
)  # fmt: skip
CLOSERS = ("Please fix.", "Thanks!", "Any ETA?", "Love the product otherwise.", "", "!!")
SEGMENTS = ("enterprise", "mid-market", "smb", "startup")
SOURCES = ("nps", "survey", "ticket")
START = datetime(2025, 3, 3, tzinfo=UTC)
WEEKS = 52


@dataclass(frozen=True)
class LoadResult:
    """What was loaded and how long each step took (seconds)."""

    n_items: int
    n_themes: int
    n_assigned: int
    timings: dict[str, float]


def _unit(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _themes(session: Session, rng: np.random.Generator, n_themes: int, dim: int, run_id: int) -> (
    tuple[list[int], npt.NDArray[np.float32]]
):  # fmt: skip
    centroids = _unit(rng.standard_normal((n_themes, dim)).astype(np.float32))
    rows = []
    for t in range(n_themes):
        feature = FEATURES[t % len(FEATURES)]
        problem = PROBLEMS[(t // len(FEATURES)) % len(PROBLEMS)]
        rows.append(
            {
                "status": "active",
                "machine_label": f"{feature} {problem}",
                "keywords": [*feature.lower().split(), *problem.split()[-2:]],
                "representative_ids": [],
                "centroid": centroids[t].tobytes(),
                "size": 0,
                "created_run_id": run_id,
                "last_run_id": run_id,
                "is_hidden": t % 97 == 96,
                "created_at": START,
                "updated_at": START,
            }
        )
    session.execute(insert(Theme), rows)
    ids = list(session.scalars(select(Theme.id).order_by(Theme.id)))
    return ids, centroids


def _customers(session: Session, n_accounts: int, per_account: int) -> list[int]:
    session.execute(
        insert(Account),
        [
            {"name": f"Account {a:05d}", "segment": SEGMENTS[a % len(SEGMENTS)], "arr": 1000.0 * a}
            for a in range(n_accounts)
        ],
    )
    account_ids = list(session.scalars(select(Account.id).order_by(Account.id)))
    session.execute(
        insert(Customer),
        [
            {"email": f"user{a}.{c}@bench.example", "account_id": aid, "is_consenting": c % 3 != 0}
            for a, aid in enumerate(account_ids)
            for c in range(per_account)
        ],
    )
    return list(session.scalars(select(Customer.id).order_by(Customer.id)))


def _text(theme: int, i: int, rng: np.random.Generator) -> str:
    feature = FEATURES[theme % len(FEATURES)]
    problem = PROBLEMS[(theme // len(FEATURES)) % len(PROBLEMS)]
    parts = (
        OPENERS[int(rng.integers(len(OPENERS)))],
        f"the {feature} {problem}",
        DETAILS[int(rng.integers(len(DETAILS)))],
        CLOSERS[int(rng.integers(len(CLOSERS)))],
        f"(ref {i:07d})",
    )
    return " ".join(p for p in parts if p)


def _chunk_rows(
    start: int, size: int, theme_ids: list[int], centroids: npt.NDArray[np.float32],
    customers: list[int], model_id: str, run_id: int, seed: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    rng = np.random.default_rng([seed, start])
    n_themes = len(theme_ids)
    # Zipf-like theme sizes: a few big themes, a long tail.
    weights = 1.0 / np.arange(1, n_themes + 1) ** 0.8
    themes = rng.choice(n_themes, size=size, p=weights / weights.sum())
    assigned = rng.random(size) < 0.9
    vectors = _unit(centroids[themes] + 0.9 * rng.standard_normal((size, centroids.shape[1])) /
                    np.sqrt(centroids.shape[1]))  # fmt: skip
    seconds = rng.integers(0, WEEKS * 7 * 86400, size=size)
    scores = rng.integers(0, 11, size=size)
    polarity = rng.random(size)
    feedback, embeddings, assignments = [], [], []
    for j in range(size):
        fid = start + j + 1
        t = int(themes[j])
        body = _text(t, fid, rng)
        digest = hashlib.sha256(body.encode()).hexdigest()
        bias = 0.3 if PROBLEMS[(t // len(FEATURES)) % len(PROBLEMS)] == "works great" else 0.75
        label = (
            "negative" if polarity[j] < bias else ("neutral" if polarity[j] < 0.9 else "positive")
        )
        source = SOURCES[fid % 3]
        feedback.append(
            {
                "id": fid, "source": source, "external_id": f"bench-{fid}", "text": body,
                "text_hash": digest, "content_hash": digest,
                "score": int(scores[j]) if source == "nps" else None,
                "created_at": START + timedelta(seconds=int(seconds[j])),
                "campaign": None,
                "customer_id": customers[fid % len(customers)] if fid % 10 < 7 else None,
                "metadata": {}, "sentiment_label": label,
                "sentiment_score": round(float(polarity[j]) * 2 - 1, 3),
                "sentiment_is_mixed": fid % 20 == 0, "sentiment_model": "bench-synthetic",
                "ingested_at": START, "updated_at": START,
            }
        )  # fmt: skip
        embeddings.append(
            {"model_id": model_id, "text_hash": digest, "dim": int(vectors.shape[1]),
             "vector": vectors[j].tobytes(), "created_at": START}
        )  # fmt: skip
        if assigned[j]:
            assignments.append(
                {"feedback_id": fid, "theme_id": theme_ids[t], "confidence": 0.5 + polarity[j] / 2,
                 "method": "cluster", "run_id": run_id, "is_manual": False, "assigned_at": START,
                 "feedback_created_at": feedback[-1]["created_at"]}
            )  # fmt: skip
    return feedback, embeddings, assignments


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)  # column names as stored ("metadata", not "meta")


def _chunks(n_items: int, chunk: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n_items, chunk):
        yield start, min(chunk, n_items - start)


def _copy(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL COPY through psycopg 3: several times faster than executemany at 1M rows."""
    from psycopg.types.json import Jsonb

    if not rows:
        return
    names = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(f'"{n}"' for n in names)
    with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([Jsonb(row[n]) if n in json_columns else row[n] for n in names])


def _fix_sequences(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        sequence = "pg_get_serial_sequence('feedback', 'id')"
        conn.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM feedback))"))


def _representatives(session: Session, theme_ids: list[int]) -> None:
    ranked = (
        select(ThemeAssignment.theme_id, func.min(ThemeAssignment.feedback_id))
        .group_by(ThemeAssignment.theme_id)
    )  # fmt: skip
    first = dict(session.execute(ranked).tuples().all())
    for theme in session.scalars(select(Theme).where(Theme.id.in_(theme_ids))):
        start = first.get(theme.id)
        theme.representative_ids = [] if start is None else [start]


def load(
    engine: Engine, *, n_items: int, n_themes: int, model_id: str, dim: int = 384,
    seed: int = 7, chunk: int = 10_000,
) -> LoadResult:  # fmt: skip
    """Migrate an empty database and fill it; returns counts and step timings."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    upgrade_schema(engine)
    rng = np.random.default_rng(seed)
    with session_scope(engine) as session:
        run = AnalysisRun(status=RunStatus.SUCCEEDED, trigger="bench", params={},
                          model_id=model_id, n_items=n_items, finished_at=START)  # fmt: skip
        session.add(run)
        session.flush()
        run_id = run.id
        theme_ids, centroids = _themes(session, rng, n_themes, dim, run_id)
        customers = _customers(session, n_accounts=2_000, per_account=10)
    timings["setup"] = time.perf_counter() - clock
    n_assigned = 0
    clock = time.perf_counter()
    for start, size in _chunks(n_items, chunk):
        feedback, embeddings, assignments = _chunk_rows(
            start, size, theme_ids, centroids, customers, model_id, run_id, seed
        )
        with engine.begin() as conn:
            for model, rows in ((Feedback, feedback), (EmbeddingCache, embeddings),
                                (ThemeAssignment, assignments)):  # fmt: skip
                if engine.dialect.name == "postgresql":
                    _copy(conn, _table(model), rows)
                else:
                    conn.execute(insert(_table(model)), rows)
        n_assigned += len(assignments)
        if (start // chunk) % 10 == 0:
            logger.info("loaded %d / %d items", start + size, n_items)
    timings["insert"] = time.perf_counter() - clock
    _fix_sequences(engine)
    clock = time.perf_counter()
    with session_scope(engine) as session:
        _representatives(session, theme_ids)
        theme_stats.refresh(session)
        stored = session.get(AnalysisRun, run_id)
        if stored is not None:
            stored.n_assigned, stored.n_themes = n_assigned, n_themes
            stored.coverage = n_assigned / n_items if n_items else None
    timings["stats"] = time.perf_counter() - clock
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    timings["analyze"] = time.perf_counter() - clock - timings["stats"]
    return LoadResult(n_items=n_items, n_themes=n_themes, n_assigned=n_assigned, timings=timings)


def load_requests(engine: Engine, *, n_requests: int, seed: int = 7) -> dict[str, float]:
    """Add product requests: each confirmed on 1-3 themes, a few direct item links; totals stored.

    Titles come from the synthetic feature names; the stored evidence is computed for every
    request (what the list and the detail read). Returns step timings.
    """
    from voc.request.evidence import refresh_stats
    from voc.request.models import FeedbackRequestLink, ProductRequest, ThemeRequestLink

    rng = np.random.default_rng(seed + 1)
    clock = time.perf_counter()
    with engine.connect() as conn:
        theme_ids = [int(t) for t in conn.execute(select(Theme.id).order_by(Theme.id)).scalars()]
        max_item = int(conn.execute(select(func.max(Feedback.id))).scalar() or 0)
    now = START + timedelta(weeks=WEEKS)
    requests, theme_links, item_links = [], [], []
    for n in range(n_requests):
        feature = FEATURES[n % len(FEATURES)]
        requests.append({
            "id": n + 1, "title": f"{feature}: improvement {n + 1}",
            "description": f"Customers ask about the {feature}.", "status": "open",
            "external_key": f"BENCH-{n + 1}", "created_by": "bench", "updated_by": "bench",
            "created_at": now, "updated_at": now,
        })  # fmt: skip
        for theme_id in rng.choice(theme_ids, size=int(rng.integers(1, 4)), replace=False):
            theme_links.append({
                "theme_id": int(theme_id), "request_id": n + 1, "state": "confirmed",
                "origin": "editor", "score": None, "decided_by": "bench", "decided_at": now,
                "created_at": now,
            })  # fmt: skip
        for item in {int(i) for i in rng.integers(1, max_item + 1, size=5)}:
            item_links.append({"feedback_id": item, "request_id": n + 1, "score": None,
                               "linked_by": "bench", "linked_at": now})  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(_table(ProductRequest)), requests)
        conn.execute(insert(_table(ThemeRequestLink)), theme_links)
        conn.execute(insert(_table(FeedbackRequestLink)), item_links)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('product_requests_id_seq', :n)"), {"n": n_requests})
    timings = {"requests_insert": time.perf_counter() - clock}
    clock = time.perf_counter()
    ids = list(range(1, n_requests + 1))
    for start in range(0, len(ids), 500):  # one read of the evidence rows per 500 requests
        with session_scope(engine) as session:
            refresh_stats(session, request_ids=ids[start : start + 500])
        logger.info("request evidence %d / %d", min(start + 500, n_requests), n_requests)
    timings["requests_stats"] = time.perf_counter() - clock
    return timings
