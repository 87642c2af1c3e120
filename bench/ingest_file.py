"""Benchmark ``voc ingest`` on a generated CSV: rows/s and peak memory, SQLite and PostgreSQL.

Generates a seeded synthetic CSV (ids, NPS scores, dates, customers at accounts, extra columns),
imports it in one transaction and prints JSON: rows/s, peak RSS (psutil, sampled every 50 ms)
and, for a separate smaller run, the tracemalloc peak of Python allocations. A baseline run on
``--baseline-rows`` in the same process gives the ratios (memory should stay flat as rows grow).

    .venv/bin/python bench/ingest_file.py --rows 1000000 --backend sqlite --backend postgresql
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from voc.db import make_engine, session_scope, upgrade_schema
from voc.feedback import service as feedback_service
from voc.feedback.models import Source

WORDS = [
    "export",
    "slow",
    "dashboard",
    "crash",
    "login",
    "billing",
    "invoice",
    "support",
    "great",
    "love",
    "hate",
    "mobile",
    "app",
    "search",
    "filter",
    "report",
    "api",
    "integration",
    "slack",
    "onboarding",
    "price",
    "expensive",
    "fast",
    "reliable",
    "bug",
    "feature",
    "request",
    "sso",
    "permissions",
    "csv",
    "pdf",
    "email",
    "notification",
    "sync",
    "offline",
]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCRATCH_DB = "voc_bench_ingest"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "comment", "nps", "date", "email", "company", "segment", "plan",
                         "arr", "region", "browser"])  # fmt: skip
        for i in range(rows):
            customer = rng.randrange(50_000)
            account = customer % 5_000
            words = rng.choices(WORDS, k=rng.randint(6, 40))
            writer.writerow([
                f"r{i}", " ".join(words).capitalize() + ".", rng.randint(0, 10),
                f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:{i % 60:02d}",
                f"user{customer}@example.com", f"Account {account}",
                ("smb", "mid", "enterprise")[account % 3], ("free", "pro", "team")[account % 3],
                1000 * (account % 97), ("emea", "amer", "apac")[account % 3],
                ("chrome", "firefox", "safari")[i % 3],
            ])  # fmt: skip


class RssSampler:
    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _scratch_url(backend: str, base: str, workdir: Path, tag: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'bench-{tag}.sqlite3'}"
    url = make_url(base)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB}"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH_DB}"))
    admin.dispose()
    return url.set(database=SCRATCH_DB).render_as_string(hide_password=False)


def _drop_scratch(backend: str, base: str) -> None:
    if backend == "postgresql":
        admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH_DB}"))
        admin.dispose()


def run_once(backend: str, base: str, csv_path: Path, workdir: Path, trace: bool) -> dict[str, Any]:
    url = _scratch_url(backend, base, workdir, f"{csv_path.stem}-{trace}")
    engine = make_engine(url)
    upgrade_schema(engine)
    if trace:
        tracemalloc.start()
    try:
        with RssSampler() as rss, session_scope(engine) as session:
            started = time.perf_counter()
            summary = feedback_service.ingest_file(session, csv_path, source=Source.NPS)
        seconds = time.perf_counter() - started  # includes the commit
        traced = tracemalloc.get_traced_memory()[1] if trace else None
    finally:
        tracemalloc.stop()
        engine.dispose()
        _drop_scratch(backend, base)
    return {
        "backend": backend,
        "rows": summary.rows_read,
        "inserted": summary.inserted,
        "rejected": summary.rejected,
        "seconds": round(seconds, 2),
        "rows_per_s": round(summary.rows_read / seconds),
        "peak_rss_mib": round(rss.peak / 2**20, 1),
        "tracemalloc_peak_mib": round(traced / 2**20, 1) if traced is not None else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--trace-rows", type=int, default=50_000, help="tracemalloc run size")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("VOC_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="voc-bench-") as tmp:
        workdir = Path(tmp)
        files = {}
        for n in sorted({args.trace_rows, args.baseline_rows, args.rows}):
            files[n] = workdir / f"feedback-{n}.csv"
            generate(files[n], n)
        for backend in args.backend or ["sqlite"]:
            trace = run_once(backend, args.postgres_url, files[args.trace_rows], workdir, True)
            base = run_once(backend, args.postgres_url, files[args.baseline_rows], workdir, False)
            full = run_once(backend, args.postgres_url, files[args.rows], workdir, False)
            full["file_mib"] = round(files[args.rows].stat().st_size / 2**20, 1)
            full["vs_baseline"] = {
                "rows_per_s_ratio": round(full["rows_per_s"] / base["rows_per_s"], 2),
                "peak_rss_ratio": round(full["peak_rss_mib"] / base["peak_rss_mib"], 2),
            }
            results["runs"] += [trace, base, full]
            print(json.dumps(full), flush=True)
    out = json.dumps(results, indent=2)
    if args.output:
        args.output.write_text(out)
    print(out)


if __name__ == "__main__":
    main()
