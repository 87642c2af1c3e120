"""API and page latency at scale: p50/p95 under a loopback load, on SQLite and PostgreSQL.

Loads a database with N synthetic feedback items (default 1M; see ``bench/api_load.py``),
builds the vector index, starts uvicorn on 127.0.0.1 in a subprocess and drives each endpoint
with an asyncio + httpx load generator (``--concurrency`` clients for ``--duration`` seconds,
at most ``--max-requests`` requests). Floor: p95 <= 150 ms for the read pages.

    .venv/bin/python bench/api.py --n-items 1000000 --output bench-api.json

``--endpoints`` picks what to measure; ``--baseline-code DIR`` first measures the same
endpoints with the server running the code of another checkout (e.g. a ``git worktree`` of the
commit before a change), on the same database, and reports the ratios. ``--no-jobs`` records
background jobs instead of running them, so a measurement of ``POST /feedback/bulk`` is of the
request alone (the batch assignment it queues would otherwise share the CPU with the next
requests); ``--no-index`` skips the vector index build, which only semantic search and the
background jobs read. ``--skip-load --add-requests`` migrates a database loaded earlier and adds
``--n-requests`` product requests with their stored evidence.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# This file is named like the ``api`` package: take its folder off the path, put the root on.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH]
sys.path.insert(0, str(_BENCH.parent))

from bench._common import machine  # noqa: E402
from bench.api_load import load, load_requests  # noqa: E402

logger = logging.getLogger("bench.api")
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FLOOR_MS = 150.0
WRITES = ("api_feedback_create", "api_feedback_bulk")
PASSWORD = "bench-password-123"
EMAIL = "bench@voc.example"
# semantic searches cycle through different queries: no two concurrent requests are the same
WORDS_QUERIES = (
    "forever slow export", "card payment declined at checkout", "cannot log in after reset",
    "invoice shows the wrong amount", "app crashes when uploading photos",
    "please add a dark mode", "refund has not arrived yet", "support never answered my ticket",
    "the new dashboard is confusing", "two factor code arrives too late",
    "pricing is too expensive for small teams", "search results are not relevant",
    "sync with the calendar stopped working", "love the new reporting features",
    "mobile app logs me out all the time", "csv file opens with broken accents",
)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _model_id() -> str:
    from nlp.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder().model_id


def _pg_database(action: str, name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if action == "create":
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()


def _prepare(url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Load the database, build the index, create the bench user; returns timings."""
    from voc.db import make_engine, session_scope
    from voc.search import service as search_service
    from voc.user import service as user_service

    engine = make_engine(url)
    model_id = _model_id()
    result = load(engine, n_items=args.n_items, n_themes=args.n_themes, model_id=model_id)
    clock = time.perf_counter()
    if args.no_index:
        n_indexed = 0
    elif args.index_from is not None:  # same seed, ids and vectors: the index is the same
        shutil.copytree(args.index_from / "index", data_dir / "index")
        n_indexed = -1
    else:
        with session_scope(engine) as session:
            n_indexed = search_service.rebuild(
                session, data_dir=data_dir, model_id=model_id, dim=384
            )
    index_s = time.perf_counter() - clock
    request_timings = (
        load_requests(engine, n_requests=args.n_requests) if args.n_requests > 0 else {}
    )
    result.timings.update(request_timings)
    with session_scope(engine) as session:
        user = user_service.create_user(session, email=EMAIL, role="admin", password=PASSWORD)
        _, token = user_service.create_token(session, user_id=user.id, name="bench")
    engine.dispose()
    (data_dir / "token").write_text(token)
    timings = {k: round(v, 1) for k, v in result.timings.items()}
    return {"load_s": timings, "index_s": round(index_s, 1), "n_indexed": n_indexed,
            "n_assigned": result.n_assigned}  # fmt: skip


class _RecordingQueue:
    """Keeps background jobs instead of running them (``--no-jobs``)."""

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def enqueue(self, task: str, **kwargs: Any) -> None:
        self.tasks.append(task)


def serve(url: str, data_dir: Path, port: int, *, run_jobs: bool = True) -> None:
    """Run the app under uvicorn (the subprocess side of the bench)."""
    import uvicorn

    from api.app import create_app
    from voc import nlp_runtime
    from voc.config import Settings

    settings = Settings(environment="development", database_url=url, data_dir=data_dir)
    weights = Path(__file__).resolve().parents[1] / "nlp" / "models" / "sentiment"
    if not (weights / "branch.safetensors").is_file():
        # The shipped sentiment weights are missing in this checkout: keep the real embedder
        # (search and create embed for real) and score sentiment with a constant stub.
        from nlp.embedding import SentenceTransformerEmbedder

        key = (settings.nlp.embedding_model, settings.nlp.sentiment_model, settings.nlp.device)
        nlp_runtime._cache[key] = nlp_runtime.Models(
            embedder=SentenceTransformerEmbedder(), scorer=_StubScorer(), joint=None
        )
    nlp_runtime.get_models(settings).embedder.embed(["warm up"])
    app = create_app(settings, migrate=False, job_queue=None if run_jobs else _RecordingQueue())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class _StubScorer:
    model_id = "bench-stub-sentiment"

    def score(self, texts: Any, *, batch_size: int = 64) -> list[Any]:
        from nlp.sentiment_types import SentimentLabel, SentimentResult

        return [SentimentResult(SentimentLabel.NEUTRAL, 0.0, (0.1, 0.8, 0.1), False, None)
                for _ in texts]  # fmt: skip


def _start_server(
    url: str, data_dir: Path, *, code: Path, run_jobs: bool
) -> tuple[subprocess.Popen[bytes], str]:
    """Serve ``url`` with the code of the checkout ``code`` (its own ``bench/api.py``)."""
    port = _free_port()
    log = (data_dir / "server.log").open("ab")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, str(code / "bench" / "api.py"), "serve", "--url", url,
           "--data-dir", str(data_dir), "--port", str(port)]  # fmt: skip
    if not run_jobs:
        cmd.append("--no-jobs")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=code)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {data_dir / 'server.log'}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not start within 180 s")


def _summary(latencies: list[float], statuses: dict[int, int], wall: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": pct(0.95) if ordered else None,
        "p99_ms": pct(0.99) if ordered else None,
        "rps": round(len(ordered) / wall, 1) if wall else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def _drive(
    client: httpx.AsyncClient, make: Callable[[int], httpx.Request], args: argparse.Namespace
) -> dict[str, Any]:
    for i in range(3):  # warm caches
        await client.send(make(-1 - i))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(args.max_requests))
    deadline = time.perf_counter() + args.duration

    async def worker() -> None:
        for i in counter:
            if time.perf_counter() > deadline:
                return
            clock = time.perf_counter()
            response = await client.send(make(i))
            latencies.append(time.perf_counter() - clock)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    return _summary(latencies, statuses, time.perf_counter() - started)


async def _login(client: httpx.AsyncClient) -> None:
    form = (await client.get("/login")).text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    hidden.update({"email": EMAIL, "password": PASSWORD, "next": "/themes"})
    response = await client.post("/login", data=hidden)
    if response.status_code != 303:
        raise SystemExit(f"page login failed: {response.status_code}")


async def _measure(base: str, token: str, args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency + 2)
    auth = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=base, headers=auth, timeout=60, limits=limits) as api,
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as page,
    ):
        await _login(page)
        themes = (await api.get("/api/v1/themes")).json()["themes"]
        ids = [t["id"] for t in themes[:10]]  # the biggest themes
        word = args.word
        # the detail goes through the 200 requests with the most evidence, each seen once per
        # endpoint at --max-requests 200: every view is a first view of that request
        listed = (await api.get("/api/v1/requests", params={"limit": 200, "sort": "items"})).json()[
            "requests"
        ]
        request_ids = [r["id"] for r in listed] or [1]

        def request_get(client: httpx.AsyncClient, path: str) -> Callable[[int], httpx.Request]:
            return lambda i: client.build_request(
                "GET", path.format(id=request_ids[i % len(request_ids)])
            )

        def get(client: httpx.AsyncClient, path: str) -> Callable[[int], httpx.Request]:
            return lambda i: client.build_request("GET", path.format(id=ids[i % len(ids)]))

        def semantic(
            client: httpx.AsyncClient, path: str, **params: str | int
        ) -> Callable[[int], httpx.Request]:
            return lambda i: client.build_request(
                "GET", path, params={**params, "q": WORDS_QUERIES[i % len(WORDS_QUERIES)]}
            )

        def create(i: int) -> httpx.Request:
            body = {"source": "ticket", "external_id": f"bench-new-{time.time_ns()}-{i}",
                    "text": f"The CSV export is too slow for large accounts, case {i}"}  # fmt: skip
            return api.build_request("POST", "/api/v1/feedback", json=body)

        def bulk(i: int) -> httpx.Request:
            stamp = time.time_ns()
            body = [
                {"source": "survey", "external_id": f"bench-bulk-{stamp}-{i}-{j}",
                 "text": f"The invoice page shows the wrong totals again, request {i} item {j}",
                 **({"email": f"user{j % 2000}.{j % 10}@bench.example"} if j % 2 else {})}
                for j in range(args.bulk_size)
            ]  # fmt: skip
            return api.build_request("POST", "/api/v1/feedback/bulk", json=body)

        plan: dict[str, Callable[[int], httpx.Request]] = {
            "api_themes_overview": get(api, "/api/v1/themes"),
            "page_themes_overview": get(page, "/themes"),
            "api_theme_detail": get(api, "/api/v1/themes/{id}"),
            "page_theme_detail": get(page, "/themes/{id}"),
            "api_feedback_text_search": get(api, f"/api/v1/feedback?q={word}"),
            "page_feedback_text_search": get(page, f"/feedback?q={word}"),
            "page_feedback_rare_text_search": get(page, f"/feedback?q={args.rare_word}"),
            "api_semantic_search": semantic(api, "/api/v1/search", k=20),
            "page_semantic_search": semantic(page, "/feedback", mode="semantic"),
            "api_requests_list": get(api, "/api/v1/requests?sort=arr"),
            "page_requests_list": get(page, "/requests?sort=arr"),
            "api_request_detail": request_get(api, "/api/v1/requests/{id}"),
            "page_request_detail": request_get(page, "/requests/{id}"),
            "api_feedback_create": create,
            "api_feedback_bulk": bulk,
        }
        chosen = args.endpoints.split(",") if args.endpoints else list(plan)
        if unknown := set(chosen) - set(plan):
            raise SystemExit(f"unknown endpoints {sorted(unknown)}; choose from {list(plan)}")
        results = {}
        for name in chosen:
            make = plan[name]
            results[name] = await _drive(api if name.startswith("api") else page, make, args)
            results[name]["is_read"] = name not in WRITES
            logger.info("%s: %s", name, results[name])
        return results


def _serve_and_measure(url: str, data_dir: Path, code: Path, args: argparse.Namespace) -> (
    dict[str, Any]
):  # fmt: skip
    proc, base = _start_server(url, data_dir, code=code, run_jobs=not args.no_jobs)
    try:
        return asyncio.run(_measure(base, (data_dir / "token").read_text(), args))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ratios(current: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """p50 and p95 of this code over the baseline's, per endpoint (below 1: faster)."""
    return {
        name: {
            q: round(figures[q] / baseline[name][q], 3) if baseline[name][q] else None
            for q in ("p50_ms", "p95_ms")
        }
        for name, figures in current.items()
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Prepare one backend, serve it, measure every endpoint; returns the backend's figures."""
    data_dir = args.work_dir / backend
    if backend == "sqlite":
        url = f"sqlite:///{data_dir / 'voc.sqlite3'}"
    else:
        url = str(make_url(PG_ADMIN_URL).set(database=args.pg_db).render_as_string(False))
    out: dict[str, Any] = {"backend": backend}
    if not args.skip_load:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        if backend == "postgresql":
            _pg_database("create", args.pg_db)
        out.update(_prepare(url, data_dir, args))
        if args.load_only:
            return out
    elif args.add_requests:  # a database loaded before: migrate it, add the requests
        from voc.db import make_engine, upgrade_schema

        engine = make_engine(url)
        upgrade_schema(engine)
        out["load_s"] = {k: round(v, 1) for k, v in
                         load_requests(engine, n_requests=args.n_requests).items()}  # fmt: skip
        engine.dispose()
        if args.load_only:
            return out
    if args.baseline_code is not None:
        out["baseline_code"] = str(args.baseline_code)
        out["baseline_endpoints"] = _serve_and_measure(url, data_dir, args.baseline_code, args)
    out["endpoints"] = _serve_and_measure(url, data_dir, _BENCH.parent, args)
    if args.baseline_code is not None:
        out["ratio_to_baseline"] = _ratios(out["endpoints"], out["baseline_endpoints"])
    reads = [v for v in out["endpoints"].values() if v["is_read"]]
    if reads:
        out["read_p95_max_ms"] = max(v["p95_ms"] for v in reads)
        out["meets_floor"] = out["read_p95_max_ms"] <= FLOOR_MS
    if backend == "postgresql" and not args.keep:
        _pg_database("drop", args.pg_db)
    return out


def main() -> None:
    """Parse arguments, run the bench for each backend, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    srv = sub.add_parser("serve")
    srv.add_argument("--url", required=True)
    srv.add_argument("--data-dir", type=Path, required=True)
    srv.add_argument("--port", type=int, required=True)
    srv.add_argument("--no-jobs", action="store_true", help="record background jobs, run none")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--n-items", type=int, default=1_000_000)
    parser.add_argument("--n-themes", type=int, default=300)
    parser.add_argument("--n-requests", type=int, default=2_000, help="product requests to add")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--max-requests", type=int, default=2_000, help="per endpoint")
    parser.add_argument("--word", default="export", help="text query of the search pages")
    parser.add_argument("--rare-word", default="zebra", help="a text query few or no items contain")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/voc_bench_api"))
    parser.add_argument("--skip-load", action="store_true", help="reuse a loaded database")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--load-only", action="store_true", help="load, index, stop")
    parser.add_argument(
        "--add-requests", action="store_true",
        help="with --skip-load: migrate the loaded database and add --n-requests requests",
    )  # fmt: skip
    parser.add_argument(
        "--index-from", type=Path, help="copy DIR/index (built by a run with the same --n-items)"
    )
    parser.add_argument("--endpoints", help="comma-separated names to measure (default: all)")
    parser.add_argument("--bulk-size", type=int, default=1_000, help="items per bulk request")
    parser.add_argument("--no-jobs", action="store_true", help="the server runs no background job")
    parser.add_argument("--no-index", action="store_true", help="load without the vector index")
    parser.add_argument(
        "--baseline-code", type=Path, help="a checkout whose code is measured first, same data"
    )
    parser.add_argument("--pg-db", default="voc_bench_api", help="PostgreSQL database name")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.command == "serve":
        serve(args.url, args.data_dir, args.port, run_jobs=not args.no_jobs)
        return
    report = {
        "bench": "api",
        "machine": machine(),
        "params": {k: str(v) for k, v in vars(args).items() if k != "command"},
        "floor_p95_ms": FLOOR_MS,
        "results": [run_backend(b, args) for b in args.backends.split(",")],
    }
    payload = json.dumps(report, indent=2)
    if args.output:
        args.output.write_text(payload + "\n")
    sys.stdout.write(payload + "\n")


if __name__ == "__main__":
    main()
