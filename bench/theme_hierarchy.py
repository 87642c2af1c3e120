"""Two-level themes on clinc150: parents against the 10 domains, themes against the 150 intents.

    .venv/bin/python -m bench.theme_hierarchy [--data-dir ../shared/data] [--seeds 42,7,1]

clinc150 in-scope (train+val+test, 22,500 queries), embedded once with the packaged MiniLM
model (cached under .cache/bench/). Per seed: the theme engine (``nlp.discovery``) finds the
fine themes, ``nlp.hierarchy.group_themes`` groups them into parents (the number of parents
from the data), and k-means told k=10 runs on the same embeddings in the same run. NMI and
ARI as ``bench/score_analyze_output.py`` scores: every unassigned item is its own cluster.
Parent labels come from ``nlp.discovery.describe_themes`` on the parent labelling, as a run
labels them. Writes bench/results/theme_hierarchy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench._common import DEFAULT_DATA_DIR, clinc150, machine
from bench.eval_themes import cached_embeddings, singleton_labels

RESULT = Path(__file__).resolve().parent / "results" / "theme_hierarchy.json"


def _domains(data_dir: Path) -> dict[str, str]:
    raw = json.loads((data_dir / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    return {intent: domain for domain, intents in raw.items() for intent in intents}


def run_seed(
    embeddings: Any, texts: list[str], intents: list[str], domains: list[str], seed: int
) -> dict[str, Any]:
    """One seed: themes, parents, k-means k=10, all scored."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score as ari
    from sklearn.metrics import normalized_mutual_info_score as nmi

    from nlp.discovery import describe_themes, discover_themes
    from nlp.hierarchy import group_label, group_themes

    started = time.perf_counter()
    result = discover_themes(embeddings, texts, seed=seed)
    discover_s = time.perf_counter() - started
    centroids = np.stack([t.centroid for t in result.themes])
    clock = time.perf_counter()
    grouping = group_themes(centroids, [t.size for t in result.themes])
    group_s = time.perf_counter() - clock
    parent_of_item = np.where(result.labels >= 0, grouping.parents[result.labels], -1)
    parents = describe_themes(embeddings, texts, parent_of_item, result.params, seed)
    clock = time.perf_counter()
    kmeans = KMeans(n_clusters=10, n_init=10, random_state=seed).fit_predict(embeddings)
    kmeans_s = time.perf_counter() - clock
    themes_scored = singleton_labels(result.labels)
    parents_scored = singleton_labels(parent_of_item)
    labels_by_parent = []
    for p in parents:
        members = [domains[i] for i in np.flatnonzero(parent_of_item == p.index)]
        children = [
            (t.label, t.size) for t in result.themes if grouping.parents[t.index] == p.index
        ]
        labels_by_parent.append(
            {
                "label": group_label(p.label, children),
                "phrase": p.label,
                "size": p.size,
                "n_themes": int(np.sum(grouping.parents == p.index)),
                "majority_domain": Counter(members).most_common(1)[0][0],
            }
        )
    return {
        "seed": seed,
        "n_themes": len(result.themes),
        "n_parents": grouping.n_parents,
        "unassigned_share": round(float(np.mean(result.labels < 0)), 4),
        "theme_vs_intent": {
            "nmi": round(float(nmi(intents, themes_scored)), 4),
            "ari": round(float(ari(intents, themes_scored)), 4),
        },
        "parent_vs_domain": {
            "nmi": round(float(nmi(domains, parents_scored)), 4),
            "ari": round(float(ari(domains, parents_scored)), 4),
        },
        "kmeans_k10_vs_domain": {
            "nmi": round(float(nmi(domains, kmeans)), 4),
            "ari": round(float(ari(domains, kmeans)), 4),
        },
        "seconds": {
            "discover": round(discover_s, 2),
            "group": round(group_s, 3),
            "kmeans_k10": round(kmeans_s, 2),
        },
        "silhouettes": {str(k): v for k, v in grouping.silhouettes.items()},
        "parents": labels_by_parent,
    }


def main() -> None:
    """Run every seed, print a table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--seeds", default="42,7,1")
    parser.add_argument("--output", type=Path, default=RESULT)
    args = parser.parse_args()
    texts, intents = clinc150(args.data_dir)
    domain_of = _domains(args.data_dir)
    domains = [domain_of[i] for i in intents]
    embeddings = cached_embeddings("clinc150", texts)
    runs = [run_seed(embeddings, texts, intents, domains, int(s)) for s in args.seeds.split(",")]
    out = {
        "command": (
            f"python -m bench.theme_hierarchy --data-dir {args.data_dir} --seeds {args.seeds}"
        ),
        "data": "clinc150 in-scope train+val+test (22,500 queries, 150 intents, 10 domains)",
        "machine": machine(),
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print("seed  themes  parents  theme-NMI(intent)  parent-NMI(domain)  kmeans10-NMI(domain)")
    for r in runs:
        print(
            f"{r['seed']:>4}  {r['n_themes']:>6}  {r['n_parents']:>7}  "
            f"{r['theme_vs_intent']['nmi']:>17}  {r['parent_vs_domain']['nmi']:>18}  "
            f"{r['kmeans_k10_vs_domain']['nmi']:>20}"
        )


if __name__ == "__main__":
    main()
