"""Theme discovery at every size: ours vs BERTopic (default, + reduce_outliers) vs k-means(true k).

Run from the repository root (one command, about 20-40 minutes on 2 cores):
    nice -n 10 .venv/bin/python -m bench.theme_sizes [--data-dir ../shared/data] \
        [--sets banking77,clinc150] [--sizes 10,20,40,full] [--seeds 42,7,1] \
        [--methods ours,bertopic,bertopic_reduced,kmeans] [--output PATH]
    .venv/bin/python -m bench.theme_sizes --speed 100000   # discovery time only, JSON out

Balanced subsamples drawn with fixed seeds: banking77 train at 10/20/40 items per intent
(770 / 1,540 / 3,080) and clinc150 in-scope (train+val+test) at 5/10/30 per intent (750 /
1,500 / 4,500), plus the full sets; each seed draws its own subsample and seeds the methods.
All methods run on the same MiniLM embeddings in the same run (cached under .cache/bench/,
keyed by a hash of the texts). BERTopic gets the precomputed embeddings and its defaults
otherwise (its UMAP gets ``random_state=seed`` so that a run repeats); ``bertopic_reduced`` is
the same fit followed by ``reduce_outliers`` (default strategy) and ``update_topics``.
Scoring as bench/score_analyze_output.py: every unassigned item counts as its own theme.
Prints a table of medians over seeds and writes bench/results/theme_sizes.json; exits 1 when
a floor fails (ours: NMI >= bertopic_reduced + 0.02, ARI >= its + 0.05, unassigned <= 5%).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench._common import DEFAULT_DATA_DIR, banking77, clinc150, machine, need_data

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "bench"
RESULTS = Path(__file__).resolve().parent / "results" / "theme_sizes.json"
SIZES = {"banking77": ("10", "20", "40", "full"), "clinc150": ("5", "10", "30", "full")}
METHODS = ("ours", "bertopic", "bertopic_reduced", "kmeans")
# --assign-min-similarity: ours with another noise-assignment cosine (None: the default's)
ASSIGN_MIN_SIMILARITY: float | None = None
NMI_MARGIN, ARI_MARGIN, MAX_UNASSIGNED = 0.02, 0.05, 0.05


def embeddings_of(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """MiniLM embeddings of texts, cached as .npy keyed by the model and a hash of the texts."""
    from nlp.embedding import MODEL_NAME, NORMALIZATION_VERSION, SentenceTransformerEmbedder

    digest = hashlib.sha256(f"{MODEL_NAME}@{NORMALIZATION_VERSION}".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    path = CACHE_DIR / f"texts_{digest.hexdigest()[:24]}.npy"
    if path.exists():
        return np.asarray(np.load(path), dtype=np.float32)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vectors = np.asarray(SentenceTransformerEmbedder().embed(texts, batch_size=128), np.float32)
    print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    np.save(path, vectors)
    return vectors


def balanced_sample(gold: Sequence[str], per_intent: str, seed: int) -> npt.NDArray[np.int64]:
    """Indices of ``per_intent`` items of every intent (all items for "full"), seeded.

    An intent with fewer items gives all it has (banking77 train has one of 35: 40 per
    intent is 3,075 items, not 3,080).
    """
    if per_intent == "full":
        return np.arange(len(gold))
    rng = np.random.default_rng(seed)
    labels = np.asarray(gold)
    picked = []
    for intent in sorted(set(gold)):
        members = np.flatnonzero(labels == intent)
        picked.append(rng.choice(members, min(int(per_intent), members.size), replace=False))
    return np.sort(np.concatenate(picked))


def singletons(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each unassigned item (-1) becomes a theme of its own, as the scorer counts it."""
    out = np.asarray(labels, dtype=np.int64).copy()
    noise = np.flatnonzero(out < 0)
    out[noise] = out.max(initial=-1) + 1 + np.arange(noise.size)
    return out


def score(gold: Sequence[str], labels: npt.NDArray[np.int64], seconds: float) -> dict[str, Any]:
    """NMI, ARI (unassigned items as singletons), number of themes and unassigned share."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    scored = singletons(labels)
    return {
        "nmi": round(float(normalized_mutual_info_score(gold, scored)), 4),
        "ari": round(float(adjusted_rand_score(gold, scored)), 4),
        "n_themes": len(set(labels[labels >= 0].tolist())),
        "unassigned": round(float(np.mean(labels < 0)), 4),
        "seconds": round(seconds, 1),
    }


def run_ours(
    embeddings: npt.NDArray[np.float32], texts: list[str], seed: int
) -> tuple[npt.NDArray[np.int64], dict[str, Any]]:
    from nlp.discovery import discover_themes
    from nlp.types import DiscoveryParams

    params = DiscoveryParams.for_size(len(texts))
    if ASSIGN_MIN_SIMILARITY is not None:  # an experiment (--assign-min-similarity)
        params = dataclasses.replace(params, assign_min_similarity=ASSIGN_MIN_SIMILARITY)
    result = discover_themes(embeddings, texts, seed=seed, params=params)
    extra = {"min_cluster_size": result.params.min_cluster_size}
    return result.labels, extra


def run_bertopic(
    embeddings: npt.NDArray[np.float32], texts: list[str], seed: int, reduce: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64] | None]:
    """BERTopic's default pipeline on the given embeddings; topics, and reduced ones if asked."""
    from bertopic import BERTopic  # type: ignore[import-untyped]
    from umap import UMAP

    # BERTopic's default UMAP, with a seed.
    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed
    )
    model = BERTopic(umap_model=umap_model, calculate_probabilities=False)
    topics, _ = model.fit_transform(texts, embeddings)
    plain = np.asarray(topics, dtype=np.int64)
    if not reduce:
        return plain, None
    reduced = model.reduce_outliers(texts, list(plain))
    model.update_topics(texts, topics=reduced)
    return plain, np.asarray(reduced, dtype=np.int64)


def run_kmeans(embeddings: npt.NDArray[np.float32], k: int, seed: int) -> npt.NDArray[np.int64]:
    from sklearn.cluster import KMeans

    return np.asarray(
        KMeans(n_clusters=k, random_state=seed, n_init="auto").fit_predict(embeddings), np.int64
    )


BASELINES = CACHE_DIR / "theme_sizes_baselines.json"


def one_run(
    texts: list[str],
    gold: list[str],
    embeddings: npt.NDArray[np.float32],
    seed: int,
    methods: Sequence[str],
    key: str,
) -> dict[str, dict[str, Any]]:
    """Every asked method on one subsample: its scores.

    The baselines' scores are kept in .cache/bench/ (keyed by set/size, seed and a hash of the
    subsample's embeddings), so a rerun after a change to our discovery only re-runs ours.
    """
    digest = hashlib.sha256(embeddings.tobytes()).hexdigest()[:16]
    cache: dict[str, Any] = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    cache_key = f"{key}/{seed}/{digest}"
    known = cache.get(cache_key, {})
    out: dict[str, dict[str, Any]] = {}
    wanted = [m for m in methods if m != "ours" and m not in known]
    methods = ["ours", *wanted] if "ours" in methods else wanted
    if "ours" in methods:
        started = time.perf_counter()
        labels, extra = run_ours(embeddings, texts, seed)
        out["ours"] = {**score(gold, labels, time.perf_counter() - started), **extra}
    if "bertopic" in methods or "bertopic_reduced" in methods:
        started = time.perf_counter()
        plain, reduced = run_bertopic(embeddings, texts, seed, "bertopic_reduced" in methods)
        seconds = time.perf_counter() - started
        if "bertopic" in methods:
            out["bertopic"] = score(gold, plain, seconds)
        if reduced is not None:
            out["bertopic_reduced"] = score(gold, reduced, seconds)
    if "kmeans" in methods:
        started = time.perf_counter()
        labels = run_kmeans(embeddings, len(set(gold)), seed)
        out["kmeans"] = score(gold, labels, time.perf_counter() - started)
    fresh = {m: v for m, v in out.items() if m != "ours"}
    if fresh:
        cache[cache_key] = {**known, **fresh}
        BASELINES.parent.mkdir(parents=True, exist_ok=True)
        BASELINES.write_text(json.dumps(cache, indent=1))
    return {**out, **known}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of each figure over the seeds."""
    keys = [k for k in runs[0] if isinstance(runs[0][k], (int, float))]
    return {k: round(statistics.median(r[k] for r in runs), 4) for k in keys}


def floors(table: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """The floors each set/size misses (empty when all hold or a method was not run)."""
    misses = []
    for key, row in table.items():
        ours, theirs = row.get("ours"), row.get("bertopic_reduced")
        if ours and ours["unassigned"] > MAX_UNASSIGNED:
            misses.append(f"{key}: unassigned {ours['unassigned']:.3f} > {MAX_UNASSIGNED}")
        if ours and theirs:
            if ours["nmi"] < theirs["nmi"] + NMI_MARGIN:
                misses.append(f"{key}: NMI {ours['nmi']:.3f} < {theirs['nmi']:.3f} + {NMI_MARGIN}")
            if ours["ari"] < theirs["ari"] + ARI_MARGIN:
                misses.append(f"{key}: ARI {ours['ari']:.3f} < {theirs['ari']:.3f} + {ARI_MARGIN}")
    return misses


def print_table(table: dict[str, dict[str, dict[str, Any]]]) -> None:
    print(
        f"{'set/size':<20} {'method':<17} {'n':>6} {'NMI':>6} {'ARI':>6} "
        f"{'themes':>6} {'unasg':>6} {'mcs':>4} {'s':>6}"
    )
    for key, row in table.items():
        for method, m in row.items():
            mcs = m.get("min_cluster_size", "")
            print(
                f"{key:<20} {method:<17} {m['n']:>6.0f} {m['nmi']:>6.3f} {m['ari']:>6.3f} "
                f"{m['n_themes']:>6.0f} {m['unassigned']:>6.3f} {mcs!s:>4} {m['seconds']:>6.1f}"
            )


def speed(data_dir: Path, n: int, seed: int) -> dict[str, Any]:
    """Time discover_themes on n items: banking77 + clinc150 embeddings repeated with jitter.

    Each copy adds gaussian noise of norm 0.15 to every vector (then unit norm), so no two
    items are identical; texts repeat. Stands in for 100k real items when only the two sets
    are embedded (bench/cluster.py needs SST-2's 67k embeddings as well).
    """
    from nlp.discovery import discover_themes

    parts = [(banking77(data_dir)), (clinc150(data_dir))]
    base = np.vstack([embeddings_of(texts) for texts, _ in parts])
    base_texts = [t for texts, _ in parts for t in texts]
    rng = np.random.default_rng(0)
    copies: list[npt.NDArray[np.float32]] = []
    texts: list[str] = []
    while sum(c.shape[0] for c in copies) < n:
        noisy = base + rng.normal(size=base.shape).astype(np.float32) * (0.15 / np.sqrt(384))
        copies.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
        texts.extend(base_texts)
    items = np.ascontiguousarray(np.vstack(copies)[:n], dtype=np.float32)
    load = os.getloadavg()
    started = time.perf_counter()
    result = discover_themes(items, texts[:n], seed=seed)
    return {
        "n": n,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": {k: round(v, 1) for k, v in result.timings.items()},
        "n_themes": len(result.themes),
        "coverage": round(result.coverage, 4),
        "load_average_before": [round(x, 1) for x in load],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "machine": machine(),
    }


def write_report(
    output: Path,
    argv: Sequence[str] | None,
    seeds: list[int],
    table: dict[str, dict[str, dict[str, Any]]],
    runs: dict[str, list[dict[str, Any]]],
) -> list[str]:
    """Write the JSON report (after every set/size, so a long run keeps what it has done)."""
    misses = floors(table)
    report = {
        "command": "python -m bench.theme_sizes "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "seeds": seeds,
        "medians": table,
        "runs": runs,
        "floors_missed": misses,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return misses


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run every set/size/seed/method, print the table, write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--sets", default="banking77,clinc150")
    parser.add_argument("--sizes", default="", help="per-intent sizes or 'full' (default: all)")
    parser.add_argument("--seeds", default="42,7,1")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--speed", type=int, default=0, help="only time discovery on N items")
    parser.add_argument(
        "--ladder-below",
        type=int,
        default=None,
        help="rungs of the granularity ladder below its centre (default: nlp.granularity's)",
    )
    parser.add_argument(
        "--assign-min-similarity",
        type=float,
        default=None,
        help="cosine an item needs to join its nearest theme (default: DiscoveryParams')",
    )
    args = parser.parse_args(argv)
    data_dir = need_data(args.data_dir)
    if args.assign_min_similarity is not None:
        global ASSIGN_MIN_SIMILARITY
        ASSIGN_MIN_SIMILARITY = args.assign_min_similarity
    if args.ladder_below is not None:
        import nlp.granularity

        nlp.granularity.LADDER_BELOW = args.ladder_below  # an experiment: every cut of ours
    if args.speed:
        print(json.dumps(speed(data_dir, args.speed, int(args.seeds.split(",")[0])), indent=2))
        return
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise SystemExit(f"unknown methods {sorted(unknown)}; choose from {METHODS}")
    seeds = [int(s) for s in args.seeds.split(",")]
    loaders = {"banking77": banking77, "clinc150": clinc150}
    runs: dict[str, list[dict[str, Any]]] = {}
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for name in args.sets.split(","):
        texts, gold = loaders[name](data_dir)
        embeddings = embeddings_of(texts)
        sizes = args.sizes.split(",") if args.sizes else SIZES[name]
        for size in sizes:
            key = f"{name}/{size}"
            per_seed: list[dict[str, Any]] = []
            for seed in seeds:
                rows = balanced_sample(gold, size, seed)
                sub_texts = [texts[i] for i in rows]
                sub_gold = [gold[i] for i in rows]
                sub = np.ascontiguousarray(embeddings[rows])
                result = one_run(sub_texts, sub_gold, sub, seed, methods, key)
                result = {m: result[m] for m in methods}
                for m in result.values():
                    m["n"] = len(rows)
                per_seed.append({"seed": seed, **result})
                print(f"{key} seed {seed}: " + json.dumps(result), file=sys.stderr, flush=True)
            runs[key] = per_seed
            table[key] = {m: medians([r[m] for r in per_seed]) for m in methods}
            write_report(args.output, argv, seeds, table, runs)
    print_table(table)
    misses = write_report(args.output, argv, seeds, table, runs)
    for miss in misses:
        print("floor missed:", miss)
    if misses:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
