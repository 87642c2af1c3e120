"""Time of a full campaign report (100k responses, 50 themes) on SQLite and PostgreSQL.

Builds each database itself with bulk inserts: two campaigns of --responses each (the report
compares them), --themes themes, 2,000 accounts, and a ticket stream. Reports the median of
--repeats runs of ``build_report`` (compare + group by plan + accounts at risk) and, as the
baseline in the same run, the statistics alone on arrays already in memory. Target: <= 10 s.

    .venv/bin/python bench/nps_speed.py --responses 100000 --themes 50
    .venv/bin/python bench/nps_speed.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from voc.campaign import drivers, service, stats
from voc.customer.models import Account, Customer
from voc.db import make_engine, session_scope, upgrade_schema
from voc.feedback.models import Feedback
from voc.theme.models import Theme, ThemeAssignment

TARGET_S = 10.0
N_ACCOUNTS = 2000
CHUNK = 20_000


def _bulk(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start : start + CHUNK])


def build(engine: Engine, responses: int, themes: int, seed: int) -> None:
    """Fill a migrated database with two campaigns, themes, accounts and tickets."""
    rng = np.random.default_rng(seed)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    _bulk(
        engine,
        Account.__table__,
        [
            {
                "id": i + 1,
                "name": f"acc{i}",
                "plan": ["free", "pro", "team"][i % 3],
                "segment": "smb",
                "region": "eu",
                "arr": float(1000 * (i % 97)),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(N_ACCOUNTS)
        ],
    )
    people = responses // 2
    _bulk(
        engine,
        Customer.__table__,
        [
            {
                "id": i + 1,
                "email": f"p{i}@x.test",
                "account_id": i % N_ACCOUNTS + 1,
                "is_consenting": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(people)
        ],
    )
    _bulk(
        engine,
        Theme.__table__,
        [
            {
                "id": j + 1,
                "status": "active",
                "machine_label": f"theme {j}",
                "keywords": [],
                "representative_ids": [],
                "size": 0,
                "is_hidden": False,
                "created_at": now,
                "updated_at": now,
            }
            for j in range(themes)
        ],
    )
    effects = rng.normal(0, 1.5, themes)
    feedback, assignments = [], []
    for c, campaign in enumerate(("Spring", "Summer")):
        theme = rng.integers(-1, themes, responses)
        base = rng.choice(11, responses, p=np.array([1, 1, 1, 1, 2, 3, 4, 6, 8, 9, 8]) / 44)
        scores = np.clip(base + np.where(theme >= 0, effects[theme], 0).round(), 0, 10)
        for i in range(responses):
            fid = c * responses + i + 1
            feedback.append(
                {
                    "id": fid,
                    "source": "nps",
                    "external_id": f"{campaign}-{i}",
                    "text": "t",
                    "text_hash": "h",
                    "content_hash": "c",
                    "score": int(scores[i]),
                    "created_at": now + timedelta(days=90 * c),
                    "campaign": campaign,
                    "customer_id": int(rng.integers(1, people + 1)),
                    "metadata": {"channel": "web"},
                    "sentiment_label": None,
                    "ingested_at": now,
                    "updated_at": now,
                }
            )
            if theme[i] >= 0:
                assignments.append(
                    {
                        "feedback_id": fid,
                        "theme_id": int(theme[i]) + 1,
                        "confidence": 0.9,
                        "method": "cluster",
                        "is_manual": False,
                        "assigned_at": now,
                        "feedback_created_at": now + timedelta(days=90 * c),
                    }
                )
    for i in range(responses // 5):
        fid = 2 * responses + i + 1
        feedback.append(
            {
                "id": fid,
                "source": "ticket",
                "external_id": f"T-{i}",
                "text": "t",
                "text_hash": "h",
                "content_hash": "c",
                "score": None,
                "created_at": now,
                "campaign": None,
                "customer_id": int(rng.integers(1, people + 1)),
                "metadata": {},
                "sentiment_label": ["negative", "neutral", "positive"][i % 3],
                "ingested_at": now,
                "updated_at": now,
            }
        )
    _bulk(engine, Feedback.__table__, feedback)
    _bulk(engine, ThemeAssignment.__table__, assignments)


def time_report(engine: Engine, repeats: int) -> dict[str, Any]:
    """Median seconds of a full report."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with session_scope(engine) as session:
            report = service.build_report(session, campaign="Summer", compare="Spring", by="plan")
        times.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(times), 3),
        "runs_s": [round(t, 3) for t in times],
        "n": report.overall.n,
        "themes": len(report.impacts),
        "within_target": statistics.median(times) <= TARGET_S,
    }


def baseline(responses: int, themes: int, seed: int) -> float:
    """Seconds of the statistics alone on in-memory arrays (no database)."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 11, responses)
    m = np.eye(themes + 1, dtype=bool)[rng.integers(0, themes + 1, responses)][:, :themes]
    start = time.perf_counter()
    stats.estimate(scores)
    ids, labels = list(range(themes)), [str(j) for j in range(themes)]
    drivers.theme_impacts(scores, m, theme_ids=ids, labels=labels)
    drivers.key_drivers(scores, m, theme_ids=ids, labels=labels)
    return time.perf_counter() - start


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    """Build and time on a temporary SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade_schema(engine)
        start = time.perf_counter()
        build(engine, args.responses, args.themes, args.seed)
        built = time.perf_counter() - start
        result = time_report(engine, args.repeats)
        engine.dispose()
    return {"build_s": round(built, 1), **result}


def run_postgres(args: argparse.Namespace) -> dict[str, Any]:
    """Build and time in a throw-away database on the given PostgreSQL server."""
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    name = f"voc_nps_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        return {"skipped": f"PostgreSQL not reachable at {args.pg_url}: {str(exc).splitlines()[0]}"}
    url = make_url(args.pg_url).set(database=name)
    try:
        engine = make_engine(url.render_as_string(hide_password=False))
        upgrade_schema(engine)
        start = time.perf_counter()
        build(engine, args.responses, args.themes, args.seed)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        built = time.perf_counter() - start
        result = time_report(engine, args.repeats)
        engine.dispose()
        return {"build_s": round(built, 1), **result}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run on SQLite and PostgreSQL and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--themes", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "VOC_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    base = baseline(args.responses, args.themes, args.seed)
    result: dict[str, Any] = {
        "bench": "nps_speed",
        "machine": {
            "node": platform.node(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "responses_per_campaign": args.responses,
        "themes": args.themes,
        "target_s": TARGET_S,
        "baseline_stats_only_s": round(base, 3),
        "sqlite": run_sqlite(args),
    }
    if not args.skip_postgres:
        result["postgresql"] = run_postgres(args)
    for key in ("sqlite", "postgresql"):
        if key in result and "median_s" in result[key]:
            result[key]["ratio_to_baseline"] = round(result[key]["median_s"] / base, 1)
    text_out = json.dumps(result, indent=2)
    if args.output:
        args.output.write_text(text_out + "\n", encoding="utf-8")
    sys.stdout.write(text_out + "\n")
    ok = all(result[k].get("within_target", True) for k in ("sqlite", "postgresql") if k in result)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
