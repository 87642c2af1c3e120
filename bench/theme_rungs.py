"""Why the granularity ladder stops where it does: every minimum size on a wide ladder, scored.

    nice -n 10 .venv/bin/python -m bench.theme_rungs [--data-dir ../shared/data] \
        [--seed 42] [--rungs 5,7,10,14,20,28,40] [--output bench/results/theme_rungs.json]

On the balanced subsamples of bench/theme_sizes.py (banking77 train at 10/20/40 per intent,
clinc150 in-scope at 5/10/30, one seed), one reduction and one HDBSCAN tree per subsample are
cut at each minimum theme size of a wide ladder and finished into themes as discovery does
(nlp.discovery: noise propagation, merge, assignment of the rest). For every cut: themes,
unassigned share, NMI and ARI against the gold intents (unassigned items as singletons), and
the label-free score the engine ranks cuts by (mean cosine silhouette, nlp.granularity). It
prints, per subsample, the cut that score would pick on this wide ladder (one-standard-error
rule) next to the cut that the gold labels prefer, which is the evidence for the ladder's range
in nlp.granularity: the silhouette keeps rising as themes shrink to template level on some
data (banking77 at 40 per intent) and tracks the gold on others (clinc150 at 10 per intent).
Development measure only: the data sets are read from ``--data-dir``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import DEFAULT_DATA_DIR, banking77, clinc150, machine, need_data
from bench.theme_sizes import balanced_sample, embeddings_of, score

RESULTS = Path(__file__).resolve().parent / "results" / "theme_rungs.json"
SUBSAMPLES = (("banking77", ("10", "20", "40")), ("clinc150", ("5", "10", "30")))


def rungs_of(
    name: str, texts: list[str], gold: list[str], per_intent: str, seed: int, rungs: list[int]
) -> dict[str, Any]:
    """Scores of every rung on one subsample, and the rung each criterion picks."""
    from nlp import discovery
    from nlp.granularity import CondensedCuts, pick_cut, score_rows, silhouettes
    from nlp.reduction import reduce_dimensions
    from nlp.types import DiscoveryParams

    vectors = embeddings_of(texts)
    rows = balanced_sample(gold, per_intent, seed)
    emb = vectors[rows]
    truth = [gold[i] for i in rows.tolist()]
    params = DiscoveryParams.for_size(emb.shape[0])
    reduced = reduce_dimensions(
        emb,
        method=params.reduction,
        n_components=params.n_components,
        n_neighbors=params.n_neighbors,
        seed=seed,
    )
    cuts = CondensedCuts(reduced, min_samples=params.min_samples)
    scored = score_rows(emb.shape[0], seed)
    table, per_item = [], []
    for size in rungs:
        raw = cuts.labels(size, params.cluster_selection_method)
        labels = discovery._finish(emb, reduced, raw, params)
        assigned, _ = discovery._assign_rest(emb, labels, params, with_confidence=False)
        values = silhouettes(emb, assigned, scored)
        per_item.append(values)
        figures = score(truth, assigned, 0.0)
        table.append(
            {
                "min_size": size,
                "silhouette": round(float(values.mean()), 4),
                **{k: figures[k] for k in ("nmi", "ari", "n_themes", "unassigned")},
            }
        )
    # pick_cut takes finest first and returns the coarsest within one standard error
    picked = table[pick_cut(per_item)]["min_size"]
    by_ari = max(table, key=lambda row: row["ari"])["min_size"]
    return {
        "set": name,
        "per_intent": per_intent,
        "n": int(emb.shape[0]),
        "ladder_default": params.min_cluster_size,
        "silhouette_pick": picked,
        "gold_ari_pick": by_ari,
        "rungs": table,
    }


def main(argv: list[str] | None = None) -> int:
    """Score the rungs of every subsample; print a table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rungs", default="5,7,10,14,20,28,40")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    need_data(args.data_dir)
    rungs = sorted({int(r) for r in args.rungs.split(",")})
    loaders = {"banking77": banking77, "clinc150": clinc150}
    results = []
    for name, sizes in SUBSAMPLES:
        texts, gold = loaders[name](args.data_dir)
        for per_intent in sizes:
            result = rungs_of(name, texts, gold, per_intent, args.seed, rungs)
            results.append(result)
            print(f"{name} {per_intent}/intent (n={result['n']}):")
            for row in result["rungs"]:
                mark = " <- silhouette" if row["min_size"] == result["silhouette_pick"] else ""
                mark += " <- gold ARI" if row["min_size"] == result["gold_ari_pick"] else ""
                print(
                    f"  size {row['min_size']:>3}: {row['n_themes']:>4} themes, unassigned "
                    f"{row['unassigned']:.3f}, silhouette {row['silhouette']:.4f}, NMI "
                    f"{row['nmi']:.3f}, ARI {row['ari']:.3f}{mark}"
                )
    report = {
        "command": "python -m bench.theme_rungs " + " ".join(argv or sys.argv[1:]),
        "machine": machine(),
        "seed": args.seed,
        "subsamples": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
