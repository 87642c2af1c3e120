"""Link-suggestion quality: is a theme's own request its top suggestion? JSON to stdout.

Run from the repository root:
    .venv/bin/python -m bench.request_links [--data-dir ../shared/data] \
        [--datasets clinc150,banking77] [--seeds 42,7,1] [--out bench/results/request_links.json]

For each data set (clinc150: the 22,500 in-scope texts of train+val+test; banking77: the
10,003 train texts) every intent name becomes a request title by a fixed rule
(:func:`title_of`: "change_pin" -> "Change the PIN", "card_arrival" -> "Card arrival"; never
from the utterances). The analysis (``nlp.discovery.discover_themes``) runs on the texts once
per seed (42, 7 and 1 by default: the granularity a run picks moves with the seed, 62 or about
100 themes on banking77, and these figures move with it); for every theme whose items share a
majority intent (> 50 % of its items), the requests are ranked by
``voc.request.suggest.score_pairs`` (the shipped scoring, every title against every theme:
centroid, representative quotes and the title's words, ordered by the contrast) and we check
that the majority intent's request is first (top-1) and in the first three (top-3). In the same
run: without the words, without the contrast, the semantic match alone (the earlier scoring),
the centroid alone and the quotes alone. Each figure is reported per seed and as the median
over the seeds; the floors are checked on the medians.
Embeddings (texts and titles) are cached as .npy under .cache/bench/; every run also keeps the
analysis there (labels, centroids, keywords, representatives), and ``--reuse-analysis`` reads it
back instead of rerunning the minutes-long discovery, to iterate on the ranking alone (the
published figures come from a run without it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.eval_themes import CACHE_DIR, DEFAULT_DATA_DIR, LOADERS, cached_embeddings
from nlp.types import DiscoveredTheme

FLOORS = {"top1": 0.80, "top3": 0.95}
ACRONYMS = {
    "pin": "PIN", "atm": "ATM", "apr": "APR", "mpg": "MPG", "pto": "PTO", "w2": "W-2",
    "401k": "401(k)", "ai": "AI", "id": "ID", "uber": "Uber", "visa": "Visa",
    "mastercard": "Mastercard", "apple": "Apple", "google": "Google",
}  # fmt: skip
# verbs that start an intent name ("cancel_transfer"); words that are as often nouns there
# ("exchange_rate", "top_up_limits", "order_status", "transfer_timing") are left out
VERBS = {
    "accept", "activate", "book", "cancel", "change", "check", "confirm", "edit", "find",
    "flip", "freeze", "get", "getting", "improve", "make", "pay", "play", "redeem",
    "repeat", "report", "request", "reset", "roll", "rollover", "schedule", "share", "sync",
    "tell", "terminate", "translate", "update", "verify",
}  # fmt: skip
QUESTION_WORDS = {"what", "who", "where", "how", "why", "are", "do", "is"}


def _word(word: str) -> str:
    return ACRONYMS.get(word, word)


def title_of(intent: str) -> str:
    """A request title a person would write, made from the intent name only."""
    words = [w for w in re.split(r"[_\s]+", intent.strip("?").lower()) if w]
    if words[0] == "getting":
        words[0] = "get"
    if words[0] in QUESTION_WORDS:
        text = " ".join(_word(w) for w in words) + "?"
    elif words[0] in VERBS and len(words) > 1:
        rest = [w for w in words[1:] if w != "my"]
        text = f"{words[0]} the " + " ".join(_word(w) for w in rest)
    elif len(words) > 1 and words[-1] in {"change", "update", "request"}:  # "pin_change"
        text = f"{words[-1]} the " + " ".join(_word(w) for w in words[:-1])
    else:
        text = " ".join(_word(w) for w in words)
    return text[0].upper() + text[1:]


def _majority(members: Sequence[str]) -> tuple[str, float]:
    intent, count = Counter(members).most_common(1)[0]
    return intent, count / len(members)


@dataclass(frozen=True)
class Analysis:
    """What the ranking needs from one discovery run: item labels and the themes."""

    labels: npt.NDArray[np.int64]
    themes: tuple[DiscoveredTheme, ...]
    seconds: float


def _analysis_path(name: str, embeddings: npt.NDArray[np.float32], seed: int) -> Path:
    digest = hashlib.sha256(np.ascontiguousarray(embeddings).tobytes()).hexdigest()[:12]
    return CACHE_DIR / f"{name}-analysis-{digest}-seed{seed}.npz"


def _save_analysis(path: Path, analysis: Analysis) -> None:
    themes = [
        {"index": t.index, "size": t.size, "label": t.label, "keywords": list(t.keywords),
         "representatives": [int(i) for i in t.representative_indices]}
        for t in analysis.themes
    ]  # fmt: skip
    centroids = np.stack([np.asarray(t.centroid, dtype=np.float32) for t in analysis.themes])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, labels=analysis.labels, centroids=centroids, seconds=analysis.seconds,
             themes=np.array(json.dumps(themes)))  # fmt: skip


def _load_analysis(path: Path) -> Analysis:
    with np.load(path) as data:
        themes = tuple(
            DiscoveredTheme(
                index=t["index"],
                size=t["size"],
                label=t["label"],
                keywords=tuple(t["keywords"]),
                representative_indices=tuple(t["representatives"]),
                centroid=centroid,
            )
            for t, centroid in zip(json.loads(str(data["themes"])), data["centroids"], strict=True)
        )
        return Analysis(labels=data["labels"], themes=themes, seconds=float(data["seconds"]))


def analyse(
    name: str, texts: Sequence[str], embeddings: npt.NDArray[np.float32], seed: int, reuse: bool
) -> Analysis:
    """Discover themes (or, with ``reuse``, read the analysis a previous run kept)."""
    from nlp.discovery import discover_themes

    path = _analysis_path(name, embeddings, seed)
    if reuse and path.exists():
        return _load_analysis(path)
    started = time.perf_counter()
    result = discover_themes(embeddings, list(texts), seed=seed)
    analysis = Analysis(result.labels, result.themes, time.perf_counter() - started)
    _save_analysis(path, analysis)
    return analysis


def evaluate(name: str, data_dir: Path, seed: int, reuse: bool = False) -> dict[str, Any]:
    """Discover themes on one data set and check the suggestions against the majority intent."""
    from voc.request import ranking
    from voc.request.suggest import ThemeVectors, score_pairs

    texts, gold = LOADERS[name](data_dir)
    embeddings = cached_embeddings(name, texts)
    intents = sorted(set(gold))
    titles = [title_of(i) for i in intents]
    digest = hashlib.sha256("\n".join(titles).encode()).hexdigest()[:10]
    title_vectors = cached_embeddings(f"{name}-request-titles-{digest}", titles)
    result = analyse(name, texts, embeddings, seed, reuse)
    index = {intent: i for i, intent in enumerate(intents)}
    started = time.perf_counter()
    vectors = [
        ThemeVectors(
            theme_id=t.index,
            centroid=np.asarray(t.centroid, dtype=np.float32),
            quote_ids=tuple(t.representative_indices),
            quote_texts=tuple(texts[i] for i in t.representative_indices),
            quotes=np.asarray(embeddings[list(t.representative_indices)], dtype=np.float32),
            keywords=t.keywords,
        )
        for t in result.themes
    ]
    scores = score_pairs(np.asarray(title_vectors, dtype=np.float32), titles, vectors)
    ranking_ms = (time.perf_counter() - started) * 1000
    w = ranking.CENTROID_WEIGHT
    semantic = w * scores.centroid + (1 - w) * scores.quote
    variants = {
        "shipped": scores.order,
        "semantic_only": semantic,
        "with_lexical_no_contrast": scores.match,
        "contrast_no_lexical": ranking.contrast(semantic),
        "centroid_only": scores.centroid,
        "quotes_only": scores.quote,
    }
    ranks: dict[str, list[int]] = {variant: [] for variant in variants}
    n_majority = 0
    misses: list[dict[str, Any]] = []
    for j, theme in enumerate(result.themes):
        members = np.flatnonzero(result.labels == theme.index)
        if members.size == 0:
            continue
        intent, share = _majority([gold[int(i)] for i in members])
        if share <= 0.5:
            continue
        n_majority += 1
        for variant, values in variants.items():
            order = np.argsort(-values[:, j], kind="stable")
            ranks[variant].append(int(np.flatnonzero(order == index[intent])[0]) + 1)
        if ranks["shipped"][-1] > 1 and len(misses) < 15:
            best = int(np.argmax(scores.order[:, j]))
            misses.append({"theme": theme.label, "intent": intent, "want": titles[index[intent]],
                           "got": titles[best], "rank": ranks["shipped"][-1]})  # fmt: skip

    def rates(values: list[int]) -> dict[str, float]:
        arr = np.asarray(values)
        return {
            "top1": round(float(np.mean(arr <= 1)), 4),
            "top3": round(float(np.mean(arr <= 3)), 4),
        }

    out = {variant: rates(values) for variant, values in ranks.items()}
    return {
        "n_texts": len(texts),
        "n_intents": len(intents),
        "n_themes": len(result.themes),
        "n_themes_with_majority_intent": n_majority,
        **out,
        "meets_floor": all(out["shipped"][k] >= v for k, v in FLOORS.items()),
        "ratio_top1_vs_semantic_only": round(
            out["shipped"]["top1"] / max(out["semantic_only"]["top1"], 1e-9), 3
        ),
        "discovery_seconds": round(result.seconds, 1),
        "ranking_ms_all_pairs": round(ranking_ms, 1),
        "sample_titles": dict(list(zip(intents, titles, strict=True))[:12]),
        "misses": misses,
    }


VARIANTS = (
    "shipped", "semantic_only", "with_lexical_no_contrast", "contrast_no_lexical",
    "centroid_only", "quotes_only",
)  # fmt: skip


def summarise(runs: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Median over the seeds of every variant's top-1 and top-3, with each seed's run beside."""
    median: dict[str, Any] = {
        variant: {
            key: round(float(np.median([run[variant][key] for run in runs.values()])), 4)
            for key in ("top1", "top3")
        }
        for variant in VARIANTS
    }
    for key in ("n_themes", "n_themes_with_majority_intent"):
        median[key] = float(np.median([run[key] for run in runs.values()]))
    return {
        "median": median,
        "meets_floor": all(median["shipped"][k] >= v for k, v in FLOORS.items()),
        "seeds": {str(seed): run for seed, run in runs.items()},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--datasets", default="clinc150,banking77")
    parser.add_argument("--seeds", default="42,7,1", help="one analysis per seed (comma-separated)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--reuse-analysis", action="store_true",
        help="read the analysis a previous run kept under .cache/bench (ranking only)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "bench": "request_links",
        "floors": FLOORS,
        "scoring": (
            "match = 0.5 x cos(title, centroid) + 0.5 x mean cos(title, 3 closest quotes)"
            " + 0.2 x BM25 share of the title's words in the theme's quotes and keywords;"
            " ordered by match - hub(request) - hub(theme), hub = mean of the 5 best matches"
        ),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or "?"},
        "cache_dir": str(CACHE_DIR),
        "datasets": {},
    }
    seeds = [int(seed) for seed in args.seeds.split(",")]
    for name in args.datasets.split(","):
        runs = {
            seed: evaluate(name.strip(), args.data_dir, seed, args.reuse_analysis) for seed in seeds
        }
        report["datasets"][name] = summarise(runs)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
