"""Theme labels against gold intents: c-TF-IDF, centroid and hybrid ranking, and the old method.

    .venv/bin/python -m bench.theme_labels [--data-dir ../shared/data] [--seed 42] \\
        [--datasets banking77,clinc150,demo] [--baseline-ref main] [--scale-to 100000]

Per data set (banking77 train, clinc150 in-scope, the demo sample with its planted themes), the
themes are discovered once (cached embeddings under .cache/bench/) and then labelled by every
method on the same themes: ``ctfidf``, ``centroid`` and ``hybrid`` (nlp.labels; the candidate
phrases of all themes embedded in one batch with the packaged model) and ``baseline``, the
nlp/labels.py of ``--baseline-ref`` (git) in the same run. Scores: the share of labels sharing
a content word with the majority gold intent (demo: the planted theme's key and title) of the
theme's items (floor 0.80), the share of one-word labels, and the seconds labelling took;
``--scale-to N`` also times the default labelling on N items (the texts repeated, same themes).
Writes bench/results/theme_labels.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_themes import (
    DEFAULT_DATA_DIR,
    cached_embeddings,
    label_quality,
    load_banking77,
    load_clinc150,
)
from nlp.types import LabelRanking

RESULTS = Path(__file__).resolve().parent / "results" / "theme_labels.json"
FLOOR = 0.80
METHODS: tuple[LabelRanking, ...] = ("ctfidf", "centroid", "hybrid")


def load_demo(_data_dir: Path) -> tuple[list[str], list[str]]:
    """The demo sample's texts and planted themes (key and title), as ``voc demo`` loads it."""
    from voc.demo import generate_demo
    from voc.demo.themes import THEMES

    titles = {t.key: f"{t.key} {t.label}" for t in THEMES}
    items = [i for i in generate_demo(seed=7) if i.text.strip()]
    return [i.text for i in items], [titles[i.gold_theme] for i in items]


LOADERS: dict[str, Callable[[Path], tuple[list[str], list[str]]]] = {
    "banking77": load_banking77,
    "clinc150": load_clinc150,
    "demo": load_demo,
}
PRODUCT_NAMES = {"demo": ("Quillo",)}


def _baseline_module(ref: str) -> Any:
    """nlp/labels.py as of ``ref``, loaded as a module of its own (None when git cannot)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{ref}:nlp/labels.py"], capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "baseline_labels.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_labels", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(
    labels: npt.NDArray[np.int64], gold: Sequence[str], names: Sequence[str], seconds: float
) -> dict[str, Any]:
    return {
        "label_quality": round(label_quality(labels, gold, names), 4),
        "one_word_share": round(sum(" " not in n for n in names) / max(1, len(names)), 4),
        "seconds": round(seconds, 2),
    }


def run_dataset(
    name: str, data_dir: Path, seed: int, baseline: Any, scale_to: int = 0
) -> dict[str, Any]:
    """Discover once, label with every method, score each."""
    from nlp.discovery import _keyword_weights, discover_themes
    from nlp.embedding import SentenceTransformerEmbedder
    from nlp.keywords import class_tfidf
    from nlp.labels import make_labels
    from nlp.types import DiscoveryParams

    texts, gold = LOADERS[name](data_dir)
    embeddings = cached_embeddings(name, texts)
    params = dataclasses.replace(
        DiscoveryParams.for_size(len(texts)), product_names=PRODUCT_NAMES.get(name, ())
    )
    started = time.perf_counter()
    result = discover_themes(embeddings, texts, seed=seed, params=params)
    discover_s = time.perf_counter() - started
    labels, n_themes = result.labels, len(result.themes)
    terms = class_tfidf(
        texts, labels, n_themes, min_df=params.keyword_min_df, top_n=params.n_keywords, seed=seed
    )
    weights = [_keyword_weights(terms.keywords[t]) for t in range(n_themes)]
    centroids = np.vstack([t.centroid for t in result.themes])
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])  # the model loads once, outside the timings

    out: dict[str, Any] = {"n": len(texts), "n_gold": len(set(gold)), "n_themes": n_themes}
    out["discover_seconds"] = round(discover_s, 1)
    methods: dict[str, Any] = {}
    for method in METHODS:
        started = time.perf_counter()
        names = make_labels(
            texts, labels, terms.keywords, weights, centroids=centroids,
            embed=embedder.embed, product_names=params.product_names, ranking=method,
        )  # fmt: skip
        methods[method] = _score(labels, gold, names, time.perf_counter() - started)
        methods[method]["labels"] = _labelled(names, result.labels, gold)
    if baseline is not None:
        started = time.perf_counter()
        names = baseline.make_labels(texts, labels, terms.keywords, weights)
        methods["baseline"] = _score(labels, gold, names, time.perf_counter() - started)
        methods["baseline"]["labels"] = _labelled(names, result.labels, gold)
    out["methods"] = methods
    if scale_to:
        out["scaled"] = _scaled_timing(texts, labels, terms, weights, centroids, embedder, scale_to)
    return out


def _scaled_timing(
    texts: Sequence[str],
    labels: npt.NDArray[np.int64],
    terms: Any,
    weights: Sequence[dict[str, float]],
    centroids: npt.NDArray[np.float32],
    embedder: Any,
    n: int,
) -> dict[str, Any]:
    """Seconds the default labelling takes on ``n`` items: the real texts repeated, same themes."""
    from nlp.labels import make_labels

    reps = -(-n // len(texts))
    big_texts = (list(texts) * reps)[:n]
    big_labels = np.tile(labels, reps)[:n]
    started = time.perf_counter()
    names = make_labels(
        big_texts, big_labels, terms.keywords, weights, centroids=centroids, embed=embedder.embed
    )
    return {"n": n, "n_themes": len(names), "seconds": round(time.perf_counter() - started, 2)}


def _labelled(
    names: Sequence[str], labels: npt.NDArray[np.int64], gold: Sequence[str]
) -> list[list[Any]]:
    """[size, majority gold, label] per theme, largest first."""
    from collections import Counter

    rows = []
    for index, name in enumerate(names):
        members = [gold[int(i)] for i in np.flatnonzero(labels == index)]
        majority = Counter(members).most_common(1)[0][0] if members else ""
        rows.append([len(members), majority, name])
    return sorted(rows, key=lambda r: -r[0])


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run every data set, write and print the JSON."""
    from bench._common import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--datasets", default="banking77,clinc150,demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--baseline-ref", default="main")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--scale-to",
        type=int,
        default=0,
        help="also time the default labelling on this many items (texts repeated)",
    )
    args = parser.parse_args(argv)
    baseline = _baseline_module(args.baseline_ref)
    report: dict[str, Any] = {
        "command": "python -m bench.theme_labels " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "seed": args.seed,
        "baseline_ref": args.baseline_ref if baseline is not None else None,
        "floor_label_quality": FLOOR,
    }
    for name in args.datasets.split(","):
        report[name.strip()] = run_dataset(
            name.strip(), args.data_dir, args.seed, baseline, args.scale_to
        )
        print(f"{name}: done", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = {
        k: {
            m: {x: v[x] for x in ("label_quality", "one_word_share")}
            for m, v in r["methods"].items()
        }
        for k, r in report.items()
        if isinstance(r, dict) and "methods" in r
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
