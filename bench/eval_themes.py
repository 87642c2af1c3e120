"""Theme-discovery quality on labelled intent data (banking77, clinc150): JSON to stdout.

Run from the repository root:
    .venv/bin/python -m bench.eval_themes [--data-dir ../shared/data] \
        [--datasets banking77,clinc150]

Embeddings are computed once with the packaged MiniLM model and cached as .npy under
.cache/bench/ (keyed by data set and model id). Each unassigned item is scored as its own
singleton cluster. Label quality: share of themes whose label shares a content word (simple
stemming) with the majority gold intent name of its members.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "bench"

Dataset = tuple[list[str], list[str]]


def _require(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"data file missing: {path} (pass --data-dir pointing at shared/data)")
    return path


def load_banking77(data_dir: Path) -> Dataset:
    """Return banking77 train texts and intent names."""
    with _require(data_dir / "banking77" / "train.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def load_clinc150(data_dir: Path) -> Dataset:
    """Return clinc150 in-scope train+val+test texts and intent names."""
    raw = json.loads(_require(data_dir / "clinc150" / "data_full.json").read_text("utf-8"))
    rows = [row for part in ("train", "val", "test") for row in raw[part]]
    return [r[0] for r in rows], [r[1] for r in rows]


def load_sst2(data_dir: Path) -> Dataset:
    """Return SST-2 train sentences with polarity labels as strings."""
    path = _require(data_dir / "sst2" / "train.tsv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [r[0].strip() for r in rows], [r[1] for r in rows]


LOADERS: dict[str, Callable[[Path], Dataset]] = {
    "banking77": load_banking77,
    "clinc150": load_clinc150,
    "sst2": load_sst2,
}


def cached_embeddings(name: str, texts: Sequence[str], cache_dir: Path = CACHE_DIR) -> Any:
    """Embed texts with the packaged model once; later calls read the .npy cache."""
    from nlp.embedding import MODEL_NAME, NORMALIZATION_VERSION, SentenceTransformerEmbedder

    model_id = f"{MODEL_NAME}@{NORMALIZATION_VERSION}"
    path = cache_dir / f"{name}__{re.sub(r'[^A-Za-z0-9.@-]', '_', model_id)}__{len(texts)}.npy"
    if path.exists():
        return np.load(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    vectors = SentenceTransformerEmbedder().embed(texts, batch_size=128)
    print(f"embedded {name}: {len(texts)} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    np.save(path, vectors)
    return vectors


_STOP = {
    "a",
    "an",
    "the",
    "my",
    "i",
    "to",
    "of",
    "for",
    "in",
    "on",
    "is",
    "it",
    "and",
    "or",
    "not",
    "do",
    "does",
    "can",
    "how",
    "what",
    "why",
    "me",
    "you",
    "your",
    "be",
    "with",
    "from",
    "at",
}


def _stems(word: str) -> set[str]:
    """The word and its forms without a plural or verb suffix ("tires" -> tire, tir)."""
    forms = {word}
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            forms.add(word[: -len(suffix)])
    return forms


def _content_stems(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("_", " "))
    return {form for w in words if w not in _STOP for form in _stems(w)}


def label_quality(
    labels: npt.NDArray[np.int64], gold: Sequence[str], theme_labels: Sequence[str]
) -> float:
    """Share of themes whose label shares a content word with their majority gold intent."""
    hits = 0
    for index, label in enumerate(theme_labels):
        members = [gold[int(i)] for i in np.flatnonzero(labels == index)]
        if not members:
            continue
        majority = Counter(members).most_common(1)[0][0]
        hits += bool(_content_stems(label) & _content_stems(majority))
    return hits / max(1, len(theme_labels))


def singleton_labels(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Give each unassigned item its own cluster id (for NMI/ARI scoring)."""
    out = labels.copy()
    noise = np.flatnonzero(out < 0)
    out[noise] = out.max(initial=-1) + 1 + np.arange(noise.size)
    return out


def evaluate(name: str, data_dir: Path, seed: int) -> dict[str, Any]:
    """Discover themes on one data set and score them against the gold intents."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from nlp.assign import assign_to_themes
    from nlp.discovery import discover_themes

    texts, gold = LOADERS[name](data_dir)
    embeddings = cached_embeddings(name, texts)
    started = time.perf_counter()
    result = discover_themes(embeddings, texts, seed=seed)
    seconds = time.perf_counter() - started
    scored = singleton_labels(result.labels)
    centroids = np.vstack([t.centroid for t in result.themes])
    incremental = assign_to_themes(
        embeddings,
        centroids,
        min_similarity=result.params.assign_min_similarity,
        min_margin=result.params.assign_min_margin,
    )
    themed = result.labels >= 0
    theme_labels = [t.label for t in result.themes]
    return {
        "n": len(texts),
        "n_gold": len(set(gold)),
        "nmi": round(float(normalized_mutual_info_score(gold, scored)), 4),
        "ari": round(float(adjusted_rand_score(gold, scored)), 4),
        "unassigned_share": round(float(np.mean(result.labels < 0)), 4),
        "n_themes": len(result.themes),
        "label_quality": round(label_quality(result.labels, gold, theme_labels), 4),
        "incremental_agreement": round(
            float(np.mean(incremental.labels[themed] == result.labels[themed])), 4
        ),
        "seconds": round(seconds, 2),
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
        "n_clustered": result.n_clustered,
        "n_assigned_from_noise": result.n_assigned_from_noise,
        "sample_labels": theme_labels[:15],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, evaluate each data set, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--datasets", default="banking77,clinc150")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
        "command": "python -m bench.eval_themes " + " ".join(sys.argv[1:]),
    }
    for name in args.datasets.split(","):
        report[name] = evaluate(name.strip(), args.data_dir, args.seed)
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
