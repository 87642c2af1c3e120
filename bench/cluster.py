"""Theme-discovery speed and memory at 10k/50k/100k items, next to BERTopic: JSON out.

Run from the repository root:
    .venv/bin/python -m bench.cluster [--data-dir ../shared/data] [--sizes 10000,50000,99852]

Items: banking77 + clinc150 + SST-2 train sentences (embeddings cached under .cache/bench/).
Each measurement runs in a fresh subprocess: seconds and RSS peak (psutil sampling thread plus
getrusage maxrss); no tracemalloc, which would slow the timed run. Also reports, at the
largest size, how a run on a sample plus incremental assignment agrees with a full run
(ARI and share of items with the same theme after matching clusters by overlap); alone:
    .venv/bin/python -m bench.cluster --agreement 99852 20000
BERTopic (bench extra) runs on the same precomputed embeddings with its default pipeline; it
is skipped with a note when absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.eval_themes import DEFAULT_DATA_DIR, LOADERS, cached_embeddings, singleton_labels

MIX = ("banking77", "clinc150", "sst2")


def load_mix_with_origin(
    data_dir: Path, size: int
) -> tuple[list[str], npt.NDArray[np.float32], npt.NDArray[np.int64], list[str]]:
    """Seeded size items of banking77 + clinc150 + SST-2: embeddings, origin (MIX) and gold."""
    texts: list[str] = []
    gold: list[str] = []
    parts = []
    for name in MIX:
        part_texts, part_gold = LOADERS[name](data_dir)
        texts.extend(part_texts)
        gold.extend(f"{name}:{g}" for g in part_gold)
        parts.append(cached_embeddings(name, part_texts))
    embeddings = np.vstack(parts)
    if size > len(texts):
        raise SystemExit(f"only {len(texts)} items available, asked for {size}")
    origin = np.repeat(np.arange(len(parts)), [p.shape[0] for p in parts])
    order = np.random.default_rng(0).permutation(len(texts))[:size]
    picked = np.ascontiguousarray(embeddings[order])
    return [texts[i] for i in order], picked, origin[order], [gold[i] for i in order]


def load_mix(data_dir: Path, size: int) -> tuple[list[str], npt.NDArray[np.float32]]:
    """Return the seeded size items of banking77 + clinc150 + SST-2 and their embeddings."""
    texts, embeddings, _, _ = load_mix_with_origin(data_dir, size)
    return texts, embeddings


class _RssPeak:
    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> _RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _run_ours(texts: list[str], embeddings: npt.NDArray[np.float32]) -> dict[str, Any]:
    from nlp.discovery import discover_themes

    result = discover_themes(embeddings, texts, seed=42)
    return {
        "n_themes": len(result.themes),
        "unassigned_share": round(float(np.mean(result.labels < 0)), 4),
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
        "sample_size": result.params.sample_size,
    }


def _run_bertopic(texts: list[str], embeddings: npt.NDArray[np.float32]) -> dict[str, Any]:
    from bertopic import BERTopic

    topics, _ = BERTopic(calculate_probabilities=False).fit_transform(texts, embeddings)
    labels = np.asarray(topics)
    return {
        "n_themes": int(labels.max()) + 1,
        "unassigned_share": round(float(np.mean(labels < 0)), 4),
    }


def measure(which: str, size: int, data_dir: Path) -> dict[str, Any]:
    """Time one discovery run in this process (called in a fresh subprocess)."""
    texts, embeddings = load_mix(data_dir, size)
    run = _run_ours if which == "ours" else _run_bertopic
    # No tracemalloc here: it slows allocation-heavy Python (tokenising, keywords) several
    # fold. Memory is the process's resident peak (sampled, and the kernel's maxrss).
    with _RssPeak() as rss:
        started = time.perf_counter()
        info = run(texts, embeddings)
        seconds = time.perf_counter() - started
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "pipeline": which,
        "n": size,
        "seconds": round(seconds, 2),
        "rss_peak_mb": round(max(rss.peak, maxrss_kb * 1024) / 2**20, 1),
        **info,
    }


def sample_agreement(size: int, data_dir: Path, sample_size: int) -> dict[str, Any]:
    """Compare a run on a sample + incremental assignment with a full run on all items."""
    import dataclasses

    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from nlp.discovery import discover_themes
    from nlp.types import DiscoveryParams

    texts, embeddings, origin, gold = load_mix_with_origin(data_dir, size)
    base = DiscoveryParams.for_size(size)
    full = discover_themes(
        embeddings, texts, params=dataclasses.replace(base, sample_size=size + 1)
    )
    sampled = discover_themes(
        embeddings, texts, params=dataclasses.replace(base, sample_size=sample_size)
    )

    def agreement(rows: npt.NDArray[np.bool_]) -> dict[str, float]:
        both = rows & (full.labels >= 0) & (sampled.labels >= 0)
        a, b = full.labels[both], sampled.labels[both]
        if not a.size:
            return {"n": 0}
        # Match each sampled theme to the full-run theme it shares most items with.
        joint = np.zeros((b.max() + 1, a.max() + 1), dtype=np.int64)
        np.add.at(joint, (b, a), 1)
        return {
            "n": int(a.size),
            "ari_sample_vs_full": round(float(adjusted_rand_score(a, b)), 4),
            "same_theme_after_matching": round(float(np.mean(joint.argmax(axis=1)[b] == a)), 4),
        }

    def gold_nmi(labels: npt.NDArray[np.int64], rows: npt.NDArray[np.bool_]) -> float:
        """NMI with the gold intents on ``rows``, each unassigned item a theme of its own."""
        picked = np.flatnonzero(rows)
        scored = singleton_labels(labels[picked])
        return round(float(normalized_mutual_info_score([gold[i] for i in picked], scored)), 4)

    everything = agreement(np.ones(size, dtype=bool))
    intents = {name: origin == i for i, name in enumerate(MIX) if name != "sst2"}
    return {
        "n": size,
        "sample_size": sample_size,
        "ari_sample_vs_full": everything["ari_sample_vs_full"],
        "same_theme_after_matching": everything["same_theme_after_matching"],
        # SST-2 movie-review sentences have no themes to agree on; the intent sets do.
        "by_origin": {name: agreement(origin == i) for i, name in enumerate(MIX)},
        # Which of the two is nearer the truth, on the items that have gold intents.
        "nmi_with_gold": {
            name: {"full": gold_nmi(full.labels, rows), "sample": gold_nmi(sampled.labels, rows)}
            for name, rows in intents.items()
        },
        "n_themes": {"full": len(full.themes), "sample": len(sampled.themes)},
        "full_seconds": round(sum(full.timings.values()), 1),
        "sample_seconds": round(sum(sampled.timings.values()), 1),
    }


def _subprocess(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cluster", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"], "args": args}
    parsed: dict[str, Any] = json.loads(proc.stdout)
    return parsed


def main(argv: list[str] | None = None) -> None:
    """Measure each size in a fresh subprocess, then BERTopic and the sample agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--sizes", default="10000,50000,99852")
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("PIPELINE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--agreement",
        type=int,
        nargs=2,
        metavar=("SIZE", "SAMPLE"),
        help="only the sample-vs-full agreement at SIZE items",
    )
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]), args.data_dir)))
        return
    if args.agreement:
        print(json.dumps(sample_agreement(args.agreement[0], args.data_dir, args.agreement[1])))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    data = ["--data-dir", str(args.data_dir)]
    report: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
        "ours": [_subprocess(["--one", "ours", str(n), *data]) for n in sizes],
    }
    try:
        import bertopic  # noqa: F401

        report["bertopic"] = _subprocess(["--one", "bertopic", str(sizes[-1]), *data])
        ours_last = report["ours"][-1].get("seconds")
        theirs = report["bertopic"].get("seconds")
        if ours_last and theirs:
            report["speedup_vs_bertopic"] = round(theirs / ours_last, 2)
    except ImportError:
        report["bertopic"] = {"skipped": "bertopic not installed (pip install bertopic)"}
    if not args.skip_agreement:
        from nlp.types import DEFAULT_SAMPLE_SIZE

        report["sample_vs_full"] = _subprocess(
            ["--agreement", str(sizes[-1]), str(DEFAULT_SAMPLE_SIZE), *data]
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
